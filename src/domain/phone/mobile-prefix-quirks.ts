import { parsePhoneNumberWithError, type NumberType, type PhoneNumber } from 'libphonenumber-js/max';

/**
 * Rewrites a number that people commonly write in a form libphonenumber rejects or reads as a
 * landline into the form the same mobile has on WhatsApp. The rewrite is kept only when the result
 * is a valid number that can be a mobile; otherwise the number comes back unchanged.
 */
export function applyMobilePrefixQuirks(phone: PhoneNumber): PhoneNumber {
  const rewritten = rewrite(phone);
  if (rewritten === undefined) return phone;
  let candidate = parsePhoneNumberWithError(rewritten);
  // Without the 9, an Argentine number written with both mobile marks is in the form libphonenumber
  // reads (it drops the 15) and the 9 rule above completes; a second pass cannot rewrite again.
  if (candidate.countryCallingCode === '54') candidate = applyMobilePrefixQuirks(candidate);
  const type = candidate.getType();
  const canBeMobile = type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
  return candidate.isValid() && canBeMobile ? candidate : phone;
}

function rewrite(phone: PhoneNumber): string | undefined {
  switch (phone.countryCallingCode) {
    case '52':
      return phone.isValid() ? undefined : withoutMexicanMobilePrefix(phone.nationalNumber);
    case '54':
      return (
        withoutArgentineInternationalNine(phone) ??
        withArgentineMobileNine(phone.nationalNumber, phone.getType())
      );
    default:
      return undefined;
  }
}

/**
 * Mexico dropped its dialling prefixes in 2019 ("+52 1" from abroad and "044"/"045" at home for
 * mobiles, "01" for long distance) and libphonenumber now rejects them, but contact lists still
 * hold them: the 10 digits after the prefix are the number. A toll-free number keeps failing,
 * because the rewrite is kept only when it can be a mobile.
 */
function withoutMexicanMobilePrefix(national: string): string | undefined {
  if (/^1\d{10}$/.test(national)) return `+52${national.slice(1)}`;
  if (/^04[45]\d{10}$/.test(national)) return `+52${national.slice(3)}`;
  if (/^01\d{10}$/.test(national)) return `+52${national.slice(2)}`;
  return undefined;
}

/**
 * In Argentina a mobile and a landline can share area code and subscriber digits; only the 9 after
 * +54 (or the 15 in national form) says "mobile", so libphonenumber types "+54 11 2345-6789" as a
 * fixed line. Our recipients are clients on WhatsApp, practically always on a mobile, and leaving
 * out the 9 is the usual mistake, so a number libphonenumber calls a fixed line gets the 9 when
 * that makes it a valid mobile. The cost: an Argentine landline on WhatsApp Business cannot be
 * entered.
 */
function withArgentineMobileNine(national: string, type: NumberType): string | undefined {
  return type === 'FIXED_LINE' ? `+549${national}` : undefined;
}

/**
 * Both of Argentina's mobile marks at once, "+54 9 351 15 612 3456": the 9 of the international
 * form and the 15 of the national one, copied from a contact written "(0351) 15 612-3456". Too
 * long as it stands; without the 9 it is "+54 351 15 612 3456", which libphonenumber reads (the 15
 * is a national prefix to it) and the 9 rule turns into the mobile +54 9 351 612 3456.
 */
function withoutArgentineInternationalNine(phone: PhoneNumber): string | undefined {
  return !phone.isValid() && /^9\d{12}$/.test(phone.nationalNumber)
    ? `+54${phone.nationalNumber.slice(1)}`
    : undefined;
}

/**
 * Brazil added a 9 in front of every mobile number (completed in 2016). The old 8-digit form is
 * invalid now and is not rewritten, since the advisor should store the number the client really
 * has, but it is recognised so the error can say which digit is missing.
 */
export function isBrazilianMobileWithoutNine(phone: PhoneNumber): boolean {
  if (phone.countryCallingCode !== '55' || phone.isValid() || !/^\d{10}$/.test(phone.nationalNumber))
    return false;
  const national = phone.nationalNumber;
  const withNine = parsePhoneNumberWithError(`+55${national.slice(0, 2)}9${national.slice(2)}`);
  return withNine.isValid() && withNine.getType() === 'MOBILE';
}

/**
 * The E.164 number of a WhatsApp account, from the digits of its JID, in the form
 * {@link normalizePhone} gives the same number when an advisor types it, so that what comes back
 * from WhatsApp (inbound messages, send echoes, receipts) is filed under the number we send to.
 *
 * WhatsApp's JIDs leave out digits that our normaliser writes:
 * - Argentina: a mobile's JID has no 9 after 54 (`541123456789`). A landline's JID looks exactly
 *   the same, so every JID that reads as an Argentine fixed line becomes the mobile with the 9,
 *   just as the normaliser turns a typed landline into that mobile (WhatsApp accounts are
 *   practically always mobiles, and an Argentine landline cannot be entered as a recipient anyway).
 * - Brazil: many mobiles registered before the 9th digit keep their old 8-digit JID
 *   (`553187654321`); 55 + 2-digit area + 8 digits starting with 6-9 gets the 9 back. Landlines
 *   (8 digits starting with 2-5) are left alone.
 * - Mexico: older accounts keep the dropped mobile prefix (`521…`); it is removed.
 *
 * A rewrite is kept only when it yields a valid number that can be a mobile; anything else,
 * including digits libphonenumber cannot read, comes back as `+digits` unchanged.
 */
export function canonicalWhatsAppNumber(digits: string): string {
  const asIs = `+${digits}`;
  // Only Mexico, Argentina and Brazil are rewritten, and calling codes are prefix-free: every
  // other number (most of them: this runs on every echo and receipt) skips libphonenumber.
  if (!/^5[245]/.test(digits)) return asIs;
  let phone: PhoneNumber;
  try {
    phone = parsePhoneNumberWithError(asIs);
  } catch {
    return asIs;
  }
  const rewritten = jidRewrite(phone);
  if (rewritten === undefined) return asIs;
  let candidate: PhoneNumber;
  try {
    candidate = parsePhoneNumberWithError(rewritten);
  } catch {
    return asIs;
  }
  const type = candidate.getType();
  const canBeMobile = type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
  return candidate.isValid() && canBeMobile ? candidate.number : asIs;
}

function jidRewrite(phone: PhoneNumber): string | undefined {
  const national = phone.nationalNumber;
  switch (phone.countryCallingCode) {
    case '52':
      return /^1\d{10}$/.test(national) ? `+52${national.slice(1)}` : undefined;
    case '54':
      return withArgentineMobileNine(national, phone.getType());
    case '55':
      return /^\d{2}[6-9]\d{7}$/.test(national)
        ? `+55${national.slice(0, 2)}9${national.slice(2)}`
        : undefined;
    default:
      return undefined;
  }
}
