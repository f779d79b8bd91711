import type { CountryCode } from 'libphonenumber-js/max';

export type PhoneRejectionReason = 'too_short' | 'too_long' | 'invalid_country' | 'not_a_number' | 'invalid';

/** Context that lets the message say exactly what to change. */
export interface PhoneRejectionContext {
  /** The country the number was read as, when known. */
  country?: CountryCode | undefined;
  /** The input carried its own country code (started with + or 00). */
  international: boolean;
  /** A pre-2016 Brazilian mobile written with 8 digits, still common in contact lists. */
  brazilianMobileWithoutNine?: boolean;
  /** A valid number of no country (+800 freephone and the like). */
  nonGeographic?: boolean;
  /**
   * A national reading that failed, whose digits are a valid number of some country once a + is
   * put in front: a foreign number written without its +, like "34612345678" under Mexico.
   */
  withPlus?: { formatted: string; country: CountryCode } | undefined;
}

const EXAMPLE = 'for example +34 612 345 678';

/** What the advisor reads next to the field: what is wrong and what to change. */
export function phoneRejectionMessage(reason: PhoneRejectionReason, context: PhoneRejectionContext): string {
  const message = rejectionMessage(reason, context);
  const hint = context.withPlus;
  return hint
    ? `${message} If it is a number of ${countryName(hint.country)}, write it with the +: ${hint.formatted}.`
    : message;
}

function rejectionMessage(reason: PhoneRejectionReason, context: PhoneRejectionContext): string {
  const of = context.country ? ` for ${countryName(context.country)}` : '';
  switch (reason) {
    case 'not_a_number':
      return `Enter a phone number using digits, optionally starting with + and the country code (${EXAMPLE}).`;
    case 'invalid_country':
      return context.international
        ? `The country code is not valid: check the digits after the + (${EXAMPLE}).`
        : `Add the country code: start the number with + and the country code (${EXAMPLE}).`;
    case 'too_short':
      return `This number is too short${of}: check that no digits are missing.`;
    case 'too_long':
      return `This number has too many digits${of}: check for extra digits or a repeated country code.`;
    case 'invalid':
      if (context.brazilianMobileWithoutNine) {
        return 'Brazilian mobile numbers have 9 digits after the area code: add a 9 before the number (for example +55 11 98765 4321).';
      }
      if (context.nonGeographic) {
        return "This number belongs to no country (like +800 freephone numbers) and cannot use WhatsApp: enter the client's own number.";
      }
      return `This is not a valid phone number${of}: check the country code, the area code and the number.`;
  }
}

function countryName(country: CountryCode): string {
  return new Intl.DisplayNames('en', { type: 'region' }).of(country) ?? country;
}
