import { describe, expect, it } from 'vitest';

import { buildAppointmentVariables } from './appointment-variables.js';
import { findBuiltinTemplate } from './builtin-templates.js';
import { ONLINE_APPOINTMENT_PLACE } from './default-variable-texts.js';
import { renderTemplate } from './template-syntax.js';

const appointment = {
  clientName: ' Lucía Pérez ',
  startsAt: new Date('2026-12-01T08:30:00Z'),
  timezone: 'Europe/Madrid',
};
const advisor = { name: 'Ana López', locale: 'es-ES' };

describe('buildAppointmentVariables', () => {
  it('fills names, and the date and time in the appointment zone and advisor locale', () => {
    expect(
      buildAppointmentVariables({ ...appointment, address: 'Calle Mayor 1, Madrid' }, advisor, 'Bebe agua'),
    ).toEqual({
      nombre_cliente: 'Lucía Pérez',
      fecha_cita: 'martes, 1 de diciembre de 2026',
      hora_cita: '9:30',
      nombre_asesor: 'Ana López',
      direccion: 'Calle Mayor 1, Madrid',
      mensaje_personalizado: 'Bebe agua',
    });
  });

  it('formats for an English-speaking advisor in another zone', () => {
    const variables = buildAppointmentVariables(
      { ...appointment, timezone: 'America/New_York' },
      { name: 'Sam', locale: 'en-US' },
    );
    expect(variables).toMatchObject({ fecha_cita: 'Tuesday, December 1, 2026', hora_cita: '3:30 AM' });
  });

  it.each([
    ['ca-ES', 'martes, 1 de diciembre de 2026', '9:30'],
    ['fr-FR', 'martes, 1 de diciembre de 2026', '9:30'],
    ['de-DE', 'martes, 1 de diciembre de 2026', '9:30'],
    ['es-US', 'martes, 1 de diciembre de 2026', '9:30 a.m.'],
    ['en-GB', 'Tuesday, 1 December 2026', '09:30'],
  ])('writes the date for a %s advisor in the language their messages are sent in', (locale, date, time) => {
    const variables = buildAppointmentVariables(appointment, { name: 'Ana', locale });
    expect(variables).toMatchObject({ fecha_cita: date, hora_cita: time });
  });

  it.each([undefined, '', '   '])('leaves out the address and personal message when they are %j', (blank) => {
    const variables = buildAppointmentVariables({ ...appointment, address: blank }, advisor, blank);
    expect(variables).not.toHaveProperty('direccion');
    expect(variables).not.toHaveProperty('mensaje_personalizado');
  });

  it('lets a reminder without an address be reported as missing, or sent with the online stand-in', () => {
    const reminder = findBuiltinTemplate('appointment_reminder', 'es').body;
    expect(renderTemplate(reminder, buildAppointmentVariables(appointment, advisor)).missing).toEqual([
      'direccion',
    ]);

    const online = buildAppointmentVariables(
      { ...appointment, address: ONLINE_APPOINTMENT_PLACE.es },
      advisor,
    );
    const rendered = renderTemplate(reminder, online);
    expect(rendered.missing).toEqual([]);
    expect(rendered.text).toBe(
      [
        'Hola, Lucía Pérez. Te recuerdo tu próxima cita:',
        '',
        '📅 martes, 1 de diciembre de 2026',
        '🕐 9:30',
        '📍 En línea',
        '',
        'Responde 1 para confirmar tu asistencia. Si necesitas cancelarla o cambiarla, responde 2 y me pondré en contacto contigo.',
        'Para no recibir más mensajes, responde BAJA.',
      ].join('\n'),
    );
  });

  it('renders the English confirmation in full', () => {
    const variables = buildAppointmentVariables(
      { ...appointment, timezone: 'America/New_York', clientName: 'Jo' },
      { name: 'Sam', locale: 'en' },
    );
    expect(renderTemplate(findBuiltinTemplate('appointment_confirmation', 'en').body, variables)).toEqual({
      text: [
        "Hi Jo, it's Sam. Your appointment is confirmed:",
        '',
        '📅 Tuesday, December 1, 2026',
        '🕐 3:30 AM',
        '',
        'If you need to change it, just message me here. See you soon!',
      ].join('\n'),
      missing: [],
    });
  });
});
