export { normalizeInternational, normalizePhone } from './normalize-phone.js';
export type { NormalizedPhone } from './normalize-phone.js';
export type { PhoneRejectionReason } from './phone-rejection-message.js';
export type { PhoneNumberType } from './phone-number-type.js';
export { canonicalWhatsAppNumber } from './mobile-prefix-quirks.js';
export { buildWaMeLink } from './whatsapp-link.js';
export { withAsciiDigits } from './ascii-digits.js';
