import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { callingCodePrefix, checkPhoneInput, examplePhone } from './phone-input';

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
