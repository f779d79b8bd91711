import { describe, expect, it } from 'vitest';
import { initials } from './format';

const wellFormed = (s: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('initials', () => {
  it('takes the first letter of the first and last words', () => {
    expect(initials('lucía pérez')).toBe('LP');
    expect(initials('  Ana  ')).toBe('A');
    expect(initials('')).toBe('·');
    expect(initials(null)).toBe('·');
  });

  it('never cuts an emoji in half', () => {
    for (const name of ['Lucía 🌿', '🌿 Lucía', 'Marta 👩🏽‍⚕️', 'Jorge 🇪🇸']) {
      const got = initials(name);
      expect(wellFormed(got), `${name} → ${JSON.stringify(got)}`).toBe(true);
    }
    expect(initials('Lucía 🌿')).toBe('L🌿');
    expect(initials('Marta 👩🏽‍⚕️')).toBe('M👩🏽‍⚕️');
  });
});
