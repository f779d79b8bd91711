import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogBudget } from './log-budget.js';

type Line = [Record<string, unknown>, string];

function budgetWithClock(perWindow: number, windowMs: number) {
  const lines: Line[] = [];
  const clock = { at: 0 };
  const budget = new LogBudget(
    { warn: ((o: Record<string, unknown>, m: string) => lines.push([o, m])) as never },
    'webhook rejected',
    { perWindow, windowMs },
    () => clock.at,
  );
  const reject = (kind: string, n: number) => {
    for (let i = 0; i < n; i++) budget.spend(kind, () => lines.push([{ kind }, 'webhook rejected']));
  };
  return { lines, clock, budget, reject };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LogBudget', () => {
  it('logs the first lines of a window in full and only counts the rest, by kind', () => {
    const { lines, clock, reject } = budgetWithClock(3, 10_000);
    reject('unknown_instance', 2);
    reject('bad_signature', 500);
    reject('unknown_instance', 100);
    expect(lines).toEqual([
      [{ kind: 'unknown_instance' }, 'webhook rejected'],
      [{ kind: 'unknown_instance' }, 'webhook rejected'],
      [{ kind: 'bad_signature' }, 'webhook rejected'],
    ]);

    // The next window starts with the count of what the last one left out, then logs again.
    clock.at = 10_000;
    reject('bad_signature', 1);
    expect(lines.slice(3)).toEqual([
      [
        { notLogged: 599, byKind: { bad_signature: 499, unknown_instance: 100 }, windowMs: 10_000 },
        'webhook rejected: 599 more not logged one by one',
      ],
      [{ kind: 'bad_signature' }, 'webhook rejected'],
    ]);
  });

  it('says how many it left out when the window ends, even if nothing comes after', () => {
    vi.useFakeTimers();
    const lines: Line[] = [];
    const budget = new LogBudget(
      { warn: ((o: Record<string, unknown>, m: string) => lines.push([o, m])) as never },
      'webhook rejected',
      { perWindow: 1, windowMs: 5_000 },
    );
    for (let i = 0; i < 4; i++) budget.spend('unknown_instance', () => lines.push([{}, 'one']));
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(5_000);
    expect(lines[1]).toEqual([
      { notLogged: 3, byKind: { unknown_instance: 3 }, windowMs: 5_000 },
      'webhook rejected: 3 more not logged one by one',
    ]);
    // Nothing is repeated later.
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
  });
});
