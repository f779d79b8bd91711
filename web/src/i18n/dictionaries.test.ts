import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { es, type MessageKey } from './es';
import { pt } from './pt';

// The types hold the keys; only a test holds the placeholders: a translated `{count}` would show
// as "{contagem}" on screen, and a dropped one would hide the value.

// Texts that also show the `{variable}` syntax itself, with an example word each language picks:
// only the placeholders listed here are filled.
const FILLED: Partial<Record<MessageKey, readonly string[]>> = {
  'tpl.malformed': ['list'],
};

function placeholders(key: MessageKey, text: string): string {
  const names = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  const filled = FILLED[key];
  return names
    .filter((name) => !filled || filled.includes(name))
    .sort()
    .join();
}

describe.each([
  ['en', en],
  ['pt', pt],
] as const)('the %s dictionary', (_, dict) => {
  it("has exactly Spanish's keys", () => {
    expect(Object.keys(dict).sort()).toEqual(Object.keys(es).sort());
  });

  it('keeps every placeholder of each Spanish text, and adds none', () => {
    const keys = Object.keys(es) as MessageKey[];
    const differing = keys.filter((key) => placeholders(key, es[key]) !== placeholders(key, dict[key]));
    expect(differing).toEqual([]);
  });

  it('leaves no text empty', () => {
    expect(Object.entries(dict).filter(([, text]) => !text.trim())).toEqual([]);
  });
});

// The phone numbers the dashboard shows as examples (placeholders, the simulator's client) are of
// the country its readers are in: the Portuguese one showed Spanish numbers to Brazilians. English
// keeps Spain's, the platform's first market, as its hint does.
describe.each([
  ['es', es, 'ES'],
  ['en', en, 'ES'],
  ['pt', pt, 'BR'],
] as const)('the %s phone examples', (_, dict, country: CountryCode) => {
  it.each(['wa.phoneLinkPlaceholder', 'sandbox.defaultFrom'] as const)(
    '%s is a number of its country',
    (key) => {
      const number = parsePhoneNumberFromString(dict[key]);
      expect(number?.country).toBe(country);
      expect(number?.isValid()).toBe(true);
    },
  );

  it('send.toPlaceholder is a national number of its country', () => {
    expect(parsePhoneNumberFromString(dict['send.toPlaceholder'], country)?.isValid()).toBe(true);
  });

  it("msg.phonePlaceholder starts with its country's calling code", () => {
    const code = parsePhoneNumberFromString(dict['wa.phoneLinkPlaceholder'])?.countryCallingCode;
    expect(dict['msg.phonePlaceholder']).toBe(`+${code}…`);
  });
});
