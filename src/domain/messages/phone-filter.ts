// How GET /api/whatsapp/messages reads its `phone` filter: a whole number finds that number's
// messages (by index); a few digits find every number that contains them, which is what someone
// who remembers "the one ending in 5678" types into the history's search box.
import { normalizeInternational, withAsciiDigits } from '../phone/index.js';

/**
 * `phone` alone: that number. `phoneDigits` alone: the numbers containing those digits. Both:
 * either (digits written without "+" or "00", which may be a whole number or a national one).
 */
export type PhoneFilter = { phone: string; phoneDigits?: string } | { phoneDigits: string };

/** Shorter than this, "contains" would match most of an advisor's history and say nothing. */
export const MIN_PARTIAL_PHONE_DIGITS = 3;

/**
 * `+34612345678` or `0034612345678` (as POST /send takes it) matches exactly. `34612345678` (the
 * "+" is often lost in a query string) matches that number and every number containing its
 * digits: digits alone are just as often a national number, and ~10% of those also read as some
 * other country's whole number (Colombia's 321 505 7309 as Belgium's +32 1505 7309), which alone
 * found nothing. Anything else, reduced to its digits, matches the numbers that contain them;
 * null when that leaves fewer than three digits (the caller answers 400).
 */
export function readPhoneFilter(raw: string): PhoneFilter | null {
  // Full-width, Arabic-Indic and Persian digits (and a full-width "+") as their ASCII forms, as
  // POST /send reads `to`: libphonenumber read them, but `\D` dropped them from the digits, so
  // without a "+" a national number found only the whole number they made, and a few of them
  // were refused.
  const trimmed = withAsciiDigits(raw).trim();
  // As written first: a "+" put before "0034…" made "+0034…", no number, and the digit match
  // that followed could not find "0034" in any stored "+34…".
  const written = normalizeInternational(trimmed);
  if (written?.ok) return { phone: written.e164 };
  const digits = trimmed.replace(/\D/g, '');
  const prefixed = trimmed.startsWith('+') ? null : normalizeInternational(`+${trimmed}`);
  if (prefixed?.ok) return { phone: prefixed.e164, phoneDigits: digits };
  // A national number as dialled at home starts with its trunk 0 (UK 07700 900123, Germany
  // 0151 …), which the stored +447700900123 does not hold: such a search found nothing. Without
  // its leading zeros it finds the number; it can only find more, never less (a number holding
  // "0151…" holds "151…"), and Italy's +39 06…, whose 0 is stored, is still found.
  const significant = digits.replace(/^0+/, '');
  const searched = significant.length >= MIN_PARTIAL_PHONE_DIGITS ? significant : digits;
  return searched.length >= MIN_PARTIAL_PHONE_DIGITS ? { phoneDigits: searched } : null;
}
