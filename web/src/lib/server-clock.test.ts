import { afterEach, describe, expect, it, vi } from 'vitest';
import { noteServerDate, serverNow } from './server-clock';

const at = (iso: string) => Date.parse(iso);

describe('serverNow', () => {
  afterEach(() => {
    vi.useRealTimers();
    noteServerDate('Thu, 01 Jan 1970 00:00:00 GMT', 0, 0); // back to no skew
  });

  it('follows a computer clock five minutes fast back to the server time', () => {
    vi.useFakeTimers({ now: at('2026-12-05T10:05:00.200Z') });
    noteServerDate('Sat, 05 Dec 2026 10:00:00 GMT', Date.now() - 100, Date.now());
    expect(serverNow()).toBeGreaterThan(at('2026-12-05T10:00:00.000Z'));
    expect(serverNow()).toBeLessThan(at('2026-12-05T10:00:01.000Z'));
  });

  it('leaves a clock within the rounding of the header alone', () => {
    vi.useFakeTimers({ now: at('2026-12-05T10:00:01.900Z') });
    noteServerDate('Sat, 05 Dec 2026 10:00:00 GMT', Date.now() - 50, Date.now());
    expect(serverNow()).toBe(Date.now());
  });

  it('ignores a slow answer, a missing header and one it cannot read', () => {
    vi.useFakeTimers({ now: at('2026-12-05T10:05:00.000Z') });
    noteServerDate('Sat, 05 Dec 2026 10:00:00 GMT', Date.now() - 5_000, Date.now());
    noteServerDate(null, Date.now() - 10, Date.now());
    noteServerDate('not a date', Date.now() - 10, Date.now());
    expect(serverNow()).toBe(Date.now());
  });
});
