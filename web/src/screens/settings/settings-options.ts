// The choices offered in the settings form; the server validates whatever is sent.
import { CALLING_CODES } from '../../lib/phone-input';

export const LOCALES = [
  'es-ES',
  'es-MX',
  'es-AR',
  'es-CO',
  'es-CL',
  'es-PE',
  'es-US',
  'en-US',
  'en-GB',
  'pt-BR',
  'pt-PT',
  'ca-ES',
  'fr-FR',
  'de-DE',
  'it-IT',
];

export function countryOptions(locale: string, current: string): { code: string; name: string }[] {
  const names = new Intl.DisplayNames([locale], { type: 'region' });
  const codes = new Set([...Object.keys(CALLING_CODES), current.toUpperCase()].filter(Boolean));
  return [...codes]
    .map((code) => ({ code, name: names.of(code) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name, locale));
}

export function localeName(tag: string, uiLocale: string): string {
  try {
    return `${new Intl.DisplayNames([uiLocale], { type: 'language' }).of(tag) ?? tag} (${tag})`;
  } catch {
    return tag;
  }
}

export function timezones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return all.includes(current) || !current ? all : [current, ...all];
}
