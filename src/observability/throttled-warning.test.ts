import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttledWarning } from './throttled-warning.js';

const REFUSED = 'connect ECONNREFUSED 127.0.0.1:6379';

describe('throttledWarning', () => {
  let lines: [Record<string, unknown>, string][];
  let warn: (err: Error) => void;
  beforeEach(() => {
    vi.useFakeTimers();
    lines = [];
    warn = throttledWarning(
      { warn: ((o: Record<string, unknown>, m: string) => lines.push([o, m])) as never },
      'send worker error',
      30_000,
    );
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs a cause once per window, then how many times it repeated', () => {
    for (let i = 0; i < 200; i++) {
      warn(new Error(REFUSED));
      vi.advanceTimersByTime(140); // about 7 a second, for 28 s
    }
    expect(lines).toEqual([[{ err: REFUSED }, 'send worker error']]);
    vi.advanceTimersByTime(3_000);
    warn(new Error(REFUSED));
    warn(new Error('another cause'));
    expect(lines.slice(1)).toEqual([
      [{ err: REFUSED, repeats: 199 }, 'send worker error (repeated)'],
      [{ err: REFUSED }, 'send worker error'],
      [{ err: 'another cause' }, 'send worker error'],
    ]);
  });

  it('says how many times it repeated when the window ends, even if the cause has stopped', () => {
    // The outage ends within the window: no later error comes to carry the count.
    for (let i = 0; i < 50; i++) warn(new Error(REFUSED));
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(30_000);
    expect(lines).toEqual([
      [{ err: REFUSED }, 'send worker error'],
      [{ err: REFUSED, repeats: 49 }, 'send worker error (repeated)'],
    ]);
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(2);
  });

  it('throttles two causes that alternate, each on its own', () => {
    for (let i = 0; i < 100; i++) {
      warn(new Error(REFUSED));
      warn(new Error('Connection is closed.'));
      vi.advanceTimersByTime(100);
    }
    expect(lines).toEqual([
      [{ err: REFUSED }, 'send worker error'],
      [{ err: 'Connection is closed.' }, 'send worker error'],
    ]);
    vi.advanceTimersByTime(30_000);
    expect(lines.slice(2)).toEqual([
      [{ err: REFUSED, repeats: 99 }, 'send worker error (repeated)'],
      [{ err: 'Connection is closed.', repeats: 99 }, 'send worker error (repeated)'],
    ]);
  });
});
