// Pacing settings: the warm-up schedule, the server bounds on an advisor's change, and what
// `auto` means.
import { describe, expect, it } from 'vitest';
import { readSettings, storedSettingsAfter, type SettingsBounds } from './advisor-settings.js';
import { DAY_MS, dailyCapAt, FALLBACK_PACING_BOUNDS, isPacingOn } from './pacing-settings.js';

const bounds: SettingsBounds = {
  rateLimit: { max: 50, durationMs: 60_000, maxCeiling: 200 },
  pacing: { ...FALLBACK_PACING_BOUNDS, defaultOn: true },
};
const settings = () => readSettings({}, bounds);

describe('warm-up', () => {
  const pacing = { ...settings().pacing, dailyCap: 300, warmupDays: 7, warmupStartCap: 20 };
  const connectedAt = new Date('2026-01-01T10:00:00Z');
  const capOnDay = (day: number) => dailyCapAt(pacing, connectedAt, connectedAt.getTime() + day * DAY_MS);

  it('starts low and grows day by day to the daily cap', () => {
    const caps = [0, 1, 2, 3, 4, 5, 6, 7, 30].map(capOnDay);
    expect(caps).toEqual([20, 60, 100, 140, 180, 220, 260, 300, 300]);
  });

  it('does not apply to an unknown connection time or with no warm-up days', () => {
    expect(dailyCapAt(pacing, null, Date.now())).toBe(300);
    expect(dailyCapAt({ ...pacing, warmupDays: 0 }, connectedAt, connectedAt.getTime())).toBe(300);
  });
});

describe('advisor changes within the server bounds', () => {
  const reject = (pacing: Record<string, unknown>) => {
    try {
      storedSettingsAfter({}, { pacing }, bounds);
    } catch (err) {
      return (err as { details: { fields: { field: string }[] } }).details.fields.map((f) => f.field);
    }
    throw new Error('accepted');
  };

  it('merges a partial change over the current pacing', () => {
    const stored = storedSettingsAfter(
      { pacing: { dailyCap: 250 } },
      { pacing: { minGapMs: 5_000, hourlyCap: 30 } },
      bounds,
    );
    expect(stored).toEqual({ pacing: { dailyCap: 250, minGapMs: 5_000, hourlyCap: 30 } });
    expect(readSettings(stored, bounds).pacing).toMatchObject({
      minGapMs: 5_000,
      maxGapMs: 8_000,
      hourlyCap: 30,
      dailyCap: 250,
    });
  });

  it('refuses values past the bounds and inconsistent pairs, naming the field', () => {
    expect(reject({ minGapMs: 500 })).toEqual(['settings.pacing.minGapMs']);
    expect(reject({ hourlyCap: 201 })).toEqual(['settings.pacing.hourlyCap']);
    expect(reject({ dailyCap: 1_001 })).toEqual(['settings.pacing.dailyCap']);
    expect(reject({ warmupStartCap: 400 })).toEqual(['settings.pacing.warmupStartCap']);
  });

  it('names a field the change sent when a pair is out of order, with the value it meets', () => {
    // The field sent is named, not its partner the caller never wrote (a default it cannot see).
    expect(reject({ minGapMs: 9_000 })).toEqual(['settings.pacing.minGapMs']);
    expect(reject({ dailyCap: 10 })).toEqual(['settings.pacing.dailyCap']);
    expect(reject({ maxGapMs: 2_000 })).toEqual(['settings.pacing.maxGapMs']);
    expect(reject({ warmupStartCap: 40, dailyCap: 30 })).toEqual(['settings.pacing.dailyCap']);
    expect(reject({ minGapMs: 9_000, maxGapMs: 8_500 })).toEqual(['settings.pacing.maxGapMs']);
    try {
      storedSettingsAfter({}, { pacing: { dailyCap: 10 } }, bounds);
      throw new Error('accepted');
    } catch (err) {
      expect((err as { details: unknown }).details).toEqual({
        fields: [{ field: 'settings.pacing.dailyCap', message: 'must be at least warmupStartCap (20)' }],
      });
    }
    expect(reject({ burst: 1 })).toEqual(['settings.pacing']);
  });

  it('clamps stored values to bounds that were tightened later', () => {
    const stored = { pacing: { minGapMs: 10, hourlyCap: 5_000, dailyCap: 50, warmupStartCap: 90 } };
    expect(readSettings(stored, bounds).pacing).toMatchObject({
      minGapMs: 1_000,
      hourlyCap: 200,
      dailyCap: 50,
      warmupStartCap: 50,
    });
  });
});

describe('on or off', () => {
  it('follows the server default in auto, the advisor otherwise', () => {
    const off = { ...FALLBACK_PACING_BOUNDS, defaultOn: false };
    const on = { ...FALLBACK_PACING_BOUNDS, defaultOn: true };
    const p = settings().pacing;
    expect(p.mode).toBe('auto');
    expect([isPacingOn(p, on), isPacingOn(p, off)]).toEqual([true, false]);
    expect(isPacingOn({ ...p, mode: 'on' }, off)).toBe(true);
    expect(isPacingOn({ ...p, mode: 'off' }, on)).toBe(false);
  });

  it('refuses off, and reads a stored off as auto, where the server forbids it (PACING_ALLOW_OFF)', () => {
    const strictPacing = { ...FALLBACK_PACING_BOUNDS, defaultOn: true, allowOff: false };
    const strict: SettingsBounds = { ...bounds, pacing: strictPacing };
    let fields: { field: string; message: string }[] = [];
    try {
      storedSettingsAfter({}, { pacing: { mode: 'off' } }, strict);
    } catch (err) {
      fields = (err as { details: { fields: typeof fields } }).details.fields;
    }
    expect(fields.map((f) => f.field)).toEqual(['settings.pacing.mode']);
    expect(fields[0]!.message).toContain('PACING_ALLOW_OFF');
    expect(storedSettingsAfter({}, { pacing: { mode: 'on' } }, strict)).toEqual({ pacing: { mode: 'on' } });

    const stored = { pacing: { mode: 'off' } };
    expect(readSettings(stored, strict).pacing.mode).toBe('auto');
    expect(isPacingOn(readSettings(stored, strict).pacing, strictPacing)).toBe(true);
    // Where it is allowed (the default), the advisor's off stands.
    expect(readSettings(stored, bounds).pacing.mode).toBe('off');
  });
});
