// How GET /api/whatsapp/messages reads its `phone` filter: a whole number finds that number's
// messages (by index); a few digits find every number that contains them, which is what someone
// who remembers "the one ending in 5678" types into the history's search box.
import { normalizeInternational } from '../phone/index.js';

export type PhoneFilter = { phone: string } | { phoneDigits: string };

/** Shorter than this, "contains" would match most of an advisor's history and say nothing. */
export const MIN_PARTIAL_PHONE_DIGITS = 3;

/**
 * `+34612345678`, `0034612345678` (as POST /send takes it) or `34612345678` (the "+" is often lost
 * in a query string) matches exactly. Anything else, reduced to its digits, matches the numbers
 * that contain them; null when that leaves fewer than three digits (the caller answers 400).
 */
export function readPhoneFilter(raw: string): PhoneFilter | null {
  const trimmed = raw.trim();
  // As written first: a "+" put before "0034…" made "+0034…", no number, and the digit match
  // that followed could not find "0034" in any stored "+34…".
  const international =
    normalizeInternational(trimmed) ??
    normalizeInternational(trimmed.startsWith('+') ? trimmed : `+${trimmed}`);
  if (international?.ok) return { phone: international.e164 };
  const digits = trimmed.replace(/\D/g, '');
  return digits.length >= MIN_PARTIAL_PHONE_DIGITS ? { phoneDigits: digits } : null;
}
