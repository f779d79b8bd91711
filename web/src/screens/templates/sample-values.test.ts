import { describe, expect, it } from 'vitest';
import { sampleDateTime } from './sample-values';

// 1 December 2026 at noon UTC: the sample appointment is a week later, 10:30 on the wall clock.
const NOW = new Date(Date.UTC(2026, 11, 1, 12));

describe('sampleDateTime', () => {
  it.each([
    // A locale without templates of its own gets the Spanish built-ins, and the server writes the
    // date in Spanish of its region (messageLocale, src/domain/templates/template-language.ts).
    ['ca-ES', 'martes, 8 de diciembre de 2026', '10:30'],
    ['fr-FR', 'martes, 8 de diciembre de 2026', '10:30'],
    ['de-DE', 'martes, 8 de diciembre de 2026', '10:30'],
    ['it-IT', 'martes, 8 de diciembre de 2026', '10:30'],
    // A locale that speaks its templates' language is used as it is.
    ['es-ES', 'martes, 8 de diciembre de 2026', '10:30'],
    ['en-US', 'Tuesday, December 8, 2026', '10:30 AM'],
    ['en-GB', 'Tuesday, 8 December 2026', '10:30'],
    ['es-MX', 'martes, 8 de diciembre de 2026', '10:30 a.m.'],
    ['pt-BR', 'terça-feira, 8 de dezembro de 2026', '10:30'],
  ])('writes %s as the message sent to clients does', (locale, fecha_cita, hora_cita) => {
    expect(sampleDateTime({ locale, timezone: 'Europe/Madrid' }, NOW)).toEqual({ fecha_cita, hora_cita });
  });
});
