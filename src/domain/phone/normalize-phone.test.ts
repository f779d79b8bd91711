import type { CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';

import { normalizeInternational, normalizePhone } from './normalize-phone.js';

type Accepted = [input: string, defaultCountry: CountryCode, e164: string, type: string];

const ACCEPTED: Record<string, Accepted[]> = {
  Mexico: [
    ['+52 1 55 1234 5678', 'MX', '+525512345678', 'fixed_line_or_mobile'], // old "1" mobile prefix
    ['52 1 55 1234 5678', 'MX', '+525512345678', 'fixed_line_or_mobile'],
    ['+52 55 1234 5678', 'MX', '+525512345678', 'fixed_line_or_mobile'],
    ['55 1234 5678', 'MX', '+525512345678', 'fixed_line_or_mobile'], // national 10 digits
    ['(33) 1234-5678', 'MX', '+523312345678', 'fixed_line_or_mobile'],
    ['044 55 1234 5678', 'MX', '+525512345678', 'fixed_line_or_mobile'], // old local mobile prefix
    ['045 33 1234 5678', 'MX', '+523312345678', 'fixed_line_or_mobile'],
    ['01 55 1234 5678', 'MX', '+525512345678', 'fixed_line_or_mobile'], // old long-distance prefix
    ['0133 1234 5678', 'MX', '+523312345678', 'fixed_line_or_mobile'],
  ],
  Argentina: [
    ['011 15 2345-6789', 'AR', '+5491123456789', 'mobile'], // national mobile form with 15
    ['(0351) 15 423-4567', 'AR', '+5493514234567', 'mobile'],
    ['+54 9 11 2345-6789', 'AR', '+5491123456789', 'mobile'],
    ['+54 11 2345-6789', 'AR', '+5491123456789', 'mobile'], // 9 added: see mobile-prefix-quirks.ts
    ['11 2345-6789', 'AR', '+5491123456789', 'mobile'],
    ['+54 351 423-4567', 'AR', '+5493514234567', 'mobile'],
    ['00 54 9 11 2345 6789', 'ES', '+5491123456789', 'mobile'],
    // Both mobile marks at once (the 9 and the national 15): the 15 goes.
    ['+54 9 11 15 2345-6789', 'MX', '+5491123456789', 'mobile'],
    ['+54 9 351 15 423-4567', 'AR', '+5493514234567', 'mobile'],
    ['+54 9 2966 15 62-3456', 'ES', '+5492966623456', 'mobile'],
  ],
  Brazil: [
    ['+55 11 98765-4321', 'BR', '+5511987654321', 'mobile'],
    ['(21) 99876-5432', 'BR', '+5521998765432', 'mobile'],
    ['+55 11 3456-7890', 'BR', '+551134567890', 'fixed_line'], // 8-digit landline stays as is
  ],
  Spain: [
    ['612 34 56 78', 'ES', '+34612345678', 'mobile'],
    ['+34 612.34.56.78', 'ES', '+34612345678', 'mobile'],
    ['0034 612 345 678', 'ES', '+34612345678', 'mobile'],
    ['0034 612 345 678', 'US', '+34612345678', 'mobile'], // 00 even where abroad is dialled 011
    ['(+34) 612–345–678', 'ES', '+34612345678', 'mobile'], // en dashes pasted from a document
    ['+34\u00a0612\u202f345 678', 'ES', '+34612345678', 'mobile'], // no-break spaces pasted
    // Copied from a phone's contact card or a right-to-left page: direction marks around the
    // number, zero-width spaces; and a full-width keyboard's digits. They were "not a number".
    ['\u202a+34 612 345 678\u202c', 'ES', '+34612345678', 'mobile'],
    ['\u200e+34\u200e 612\u200b345\u2069678', 'ES', '+34612345678', 'mobile'],
    ['\ufeff\u2066612 34 56 78\u2069', 'ES', '+34612345678', 'mobile'],
    ['＋３４ ６１２ ３４５ ６７８', 'ES', '+34612345678', 'mobile'],
    // An Arabic keyboard's digits (U+0660…) and a Persian one's (U+06F0…): "not a number" before.
    ['+٣٤ ٦١٢ ٣٤٥ ٦٧٨', 'ES', '+34612345678', 'mobile'],
    ['۶۱۲ ۳۴ ۵۶ ۷۸', 'ES', '+34612345678', 'mobile'],
    ['\u200f٠٠٣٤ ٦١٢ ٣٤٥ ٦٧٨\u200f', 'ES', '+34612345678', 'mobile'], // right-to-left marks, 00
    ['91 123 45 67', 'ES', '+34911234567', 'fixed_line'], // landlines stay valid
    ['+34612345678', 'XX' as CountryCode, '+34612345678', 'mobile'], // stale default country
  ],
  Colombia: [
    ['300 123 4567', 'CO', '+573001234567', 'mobile'],
    ['+57 601 234 5678', 'CO', '+576012345678', 'fixed_line'],
  ],
  Chile: [['9 6123 4567', 'CL', '+56961234567', 'fixed_line_or_mobile']],
  Peru: [['987 654 321', 'PE', '+51987654321', 'mobile']],
  'United States': [
    ['(415) 555-2671', 'US', '+14155552671', 'fixed_line_or_mobile'],
    ['415.555.2671', 'US', '+14155552671', 'fixed_line_or_mobile'],
    ['+1 202-555-0143', 'ES', '+12025550143', 'fixed_line_or_mobile'],
  ],
};

const COUNTRY_OF_E164: Record<string, CountryCode> = {
  '+52': 'MX',
  '+54': 'AR',
  '+55': 'BR',
  '+34': 'ES',
  '+57': 'CO',
  '+56': 'CL',
  '+51': 'PE',
  '+1': 'US',
};

describe('normalizePhone accepts', () => {
  describe.each(Object.entries(ACCEPTED))('%s', (_country, cases) => {
    it.each(cases)('%j (default %s) → %s', (input, defaultCountry, e164, type) => {
      const country = Object.entries(COUNTRY_OF_E164).find(([prefix]) => e164.startsWith(prefix))?.[1];
      expect(normalizePhone(input, defaultCountry)).toEqual({ ok: true, e164, country, type });
    });
  });
});

describe('normalizePhone rejects', () => {
  it.each([
    ['', 'ES', 'not_a_number'],
    ['   ', 'ES', 'not_a_number'],
    ['abc', 'ES', 'not_a_number'],
    ['+', 'ES', 'not_a_number'],
    ['++34612345678', 'ES', 'not_a_number'],
    ['612abc345', 'ES', 'not_a_number'],
    ['+34 612 34 56 78 ext 5', 'ES', 'not_a_number'],
    ['call 612 34 56 78', 'ES', 'not_a_number'],
    ['123', 'ES', 'too_short'],
    ['+34 612 34 56 7', 'ES', 'too_short'],
    ['12345678901234567890', 'ES', 'too_long'],
    ['+34 612 34 56 789', 'ES', 'too_long'],
    ['+999 1234567', 'ES', 'invalid_country'],
    ['612345678', 'XX', 'invalid_country'],
    ['+54 351 123-4567', 'AR', 'invalid'], // unallocated range, with or without the 9
    ['+52 1 55 1234 567', 'MX', 'invalid'],
    ['01 800 123 4567', 'MX', 'too_long'], // toll-free is not rewritten: no WhatsApp behind it
    ['+52 1 800 123 4567', 'MX', 'too_long'], // the old "1" only ever preceded mobiles, not toll-free
    ['+55 11 8765-4321', 'BR', 'invalid'], // pre-2016 8-digit mobile
    ['+800 1234 5678', 'ES', 'invalid'], // belongs to no country
  ] as const)('%j (default %s) as %s', (input, defaultCountry, reason) => {
    const result = normalizePhone(input, defaultCountry as CountryCode);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok === false && result.message.length).toBeGreaterThan(20);
  });

  it('says which country the number was read for', () => {
    expect(normalizePhone('123', 'ES')).toMatchObject({ message: expect.stringContaining('for Spain') });
  });

  it('does not blame the default country for a number that carried its own code', () => {
    expect(normalizePhone('+34 1234 5678 9012 3456 78', 'MX')).toMatchObject({
      reason: 'too_long',
      message: expect.not.stringContaining('Mexico'),
    });
  });

  it('asks for the country code when there is no usable default country', () => {
    expect(normalizePhone('612345678', 'XX' as CountryCode)).toMatchObject({
      message: expect.stringMatching(/^Add the country code/),
    });
  });

  it('names the number a foreign number written without its + would be', () => {
    // A Spanish mobile under Mexico: too long as a Mexican number, valid with a + in front.
    expect(normalizePhone('34612345678', 'MX')).toMatchObject({
      ok: false,
      reason: 'too_long',
      message: expect.stringMatching(
        / If it is a number of Spain, write it with the \+: \+34 612 34 56 78\.$/,
      ),
    });
    // With no usable default country, the same guess follows "add the country code".
    expect(normalizePhone('5215512345678', 'XX' as CountryCode)).toMatchObject({
      message: expect.stringMatching(
        /^Add the country code.* If it is a number of Mexico, write it with the \+: \+52 55 1234 5678\.$/,
      ),
    });
    // No guess when the digits make no valid number with a + either, nor for a number that had one.
    expect(normalizePhone('123', 'ES')).toMatchObject({
      message: expect.not.stringContaining('write it with the +'),
    });
    expect(normalizePhone('+34 612 34 56 789', 'ES')).toMatchObject({
      message: expect.not.stringContaining('write it with the +'),
    });
  });

  it('tells the advisor to add the 9 to an old Brazilian mobile', () => {
    expect(normalizePhone('(11) 8765-4321', 'BR')).toMatchObject({
      reason: 'invalid',
      message: expect.stringContaining('add a 9'),
    });
  });

  it('gives the generic message for other invalid Brazilian numbers', () => {
    expect(normalizePhone('+55 11 2345 678', 'BR')).toMatchObject({
      message: expect.not.stringContaining('add a 9'),
    });
  });
});

describe('normalizeInternational', () => {
  // Every number written with its country code, accepted or not, read under every default country.
  const international = [
    ...Object.values(ACCEPTED)
      .flat()
      .map(([input]) => input),
    '+55 11 2345 678',
    '+800 1234 5678',
    '+52 1 55 1234',
    '+1',
  ].filter((input) => /^\s*(\(?\+|00)/.test(input));

  it.each(international)('reads %j as normalizePhone does under any default country', (input) => {
    const early = normalizeInternational(input);
    expect(early).not.toBeNull();
    for (const country of ['MX', 'AR', 'BR', 'ES', 'US', 'XX'] as CountryCode[]) {
      expect(normalizePhone(input, country)).toEqual(early);
    }
  });

  it('leaves a national number to the default country', () => {
    expect(normalizeInternational('55 1234 5678')).toBeNull();
    expect(normalizeInternational('011 15 2345-6789')).toBeNull();
    expect(normalizeInternational('not a phone')).toBeNull();
  });
});
