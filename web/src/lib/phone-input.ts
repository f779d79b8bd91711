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

/** Arabic-Indic digits (an Arabic keyboard, U+0660…), Extended Arabic-Indic ones (Persian, U+06F0…). */
const ARABIC_INDIC_DIGITS = /[\u0660-\u0669\u06f0-\u06f9]/g;

/**
 * `text` with the digits the server reads in a phone number written in ASCII: full-width ones (a
 * CJK or mobile keyboard) by NFKC, Arabic-Indic and Persian ones by their value. The server reads
 * them all (src/domain/phone/ascii-digits.ts); the checks below see ASCII digits only, so such a
 * number was refused here ("characters") before the server could see it.
 */
export function withAsciiDigits(text: string): string {
  return text.normalize('NFKC').replace(ARABIC_INDIC_DIGITS, (digit) => {
    const code = digit.charCodeAt(0);
    return String(code - (code >= 0x06f0 ? 0x06f0 : 0x0660));
  });
}

/**
 * Invisible format characters (Unicode category Cf): the direction marks a phone or WhatsApp Web
 * wraps around a number copied from a contact card (U+202A … U+202C, U+200E), zero-width spaces.
 * The server drops them (src/domain/phone/clean-phone-input.ts); here they made a number that
 * looks right on screen "characters".
 */
const INVISIBLE = /\p{Cf}/gu;

/** Between digits, as the server allows: spaces, dashes (Unicode's too), dots, brackets, slashes. */
const NOT_IN_A_NUMBER = /[^\d\s+().\-/\u2010-\u2015]/;

export function checkPhoneInput(raw: string, defaultCountry: string): PhoneCheck {
  const value = withAsciiDigits(raw).replace(INVISIBLE, '').trim();
  if (!value) return { state: 'empty' };
  if (NOT_IN_A_NUMBER.test(value)) return { state: 'invalid', reason: 'characters' };
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

/**
 * What the history's search box asks the server for: a whole number typed as the advisor says it
 * (no prefix, with spaces) read with their default country, as the Send screen reads it, which the
 * server matches exactly; anything else as its digits (and "+"), which the server matches in every
 * number that contains them (at least 3).
 */
export function historyPhoneFilter(typed: string, defaultCountry: string): string {
  const check = checkPhoneInput(typed, defaultCountry);
  return check.state === 'ok' ? check.e164 : withAsciiDigits(typed).replace(/[^\d+]/g, '');
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
