import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { es, type MessageKey } from '../i18n/es';
import { fieldErrorText } from './field-error-text';

const translate =
  (dict: Record<MessageKey, string>) =>
  (key: MessageKey, vars: Record<string, string | number> = {}) =>
    dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
const t = translate(es);

// The sentences the server sends today (advisor-settings.ts and zod's own), as they arrive.
describe('fieldErrorText', () => {
  it("keeps the server's bound for the rate limit, in the advisor's language", () => {
    const server = "must be at most 200 (the server's bound)";
    expect(fieldErrorText('rateLimit.max', server, t)).toBe(
      'Como máximo 200 mensajes: es el límite de la plataforma.',
    );
    expect(fieldErrorText('rateLimit.max', server, translate(en))).toBe(
      "At most 200 messages: that is the platform's limit.",
    );
    expect(fieldErrorText('rateLimit.max', 'Too small: expected number to be >=1', t)).toBe(
      'Al menos 1 mensaje.',
    );
    expect(fieldErrorText('rateLimit.max', 'Invalid input: expected int, received number', t)).toBe(
      'Escribe un número entero.',
    );
  });

  it('words each settings rule by its field', () => {
    expect(
      fieldErrorText('defaultCountry', 'must be an ISO 3166 two-letter country code, e.g. ES or MX', t),
    ).toBe('Elige un país de la lista.');
    expect(fieldErrorText('quietHours.start', 'must be a time as HH:MM (24 h), e.g. 21:00', t)).toBe(
      'Escribe una hora como 21:00.',
    );
    expect(fieldErrorText('reminderOffsetMinutes', 'must be at most 14 days (20160 minutes)', t)).toBe(
      'Como máximo 14 días antes de la cita.',
    );
    expect(
      fieldErrorText('reminderOffsetMinutes', 'must be at least 1 minute before the appointment', t),
    ).toBe('Como mínimo 1 minuto antes de la cita.');
    expect(fieldErrorText('followUpDelayMinutes', 'Too small: expected number to be >=0', t)).toBe(
      'No puede ser negativo.',
    );
    expect(fieldErrorText('followUpDelayMinutes', 'must be at most 30 days (43200 minutes)', t)).toBe(
      'Como máximo 30 días después de la cita.',
    );
    expect(fieldErrorText('ctaMessage', 'Too big: expected string to have <=1000 characters', t)).toBe(
      'Como máximo 1000 caracteres.',
    );
    expect(fieldErrorText('ctaMessage', 'Too small: expected string to have >=1 characters', t)).toBe(
      'No puede quedar vacío.',
    );
    expect(
      fieldErrorText(
        'ctaMessage',
        'is too long for the QR code of the link once URL-encoded (accents and emoji take several characters each): shorten it',
        t,
      ),
    ).toBe(
      'Demasiado largo para el código QR de tu enlace: las tildes y los emojis ocupan varios caracteres cada uno en el enlace. Acórtalo.',
    );
  });

  it("shows the server's sentence when it cannot place it", () => {
    expect(fieldErrorText('somethingNew', 'unknown setting(s): somethingNew', t)).toBe(
      'unknown setting(s): somethingNew',
    );
  });
});
