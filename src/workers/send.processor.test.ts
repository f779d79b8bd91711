import { describe, expect, it } from 'vitest';
import { defaultPacing, FALLBACK_PACING_BOUNDS } from '../domain/instances/pacing-settings.js';
import { staleSlotAfterMs } from './send.processor.js';

const pacing = { ...defaultPacing(FALLBACK_PACING_BOUNDS), mode: 'on' as const }; // 3–8 s gap

describe('staleSlotAfterMs', () => {
  it('is the limiter’s burst tolerance without pacing', () => {
    expect(staleSlotAfterMs({ max: 50, durationMs: 60_000 }, null)).toBe(58_800);
    expect(staleSlotAfterMs({ max: 2, durationMs: 10_000 }, null)).toBe(5_000);
  });

  it('is at most half the minimum pacing gap with pacing on', () => {
    expect(staleSlotAfterMs({ max: 50, durationMs: 60_000 }, pacing)).toBe(1_500);
    expect(staleSlotAfterMs({ max: 2, durationMs: 2_000 }, pacing)).toBe(1_000);
  });

  it('never drops to scheduling jitter', () => {
    expect(staleSlotAfterMs({ max: 1, durationMs: 10_000 }, null)).toBe(250);
    expect(staleSlotAfterMs({ max: 100_000, durationMs: 1_000 }, null)).toBeCloseTo(999.99);
    expect(staleSlotAfterMs({ max: 1, durationMs: 1_000 }, { ...pacing, minGapMs: 0 })).toBe(250);
  });
});
