import { describe, expect, it } from 'vitest';

import { backoffDelay, retryDelay, UncertainSendError } from './catalogue.js';

const settings = { baseMs: 1_000, maxMs: 8_000, uncertainMs: 60_000 };

describe('backoffDelay', () => {
  it('doubles per attempt up to the ceiling, jittered over its upper half', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, settings, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 8_000,
    ]);
    expect(backoffDelay(3, settings, () => 0)).toBe(2_000);
  });
});

describe('retryDelay', () => {
  it('is the backoff after an ordinary failure', () => {
    expect(retryDelay(2, settings, new Error('gateway_error: 500'), () => 1)).toBe(2_000);
  });

  it('waits at least uncertainMs after an attempt that may have gone out, and longer backoffs still win', () => {
    expect(retryDelay(1, settings, new UncertainSendError('gateway_timeout'), () => 1)).toBe(60_000);
    const long = { ...settings, maxMs: 300_000, baseMs: 100_000 };
    expect(retryDelay(2, long, new UncertainSendError('gateway_timeout'), () => 1)).toBe(200_000);
    expect(retryDelay(1, { ...settings, uncertainMs: 0 }, new UncertainSendError('x'), () => 1)).toBe(1_000);
  });
});
