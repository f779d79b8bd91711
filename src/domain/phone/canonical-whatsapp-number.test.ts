import { describe, expect, it } from 'vitest';
import { canonicalWhatsAppNumber } from './mobile-prefix-quirks.js';
import { normalizePhone } from './normalize-phone.js';

describe('canonicalWhatsAppNumber', () => {
  it.each([
    // Argentina: the JID has no mobile 9; it comes back.
    ['541123456789', '+5491123456789'],
    ['543514123456', '+5493514123456'],
    // An Argentine landline's JID looks the same as a mobile's without the 9: read as the mobile,
    // as the normaliser reads a typed landline.
    ['541143210000', '+5491143210000'],
    // Already with the 9, or not a number that can take it (toll-free): unchanged.
    ['5491123456789', '+5491123456789'],
    ['54800123456', '+54800123456'],
    // Brazil without the 9th digit, area codes above and below 30: the 9 comes back.
    ['553187654321', '+5531987654321'],
    ['556187654321', '+5561987654321'],
    ['551187654321', '+5511987654321'],
    ['552187654321', '+5521987654321'],
    // Brazil with the 9th digit: unchanged.
    ['5531987654321', '+5531987654321'],
    ['5511987654321', '+5511987654321'],
    // Brazilian landlines (subscriber starting 2-5): unchanged.
    ['551133334444', '+551133334444'],
    ['553133334444', '+553133334444'],
    // Mexico: the old mobile prefix 1 goes.
    ['5215512345678', '+525512345678'],
    ['525512345678', '+525512345678'],
    // Everyone else: unchanged.
    ['34612345678', '+34612345678'],
    ['34912345678', '+34912345678'],
    ['12025550123', '+12025550123'],
    ['447700900123', '+447700900123'],
    // Digits libphonenumber cannot read: unchanged.
    ['5411', '+5411'],
  ])('%s → %s', (digits, e164) => {
    expect(canonicalWhatsAppNumber(digits)).toBe(e164);
  });

  it.each([
    ['+54 9 11 2345-6789', '541123456789'],
    ['+54 11 2345-6789', '541123456789'],
    ['+54 351 412-3456', '543514123456'],
    ['+55 31 98765-4321', '553187654321'],
    ['+55 11 98765-4321', '5511987654321'],
    ['+52 1 55 1234 5678', '5215512345678'],
    ['+52 55 1234 5678', '525512345678'],
    ['+34 612 34 56 78', '34612345678'],
  ])('the JID of %s comes back as the number the normaliser sends to', (typed, jidDigits) => {
    const sent = normalizePhone(typed, undefined);
    expect(sent.ok).toBe(true);
    expect(canonicalWhatsAppNumber(jidDigits)).toBe(sent.ok ? sent.e164 : null);
  });

  it('is idempotent on its own output', () => {
    for (const digits of ['541123456789', '553187654321', '5215512345678', '34612345678']) {
      const once = canonicalWhatsAppNumber(digits);
      expect(canonicalWhatsAppNumber(once.slice(1))).toBe(once);
    }
  });
});
