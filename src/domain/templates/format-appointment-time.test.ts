import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';

import { AppointmentTimeFormatError } from './appointment-time-format-error.js';
import { formatAppointmentDate, formatAppointmentTime } from './format-appointment-time.js';

// Expected strings are what ICU 78 (Node 20.20) prints; an ICU upgrade may change them (es-MX
// used to print "a. m."), and these tests are where that shows up.
describe('formatAppointmentDate and formatAppointmentTime', () => {
  it.each([
    ['es-MX', 'America/Mexico_City', '2026-12-01T15:30:00Z', 'martes, 1 de diciembre de 2026', '9:30 a.m.'],
    ['es-MX', 'America/Mexico_City', '2026-12-01T19:05:00Z', 'martes, 1 de diciembre de 2026', '1:05 p.m.'],
    ['es-ES', 'Europe/Madrid', '2026-12-01T08:30:00Z', 'martes, 1 de diciembre de 2026', '9:30'],
    ['es-ES', 'Europe/Madrid', '2026-12-01T17:30:00Z', 'martes, 1 de diciembre de 2026', '18:30'],
    ['en', 'America/New_York', '2026-12-01T14:30:00Z', 'Tuesday, December 1, 2026', '9:30 AM'],
    ['en-US', 'America/Los_Angeles', '2026-12-01T22:00:00Z', 'Tuesday, December 1, 2026', '2:00 PM'],
    ['es-CO', 'America/Bogota', '2026-12-01T14:30:00Z', 'martes, 1 de diciembre de 2026', '9:30 a. m.'],
    ['pt-BR', 'America/Sao_Paulo', '2026-12-04T17:00:00Z', 'sexta-feira, 4 de dezembro de 2026', '14:00'],
    ['pt-BR', 'America/Sao_Paulo', '2026-12-04T12:05:00Z', 'sexta-feira, 4 de dezembro de 2026', '09:05'],
    ['pt-PT', 'Europe/Lisbon', '2026-12-04T17:00:00Z', 'sexta-feira, 4 de dezembro de 2026', '17:00'],
  ])('%s in %s, %s → %s, %s', (locale, zone, iso, date, time) => {
    const instant = new Date(iso);
    expect(formatAppointmentDate(instant, zone, locale)).toBe(date);
    expect(formatAppointmentTime(instant, zone, locale)).toBe(time);
  });

  it("uses the appointment's timezone for the day, not UTC's", () => {
    // 03:00 UTC on 1 December is still the evening of 30 November in Mexico City.
    const instant = new Date('2026-12-01T03:00:00Z');
    expect(formatAppointmentDate(instant, 'America/Mexico_City', 'es-MX')).toBe(
      'lunes, 30 de noviembre de 2026',
    );
    expect(formatAppointmentTime(instant, 'America/Mexico_City', 'es-MX')).toBe('9:00 p.m.');
  });

  it.each([
    ['the day after clocks go forward', '2026-03-30T08:00:00Z'],
    ['the day after clocks go back', '2026-10-26T09:00:00Z'],
  ])('keeps a 10:00 Madrid appointment at 10:00 on %s', (_case, iso) => {
    expect(formatAppointmentTime(new Date(iso), 'Europe/Madrid', 'es-ES')).toBe('10:00');
  });

  it('replaces the no-break spaces ICU puts in times with plain spaces', () => {
    // Luxon's path for UTC keeps ICU's narrow no-break spaces (U+202F); make sure this case
    // really has them, or the assertion below would prove nothing.
    const instant = new Date('2026-12-01T14:30:00Z');
    const raw = DateTime.fromJSDate(instant, { zone: 'UTC' })
      .setLocale('es-CO')
      .toLocaleString(DateTime.TIME_SIMPLE);
    expect(raw).toMatch(/[\u00A0\u202F]/);

    const time = formatAppointmentTime(instant, 'UTC', 'es-CO');
    expect(time).toBe('2:30 p. m.');
    expect(time).not.toMatch(/[\u00A0\u202F]/);
  });

  it.each(['Mars/Olympus_Mons', 'Europe/Madird', '', '+02:00'])('rejects the unknown timezone %j', (zone) => {
    const format = () => formatAppointmentTime(new Date('2026-12-01T10:00:00Z'), zone, 'es-ES');
    expect(format).toThrow(AppointmentTimeFormatError);
    expect(format).toThrow(expect.objectContaining({ problem: 'unknown_timezone', value: zone }));
  });

  it.each(['zz', 'es_ES', 'not a locale', ''])('rejects the unknown locale %j', (locale) => {
    const format = () => formatAppointmentDate(new Date('2026-12-01T10:00:00Z'), 'Europe/Madrid', locale);
    expect(format).toThrow(
      expect.objectContaining({ name: 'AppointmentTimeFormatError', problem: 'unknown_locale' }),
    );
  });

  it('rejects an invalid date', () => {
    expect(() => formatAppointmentDate(new Date('nope'), 'Europe/Madrid', 'es-ES')).toThrow(
      expect.objectContaining({ problem: 'invalid_instant' }),
    );
  });
});
