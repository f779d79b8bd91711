import type { TemplateCategory } from './template-category.js';
import type { TemplateLanguage } from './template-language.js';

export const BUILTIN_TEMPLATE_KEYS = [
  'appointment_confirmation',
  'appointment_reminder',
  'appointment_rescheduled',
  'follow_up',
  'custom',
] as const;

export type BuiltinTemplateKey = (typeof BUILTIN_TEMPLATE_KEYS)[number];

export interface BuiltinTemplate {
  key: BuiltinTemplateKey;
  language: TemplateLanguage;
  category: TemplateCategory;
  name: string;
  body: string;
}

/*
 * Messages go out from the advisor's own number, so they speak in the first person. Dates and
 * times sit on their own lines: it reads well on a phone and avoids Spanish grammar that depends
 * on the value ("a la 1:00" but "a las 9:30").
 *
 * The opt-out line only appears in messages the client did not directly ask for (reminder and
 * follow-up); BAJA, STOP and SAIR are among the words the webhook treats as an opt-out. The
 * reminder promises that a reply of 1 confirms and 2 cancels, so the inbound handler must honour
 * it (reply-keywords.ts).
 *
 * The Portuguese ones are Brazilian Portuguese, and avoid words that agree with the speaker's
 * gender ("obrigado/obrigada"): the advisor's name says nothing about it.
 */
export const BUILTIN_TEMPLATES: readonly BuiltinTemplate[] = [
  {
    key: 'appointment_confirmation',
    language: 'es',
    category: 'confirmation',
    name: 'Confirmación de cita',
    body: [
      'Hola, {nombre_cliente}. Soy {nombre_asesor} y tu cita está confirmada:',
      '',
      '📅 {fecha_cita}',
      '🕐 {hora_cita}',
      '',
      'Si necesitas cambiarla, escríbeme por aquí. ¡Nos vemos pronto!',
    ].join('\n'),
  },
  {
    key: 'appointment_confirmation',
    language: 'en',
    category: 'confirmation',
    name: 'Appointment confirmation',
    body: [
      "Hi {nombre_cliente}, it's {nombre_asesor}. Your appointment is confirmed:",
      '',
      '📅 {fecha_cita}',
      '🕐 {hora_cita}',
      '',
      'If you need to change it, just message me here. See you soon!',
    ].join('\n'),
  },
  {
    key: 'appointment_confirmation',
    language: 'pt',
    category: 'confirmation',
    name: 'Confirmação de consulta',
    body: [
      'Olá, {nombre_cliente}. Aqui é {nombre_asesor} e sua consulta está confirmada:',
      '',
      '📅 {fecha_cita}',
      '🕐 {hora_cita}',
      '',
      'Se precisar remarcar, é só me escrever por aqui. Até breve!',
    ].join('\n'),
  },
  {
    key: 'appointment_reminder',
    language: 'es',
    category: 'reminder',
    name: 'Recordatorio de cita',
    body: [
      'Hola, {nombre_cliente}. Te recuerdo tu próxima cita:',
      '',
      '📅 {fecha_cita}',
      '🕐 {hora_cita}',
      '📍 {direccion}',
      '',
      'Responde 1 para confirmar tu asistencia. Si necesitas cancelarla o cambiarla, responde 2 y me pondré en contacto contigo.',
      'Para no recibir más mensajes, responde BAJA.',
    ].join('\n'),
  },
  {
    key: 'appointment_reminder',
    language: 'en',
    category: 'reminder',
    name: 'Appointment reminder',
    body: [
      'Hi {nombre_cliente}, a quick reminder of your upcoming appointment:',
      '',
      '📅 {fecha_cita}',
      '🕐 {hora_cita}',
      '📍 {direccion}',
      '',
      "Reply 1 to confirm you'll be there. If you need to cancel or change it, reply 2 and I'll get in touch with you.",
      'Reply STOP to stop receiving messages.',
    ].join('\n'),
  },
  {
    key: 'appointment_reminder',
    language: 'pt',
    category: 'reminder',
    name: 'Lembrete de consulta',
    body: [
      'Olá, {nombre_cliente}. Passando para lembrar você da sua próxima consulta:',
      '',
      '📅 {fecha_cita}',
      '🕐 {hora_cita}',
      '📍 {direccion}',
      '',
      'Responda 1 para confirmar sua presença. Se precisar cancelar ou remarcar, responda 2 e eu entro em contato com você.',
      'Para não receber mais mensagens, responda SAIR.',
    ].join('\n'),
  },
  {
    key: 'appointment_rescheduled',
    language: 'es',
    category: 'confirmation',
    name: 'Cita reprogramada',
    body: [
      'Hola, {nombre_cliente}. Tu cita tiene nueva fecha:',
      '',
      '📅 {fecha_cita}',
      '🕐 {hora_cita}',
      '',
      'Si no puedes asistir, escríbeme y buscamos otro momento.',
    ].join('\n'),
  },
  {
    key: 'appointment_rescheduled',
    language: 'en',
    category: 'confirmation',
    name: 'Appointment rescheduled',
    body: [
      'Hi {nombre_cliente}, your appointment has been rescheduled:',
      '',
      '📅 {fecha_cita}',
      '🕐 {hora_cita}',
      '',
      "If you can't make it, message me and we'll find another time.",
    ].join('\n'),
  },
  {
    key: 'appointment_rescheduled',
    language: 'pt',
    category: 'confirmation',
    name: 'Consulta remarcada',
    body: [
      'Olá, {nombre_cliente}. Sua consulta tem uma nova data:',
      '',
      '📅 {fecha_cita}',
      '🕐 {hora_cita}',
      '',
      'Se não puder comparecer, me escreva e encontramos outro horário.',
    ].join('\n'),
  },
  {
    key: 'follow_up',
    language: 'es',
    category: 'follow_up',
    name: 'Seguimiento',
    body: [
      'Hola, {nombre_cliente}. Gracias por nuestra sesión.',
      '',
      '{mensaje_personalizado}',
      '',
      'Aquí estoy para lo que necesites.',
      '{nombre_asesor}',
      '',
      'Para no recibir más mensajes, responde BAJA.',
    ].join('\n'),
  },
  {
    key: 'follow_up',
    language: 'en',
    category: 'follow_up',
    name: 'Follow-up',
    body: [
      'Hi {nombre_cliente}, thank you for our session.',
      '',
      '{mensaje_personalizado}',
      '',
      "I'm here if you need anything.",
      '{nombre_asesor}',
      '',
      'Reply STOP to stop receiving messages.',
    ].join('\n'),
  },
  {
    key: 'follow_up',
    language: 'pt',
    category: 'follow_up',
    name: 'Acompanhamento',
    body: [
      'Olá, {nombre_cliente}. Agradeço pela nossa sessão.',
      '',
      '{mensaje_personalizado}',
      '',
      'Estou aqui para o que você precisar.',
      '{nombre_asesor}',
      '',
      'Para não receber mais mensagens, responda SAIR.',
    ].join('\n'),
  },
  {
    key: 'custom',
    language: 'es',
    category: 'custom',
    name: 'Mensaje personalizado',
    body: ['Hola, {nombre_cliente}:', '', '{mensaje_personalizado}'].join('\n'),
  },
  {
    key: 'custom',
    language: 'en',
    category: 'custom',
    name: 'Custom message',
    body: ['Hi {nombre_cliente},', '', '{mensaje_personalizado}'].join('\n'),
  },
  {
    key: 'custom',
    language: 'pt',
    category: 'custom',
    name: 'Mensagem personalizada',
    body: ['Olá, {nombre_cliente},', '', '{mensaje_personalizado}'].join('\n'),
  },
];

export function isBuiltinTemplateKey(key: string): key is BuiltinTemplateKey {
  return (BUILTIN_TEMPLATE_KEYS as readonly string[]).includes(key);
}

/** Every key exists in every language (a test holds that), so this never comes back empty-handed. */
export function findBuiltinTemplate(key: BuiltinTemplateKey, language: TemplateLanguage): BuiltinTemplate {
  const template = BUILTIN_TEMPLATES.find((t) => t.key === key && t.language === language);
  if (!template) throw new Error(`Built-in template ${key}/${language} is missing`);
  return template;
}
