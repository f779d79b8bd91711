import { describe, expect, it } from 'vitest';

import { readSettings } from '../instances/advisor-settings.js';
import { canonicalTimeZone, localeWithoutExtensions, supportedLocale } from './zone-and-locale.js';

const bounds = { rateLimit: { max: 50, durationMs: 60_000, maxCeiling: 200 } };

describe('canonicalTimeZone', () => {
  it.each([
    ['america/mexico_city', 'America/Mexico_City'],
    ['EUROPE/MADRID', 'Europe/Madrid'],
    ['Europe/Madrid', 'Europe/Madrid'],
    ['utc', 'UTC'],
    ['Etc/GMT-14', 'Etc/GMT-14'],
  ])('%s → %s', (input, zone) => {
    expect(canonicalTimeZone(input)).toBe(zone);
  });

  it.each(['Mars/Base', '', 'Europe/Madrid ', '+01:00'])('%j is not a zone', (input) => {
    expect(canonicalTimeZone(input)).toBeNull();
  });
});

describe('supportedLocale', () => {
  it.each([
    ['ES-mx', 'es-MX'],
    ['en', 'en'],
    ['pt-br', 'pt-BR'],
    ['es-419', 'es-419'],
  ])('%s → %s', (input, locale) => {
    expect(supportedLocale(input)).toBe(locale);
  });

  it.each(['xx', 'zz-ZZ', 'und', 'not a locale', '', 'x-private'])('%j is refused', (input) => {
    expect(supportedLocale(input)).toBeNull();
  });
});

describe('localeWithoutExtensions', () => {
  it.each([
    ['en-US-u-ca-islamic-nu-arab', 'en-US'],
    ['es-MX-u-hc-h23', 'es-MX'],
    ['en-t-es', 'en'],
    ['en-x-private', 'en'],
    ['ca-ES-valencia', 'ca-ES-valencia'],
    ['es-MX', 'es-MX'],
    ['not a locale', 'not a locale'],
  ])('%s → %s', (input, locale) => {
    expect(localeWithoutExtensions(input)).toBe(locale);
  });
});

describe('readSettings', () => {
  it('serves the defaults in place of a stored zone or locale that can no longer be used', () => {
    const settings = readSettings({ locale: 'xx', timezone: 'Mars/Base', defaultCountry: 'MX' }, bounds);
    expect(settings).toMatchObject({ locale: 'es-ES', timezone: 'Europe/Madrid', defaultCountry: 'MX' });
  });

  it('reads stored values in their standard spelling', () => {
    expect(readSettings({ locale: 'es-mx', timezone: 'america/bogota' }, bounds)).toMatchObject({
      locale: 'es-MX',
      timezone: 'America/Bogota',
    });
  });
});
