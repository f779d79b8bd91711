import type { TemplateLanguage } from './template-language.js';

/*
 * Stand-ins the appointment automation passes when the booking gave it nothing, so the reminder
 * and follow-up built-ins can still go out. They live here, next to the template texts, because
 * they must read well inside those bodies; the API preview never uses them, so an advisor
 * previewing a template still sees what is missing.
 */

/**
 * `direccion` for an appointment booked without an address. This assumes a session without a
 * place is held online (a video call); if the booking module ever leaves the address out for
 * in-person sessions, the automation must pass the advisor's usual address instead.
 */
export const ONLINE_APPOINTMENT_PLACE: Readonly<Record<TemplateLanguage, string>> = {
  es: 'En línea',
  en: 'Online',
  pt: 'On-line',
};

/** `mensaje_personalizado` for an automatic follow-up the advisor wrote nothing for. */
export const DEFAULT_FOLLOW_UP_MESSAGE: Readonly<Record<TemplateLanguage, string>> = {
  es: '¿Cómo te has sentido desde la sesión? Cuéntame cuando quieras.',
  en: 'How have you been feeling since our session? Tell me whenever you like.',
  pt: 'Como você tem se sentido desde a nossa sessão? Me conte quando quiser.',
};
