// Live, forgiving check of what the advisor types as a recipient, so mistakes show before
// sending, and readable display of stored E.164 numbers, both with libphonenumber-js (the same
// library the server validates with; the server has the last word: invalid_phone).
import {
  getCountryCallingCode,
  getExampleNumber,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/min';
import mobileExamples from 'libphonenumber-js/mobile/examples';

/** The countries our advisors work in most (the settings form offers these first). */
export const CALLING_CODES: Record<string, string> = Object.fromEntries(
  (
    [
      'ES',
      'MX',
      'AR',
      'CO',
      'CL',
      'PE',
      'US',
      'CA',
      'GB',
      'IE',
      'FR',
      'DE',
      'IT',
      'PT',
      'BR',
      'UY',
      'VE',
      'EC',
      'BO',
      'PY',
      'CR',
      'PA',
      'DO',
      'PR',
      'GT',
      'SV',
      'HN',
      'NI',
      'CU',
      'AD',
      'NL',
      'BE',
      'CH',
      'AT',
    ] as CountryCode[]
  ).map((country) => [country, String(getCountryCallingCode(country))]),
);

export type PhoneCheck =
  | { state: 'empty' }
  | { state: 'ok'; e164: string; assumedCountry: string | null }
  | { state: 'invalid'; reason: 'characters' | 'length' | 'country' };

export function checkPhoneInput(raw: string, defaultCountry: string): PhoneCheck {
  const value = raw.trim();
  if (!value) return { state: 'empty' };
  if (/[^\d\s+().\-/]/.test(value)) return { state: 'invalid', reason: 'characters' };
  let typed = value.replace(/[^\d+]/g, '');
  if (typed.startsWith('00')) typed = `+${typed.slice(2)}`;
  if (typed.lastIndexOf('+') > 0) return { state: 'invalid', reason: 'characters' };
  const international = typed.startsWith('+');
  const country = defaultCountry.toUpperCase();
  if (!international && !isSupportedCountry(country)) return { state: 'invalid', reason: 'country' };
  const parsed = international
    ? parsePhoneNumberFromString(typed)
    : parsePhoneNumberFromString(typed, country as CountryCode);
  if (!parsed?.isPossible()) return { state: 'invalid', reason: 'length' };
  return { state: 'ok', e164: parsed.number, assumedCountry: international ? null : country };
}

/** `+34612345678` → `+34 612 34 56 78`, in the number's own country's grouping; for reading only. */
export function displayPhone(e164: string | null | undefined): string {
  if (!e164) return '—';
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/**
 * A mobile number of the advisor's default country to show as an example, as it would be typed:
 * `national` where that country is assumed (a recipient), `international` where the code is
 * needed (their own number, a simulated client). Examples used to be Spain's in every language,
 * then of the dashboard's language: an advisor in Mexico was shown Spanish numbers either way.
 * Null for a country libphonenumber has no example of.
 */
export function examplePhone(country: string, form: 'national' | 'international'): string | null {
  const code = country.toUpperCase();
  if (!isSupportedCountry(code)) return null;
  const example = getExampleNumber(code, mobileExamples);
  if (!example) return null;
  return form === 'national' ? example.formatNational() : example.formatInternational();
}

/** "+52…": what a number of the advisor's default country starts with, for a search by number. */
export function callingCodePrefix(country: string): string | null {
  const code = country.toUpperCase();
  return isSupportedCountry(code) ? `+${getCountryCallingCode(code)}…` : null;
}
