import { describe, expect, it } from 'vitest';
import { throttledWarning } from './throttled-warning.js';

describe('throttledWarning', () => {
  it('logs a cause once per window, then how many times it repeated', () => {
    const lines: [Record<string, unknown>, string][] = [];
    let clock = 0;
    const warn = throttledWarning(
      { warn: ((o: Record<string, unknown>, m: string) => lines.push([o, m])) as never },
      'send worker error',
      30_000,
      () => clock,
    );
    for (let i = 0; i < 200; i++) {
      warn(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
      clock += 140; // about 7 a second, for 28 s
    }
    expect(lines).toEqual([[{ err: 'connect ECONNREFUSED 127.0.0.1:6379' }, 'send worker error']]);
    clock = 31_000;
    warn(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    warn(new Error('another cause'));
    expect(lines.slice(1)).toEqual([
      [{ err: 'connect ECONNREFUSED 127.0.0.1:6379', repeats: 199 }, 'send worker error (repeated)'],
      [{ err: 'connect ECONNREFUSED 127.0.0.1:6379' }, 'send worker error'],
      [{ err: 'another cause' }, 'send worker error'],
    ]);
  });
});
