import { describe, expect, it } from 'vitest';
import {
  INSTANT_FORMAT_MESSAGE,
  INSTANT_NO_OFFSET_MESSAGE,
  instantSchema,
  queryInstantSchema,
} from './instant.schema.js';

describe('instantSchema', () => {
  it('reads a time that stops at the minutes as the same time with zero seconds', () => {
    // Java's OffsetDateTime.toString() writes `…T09:00Z` when the seconds are zero; it was refused.
    expect(instantSchema.parse('2026-12-01T09:00Z')).toBe('2026-12-01T09:00:00Z');
    expect(instantSchema.parse('2026-12-01T09:30+05:45')).toBe('2026-12-01T09:30:00+05:45');
    expect(new Date(instantSchema.parse('2026-12-01T09:00-03:00')).toISOString()).toBe(
      '2026-12-01T12:00:00.000Z',
    );
    expect(queryInstantSchema.parse('2026-12-01T09:00 02:00')).toBe('2026-12-01T09:00:00+02:00');
  });

  it('keeps every other form as it was, and still refuses what names no instant', () => {
    expect(instantSchema.parse('2026-12-01T09:00:05.250+01:00')).toBe('2026-12-01T09:00:05.250+01:00');
    for (const value of ['2026-12-01T09Z', '2026-12-01 09:00Z', '2026-12-01T9:00Z', 'T09:00Z', 'tomorrow']) {
      const parsed = instantSchema.safeParse(value);
      expect(parsed.success, value).toBe(false);
      expect(
        parsed.error?.issues.map((i) => i.message),
        value,
      ).toEqual([INSTANT_FORMAT_MESSAGE]);
    }
  });

  it('says what is missing from a date and time written without its offset', () => {
    // Python's isoformat() of a naive datetime writes this; "Invalid ISO datetime" did not say why.
    for (const value of ['2026-12-01T09:00', '2026-12-01T09:00:00', '2026-12-01T09:00:00.123']) {
      const parsed = instantSchema.safeParse(value);
      expect(parsed.success, value).toBe(false);
      expect(
        parsed.error?.issues.map((i) => i.message),
        value,
      ).toEqual([INSTANT_NO_OFFSET_MESSAGE]);
    }
    expect(INSTANT_NO_OFFSET_MESSAGE).toMatch(/offset/);
    expect(INSTANT_FORMAT_MESSAGE).not.toBe(INSTANT_NO_OFFSET_MESSAGE);
    expect(instantSchema.safeParse('9999-12-31T23:59-14:00').success).toBe(false);
  });
});
