import { withAsciiDigits } from './ascii-digits.js';

/** What people type or paste between digits: spaces (no-break ones too), dashes, dots, brackets, slashes. */
const SEPARATORS = /[\s\-.()/\u2010-\u2015]/g;

/**
 * Invisible format characters (Unicode category Cf): the direction marks and isolates that phones
 * and browsers wrap around a number copied from a contact card or a right-to-left page
 * (U+202A … U+202C, U+200E, U+2066 … U+2069), zero-width spaces and joiners, a byte-order mark.
 * The number looks right on screen, and it used to be refused as "not a number".
 */
const INVISIBLE = /\p{Cf}/gu;

/**
 * Strips the formatting around a phone number, or returns `null` when the text holds anything a
 * phone number cannot (letters, "ext", a second "+"). Checking this ourselves, instead of letting
 * libphonenumber dig a number out of free text, keeps "call 612 34 56 78 after 5" from passing.
 * Full-width, Arabic-Indic and Persian digits, and a full-width plus sign, read as their ASCII
 * forms (withAsciiDigits).
 *
 * A leading `00` becomes `+` here rather than in libphonenumber: it only reads `00` as the
 * international prefix for countries that dial abroad with it, and a US advisor's client may
 * still write a Spanish number as "0034 …".
 */
export function cleanPhoneInput(input: string): string | null {
  const compact = withAsciiDigits(input).replace(INVISIBLE, '').replace(SEPARATORS, '');
  if (!/^\+?\d*$/.test(compact)) return null;
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}
