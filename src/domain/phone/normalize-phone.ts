import {
  isSupportedCountry,
  ParseError,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';

import { cleanPhoneInput } from './clean-phone-input.js';
import { applyMobilePrefixQuirks, isBrazilianMobileWithoutNine } from './mobile-prefix-quirks.js';
import { toPhoneNumberType, type PhoneNumberType } from './phone-number-type.js';
import {
  phoneRejectionMessage,
  type PhoneRejectionContext,
  type PhoneRejectionReason,
} from './phone-rejection-message.js';

export type NormalizedPhone =
  | { ok: true; e164: string; country: CountryCode; type: PhoneNumberType }
  | { ok: false; reason: PhoneRejectionReason; message: string };

/**
 * Reads a phone number as an advisor or a booking form wrote it and returns its E.164 form.
 *
 * Landlines stay valid (WhatsApp Business runs on landlines too); `type` tells the caller what it
 * got. Numbers that belong to no country (+800 freephone and the like) are rejected: they cannot
 * hold a WhatsApp account. Uses libphonenumber's full metadata ("max") because validity and type
 * need it.
 */
export function normalizePhone(input: string, defaultCountry: CountryCode | undefined): NormalizedPhone {
  const cleaned = cleanPhoneInput(input);
  const international = cleaned?.startsWith('+') ?? false;
  if (cleaned === null || !/\d/.test(cleaned)) return rejected('not_a_number', { international });

  // An unsupported country (stale settings) is dropped so that numbers with "+" still work.
  const fallbackCountry =
    defaultCountry !== undefined && isSupportedCountry(defaultCountry) ? defaultCountry : undefined;
  // Messages name a country only when the number was read as one of its national numbers.
  const readAsCountry = international ? undefined : fallbackCountry;

  let phone: PhoneNumber;
  try {
    phone = applyMobilePrefixQuirks(
      parsePhoneNumberWithError(cleaned, { defaultCountry: fallbackCountry, extract: false }),
    );
  } catch (error) {
    if (error instanceof ParseError) {
      return rejected(reasonFromLibrary(error.message), {
        international,
        country: readAsCountry,
        withPlus: international ? undefined : readWithPlus(cleaned),
      });
    }
    throw error;
  }

  const valid = phone.isValid();
  if (valid && phone.country !== undefined) {
    return { ok: true, e164: phone.number, country: phone.country, type: toPhoneNumberType(phone.getType()) };
  }
  const reason = valid ? 'invalid' : reasonFromLibrary(validatePhoneNumberLength(phone.number) ?? 'INVALID');
  return rejected(reason, {
    international,
    country: phone.country ?? readAsCountry,
    brazilianMobileWithoutNine: isBrazilianMobileWithoutNine(phone),
    nonGeographic: valid,
    withPlus: international ? undefined : readWithPlus(cleaned),
  });
}

/**
 * The number these digits make with a + in front, when that is a valid number of a country: what
 * a foreign number written without its + ("34612345678" under Mexico) was meant to be. Only named
 * in the refusal, never taken for the caller: the same digits may be a mistyped national number.
 */
function readWithPlus(digits: string): PhoneRejectionContext['withPlus'] {
  try {
    const phone = applyMobilePrefixQuirks(parsePhoneNumberWithError(`+${digits}`, { extract: false }));
    return phone.isValid() && phone.country !== undefined
      ? { formatted: phone.formatInternational(), country: phone.country }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The number's E.164 form when it was written with its country code ("+…" or "00…"), so no
 * default country can change the reading; null when it needs the advisor's default country.
 * Lets POST /send look the number up before it has read the advisor's settings.
 */
export function normalizeInternational(input: string): NormalizedPhone | null {
  if (!cleanPhoneInput(input)?.startsWith('+')) return null;
  return normalizePhone(input, undefined);
}

function rejected(reason: PhoneRejectionReason, context: PhoneRejectionContext): NormalizedPhone {
  return { ok: false, reason, message: phoneRejectionMessage(reason, context) };
}

/** libphonenumber's error codes (parse errors and length checks) onto ours. */
function reasonFromLibrary(code: string): PhoneRejectionReason {
  switch (code) {
    case 'NOT_A_NUMBER':
      return 'not_a_number';
    case 'INVALID_COUNTRY':
      return 'invalid_country';
    case 'TOO_SHORT':
      return 'too_short';
    case 'TOO_LONG':
      return 'too_long';
    default:
      return 'invalid'; // INVALID_LENGTH, or a length that fits but digits that do not
  }
}
