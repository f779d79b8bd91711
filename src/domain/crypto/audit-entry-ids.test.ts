import { describe, expect, it } from 'vitest';
import { AuditEntryIds, MAX_AUDIT_ENTRY_ID } from './audit-entry-ids.js';

const ids = new AuditEntryIds('a-secret-of-at-least-thirty-two-characters');
const ana = '6f1c1f50-8a3e-4d1e-9a39-4b0f1f6f2a11';
const bea = '0b8e3c6d-2f71-4c55-8d0e-7a9f0c3e5b22';

describe('the audit entry ids an advisor sees', () => {
  it('reads back to the entry id, at the ends of the range and between', () => {
    for (const id of [
      1,
      2,
      3,
      1_000,
      123_456_789,
      2 ** 31,
      2 ** 40 + 7,
      MAX_AUDIT_ENTRY_ID - 1,
      MAX_AUDIT_ENTRY_ID,
    ]) {
      const shown = ids.of(ana).shown(id);
      expect(shown).toBeGreaterThanOrEqual(1);
      expect(shown).toBeLessThanOrEqual(MAX_AUDIT_ENTRY_ID);
      expect(ids.of(ana).entryId(shown)).toBe(id);
    }
  });

  it('gives distinct ids to distinct entries', () => {
    const shown = new Set(Array.from({ length: 20_000 }, (_, i) => ids.of(ana).shown(i + 1)));
    expect(shown.size).toBe(20_000);
  });

  it('tells nothing of the entries written in between: consecutive ids are not shown close together', () => {
    const gaps = Array.from({ length: 1_000 }, (_, i) =>
      Math.abs(ids.of(ana).shown(i + 2) - ids.of(ana).shown(i + 1)),
    );
    // Uniform over 2^52, a gap under 2^40 has a chance of 1 in 4,096; 1,000 of them: none expected.
    expect(gaps.filter((gap) => gap < 2 ** 40).length).toBeLessThan(5);
  });

  it('shows each advisor the same entry id as another number', () => {
    const same = Array.from({ length: 100 }, (_, i) => i + 1).filter(
      (id) => ids.of(ana).shown(id) === ids.of(bea).shown(id),
    );
    expect(same).toEqual([]);
    // Read with the wrong advisor, a shown id names another entry.
    expect(ids.of(bea).entryId(ids.of(ana).shown(42))).not.toBe(42);
  });

  it('depends on the secret', () => {
    const other = new AuditEntryIds('another-secret-of-at-least-thirty-two-chars');
    expect(other.of(ana).shown(42)).not.toBe(ids.of(ana).shown(42));
    expect(new AuditEntryIds('a-secret-of-at-least-thirty-two-characters').of(ana).shown(42)).toBe(
      ids.of(ana).shown(42),
    );
  });

  it('names no entry for a number outside the range', () => {
    for (const shown of [0, -1, 1.5, MAX_AUDIT_ENTRY_ID + 1, Number.MAX_SAFE_INTEGER, Number.NaN]) {
      expect(ids.of(ana).entryId(shown)).toBeNull();
    }
    expect(() => ids.of(ana).shown(0)).toThrow(RangeError);
    expect(() => ids.of(ana).shown(MAX_AUDIT_ENTRY_ID + 1)).toThrow(RangeError);
  });
});
