import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { callingCodePrefix, checkPhoneInput, examplePhone, historyPhoneFilter } from './phone-input';

// The dashboard's example numbers are of the advisor's default country, whatever its language:
// they were Spain's for everybody, then the dashboard language's.
describe('examplePhone', () => {
  it.each(['ES', 'MX', 'AR', 'BR', 'US', 'GB', 'PT', 'co'] as const)(
    'gives a valid mobile number of %s, typed as the advisor would',
    (country) => {
      const national = examplePhone(country, 'national')!;
      const international = examplePhone(country, 'international')!;
      const upper = country.toUpperCase() as CountryCode;
      expect(parsePhoneNumberFromString(international)?.country).toBe(upper);
      expect(parsePhoneNumberFromString(international)?.isValid()).toBe(true);
      expect(international.startsWith('+')).toBe(true);
      expect(national.startsWith('+')).toBe(false);
      // The national form is what the recipient field reads with that country assumed.
      const check = checkPhoneInput(national, country);
      expect(check).toMatchObject({ state: 'ok', assumedCountry: upper });
      expect(check.state === 'ok' && check.e164).toBe(parsePhoneNumberFromString(international)?.number);
    },
  );

  it('is Brazilian for a Brazilian advisor and Mexican for a Mexican one', () => {
    expect(examplePhone('BR', 'international')).toMatch(/^\+55 /);
    expect(examplePhone('MX', 'international')).toMatch(/^\+52 /);
  });

  it('is null for a country it does not know', () => {
    expect(examplePhone('XX', 'national')).toBeNull();
    expect(callingCodePrefix('XX')).toBeNull();
  });
});

describe('callingCodePrefix', () => {
  it.each([
    ['ES', '+34…'],
    ['BR', '+55…'],
    ['mx', '+52…'],
  ])('%s → %s', (country, prefix) => expect(callingCodePrefix(country)).toBe(prefix));
});

// Digits typed on an Arabic (U+0660…), Persian (U+06F0…) or full-width keyboard, which the server
// reads in `to` and in the history's filter: the dashboard refused them before the server saw them.
describe('digits of other keyboards', () => {
  it.each([
    ['٣٢١ ٥٠٥ ٧٣٠٩', 'CO', '+573215057309'],
    ['+۵۷ ۳۲۱ ۵۰۵ ۷۳۰۹', 'ES', '+573215057309'],
    ['６１２ ３４ ５６ ７８', 'ES', '+34612345678'],
    ['٠٠٣٤ ٦١٢ ٣٤٥ ٦٧٨', 'MX', '+34612345678'],
  ])('the recipient %j reads as a number (default country %s)', (typed, country, e164) => {
    expect(checkPhoneInput(typed, country)).toMatchObject({ state: 'ok', e164 });
  });

  it.each([
    ['\u202a+34 612 34 56 78\u202c', '+34612345678'],
    ['\u200e612\u200b345\u200b678', '+34612345678'],
    ['612\u2013345\u2013678', '+34612345678'],
  ])('the copied recipient %j reads as the number the server reads (%s)', (typed, e164) => {
    expect(checkPhoneInput(typed, 'ES')).toMatchObject({ state: 'ok', e164 });
  });

  it('still refuses letters among them', () => {
    expect(checkPhoneInput('٣٢١ abc ٧٣٠٩', 'CO')).toEqual({ state: 'invalid', reason: 'characters' });
  });

  it.each([
    ['٣٢١ ٥٠٥ ٧٣٠٩', '+573215057309'],
    ['۷۳۰۹', '7309'],
    ['٧٣', '73'],
  ])('the history filter %j asks for %j', (typed, asked) => {
    expect(historyPhoneFilter(typed, 'CO')).toBe(asked);
  });
});
