import { describe, expect, it } from 'vitest';
import { niceMax } from './chart-parts';

describe('niceMax', () => {
  it('tops the value axis at a count whose half, the middle gridline, is a whole number too', () => {
    // The frame labels its gridlines at 0, half and the top with whole numbers: a top of 5 put the
    // middle line at 2.5 and labelled it "3", so a day with 3 messages drew above the line "3".
    for (let value = 0; value <= 2_000; value++) {
      const top = niceMax(value);
      expect(top, `top for ${value}`).toBeGreaterThanOrEqual(value);
      expect(Number.isInteger(top / 2), `half of ${top} (for ${value})`).toBe(true);
    }
  });

  it('keeps the tallest mark above half the height', () => {
    for (let value = 5; value <= 2_000; value++)
      expect(niceMax(value), `top for ${value}`).toBeLessThan(2 * value);
  });
});
