// The rate limiter's script against a real Redis: a fresh key prefix per test and an injected
// `now`, so no result depends on the wall clock.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SendRateLimiter, type RateLimit } from './send-rate-limiter.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

let limiter: SendRateLimiter;
beforeEach(() => {
  const prefix = `wwt_rate_${randomBytes(5).toString('hex')}`;
  prefixes.push(prefix);
  limiter = new SendRateLimiter(redis, prefix);
});

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const DAY = 86_400_000;

/** How many of `n` reservations at `now` may go at once. */
async function immediate(limit: RateLimit, n: number, now = T0, advisor = 'adv'): Promise<number> {
  let count = 0;
  for (let i = 0; i < n; i++) if ((await limiter.reserve(advisor, limit, now)) === 0) count++;
  return count;
}

describe('SendRateLimiter', () => {
  it('lets a burst of `max` go, then spaces the rest one interval apart', async () => {
    const limit = { max: 10, durationMs: 60_000 };
    expect(await immediate(limit, 10)).toBe(10);
    expect(await limiter.reserve('adv', limit, T0)).toBe(6_000);
    expect(await limiter.reserve('adv', limit, T0)).toBe(12_000);
  });

  it('keeps each advisor apart', async () => {
    const limit = { max: 3, durationMs: 60_000 };
    expect(await immediate(limit, 5, T0, 'ana')).toBe(3);
    expect(await immediate(limit, 5, T0, 'bea')).toBe(3);
  });

  it('gives no new burst when the limit changes: ten changes in a row still allow one burst', async () => {
    let allowed = 0;
    for (let i = 0; i < 10; i++) allowed += await immediate({ max: 200, durationMs: 1_000 + i }, 200);
    expect(allowed).toBe(200);
  });

  it('does not keep a wait booked under a lower limit once the limit is raised', async () => {
    const daily = { max: 1, durationMs: DAY };
    expect(await limiter.reserve('adv', daily, T0)).toBe(0);
    expect(await limiter.reserve('adv', daily, T0)).toBe(DAY);
    // Raised to 60 a minute: the next send waits at most about one new interval, not the day.
    const wait = await limiter.reserve('adv', { max: 60, durationMs: 60_000 }, T0);
    expect(wait).toBeLessThanOrEqual(1_000);
  });

  it('keeps its state while the slots it handed out are still ahead', async () => {
    // A batch of 100 at one a second holds slots up to 100 s ahead, and waiting jobs do not come
    // back to the limiter. Forgotten after two windows and a minute (64 s), the next message
    // started a fresh burst while the batch was still sending.
    const limit = { max: 2, durationMs: 2_000 };
    const last = Math.max(
      ...(await Promise.all(Array.from({ length: 100 }, () => limiter.reserve('adv', limit, Date.now())))),
    );
    expect(await redis.pttl(`${prefixes.at(-1)}:rate:{adv}`)).toBeGreaterThan(last + limit.durationMs);
  });

  it('applies a lowered limit from the sends already made', async () => {
    expect(await immediate({ max: 100, durationMs: 60_000 }, 50)).toBe(50);
    // Lowered to 10 a minute: the 50 just sent are over it, so the next one waits.
    expect(await limiter.reserve('adv', { max: 10, durationMs: 60_000 }, T0)).toBeGreaterThan(0);
  });
});

describe('SendRateLimiter: a time-critical message first in line', () => {
  const limit = { max: 2, durationMs: 2_000 }; // a burst of 2, then one a second
  const reserveMany = async (n: number) => {
    for (let i = 0; i < n; i++) await limiter.reserve('adv', limit, T0, `m${i}`);
  };
  const slotsOf = (...ids: string[]) =>
    Promise.all(ids.map(async (id) => ((await limiter.slotOf('adv', id)) ?? T0) - T0));

  it('takes the earliest slot a message waits for; the ones it passes move one slot back', async () => {
    await reserveMany(5); // m0, m1 now; m2..m4 at 1, 2, 3 s
    expect(await slotsOf('m0', 'm1', 'm2', 'm3', 'm4')).toEqual([0, 0, 1_000, 2_000, 3_000]);
    expect(await limiter.reserve('adv', limit, T0 + 10, 'urgent', true)).toBe(990);
    expect(await slotsOf('urgent', 'm2', 'm3', 'm4')).toEqual([1_000, 2_000, 3_000, 4_000]);
    // The next message, time-critical or not, still gets the slot after the last.
    expect(await limiter.reserve('adv', limit, T0 + 10, 'later')).toBe(4_990);
  });

  it('keeps time-critical messages in their own order', async () => {
    await reserveMany(4);
    await limiter.reserve('adv', limit, T0 + 10, 'first', true);
    await limiter.reserve('adv', limit, T0 + 20, 'second', true);
    expect(await slotsOf('first', 'second', 'm2', 'm3')).toEqual([1_000, 2_000, 3_000, 4_000]);
  });

  it('keeps time-critical messages in their own order when the interval is not a whole ms', async () => {
    // Three per 10 s: the slots are 3,333.33… ms apart. Lua's tostring keeps 14 digits, so a front
    // kept as text fell a fraction of a ms before the slot it stands for, and the next
    // time-critical message took that slot, passing the one that held it.
    const thirds = { max: 3, durationMs: 10_000 };
    for (let i = 0; i < 6; i++) await limiter.reserve('adv', thirds, T0, `m${i}`);
    await limiter.reserve('adv', thirds, T0 + 10, 'first', true);
    await limiter.reserve('adv', thirds, T0 + 20, 'second', true);
    const [first, second, m3] = (await slotsOf('first', 'second', 'm3')).map(Math.round);
    expect([first, second, m3]).toEqual([3_333, 6_667, 10_000]);
  });

  it('after a limit is raised, the next time-critical message still goes ahead of the batch', async () => {
    // One a day: m1 waits a day, and the confirmation c takes that slot (the line's front).
    const daily = { max: 1, durationMs: DAY };
    await limiter.reserve('adv', daily, T0, 'm0');
    await limiter.reserve('adv', daily, T0, 'm1');
    await limiter.reserve('adv', daily, T0, 'c', true);
    expect(await slotsOf('c', 'm1')).toEqual([DAY, 2 * DAY]);
    // The advisor raises it to one a second: the waiting jobs reserve again (their rules changed),
    // then a batch is sent and another confirmation d is booked.
    const now = T0 + 1_000;
    const second = { max: 1, durationMs: 1_000 };
    await limiter.reserve('adv', second, now, 'c', true);
    await limiter.reserve('adv', second, now, 'm1');
    for (let i = 0; i < 3; i++) await limiter.reserve('adv', second, now, `b${i}`);
    await limiter.reserve('adv', second, now, 'd', true);
    // d goes right after c, not after the batch: the front is c, wherever its slot now is, not
    // the slot a day away it held under the old limit.
    expect(await slotsOf('c', 'd', 'm1', 'b0', 'b1', 'b2')).toEqual([
      2_000, 3_000, 4_000, 5_000, 6_000, 7_000,
    ]);
  });

  it('after a limit is raised, passes over a front cancelled while it held a slot a day away', async () => {
    const daily = { max: 1, durationMs: DAY };
    await limiter.reserve('adv', daily, T0, 'm0');
    await limiter.reserve('adv', daily, T0, 'm1');
    await limiter.reserve('adv', daily, T0, 'c', true);
    // c's appointment is cancelled (its job goes; its place in the line stays), then the limit
    // is raised: m1 reserves anew, a batch is sent, another confirmation d is booked.
    const now = T0 + 1_000;
    const second = { max: 1, durationMs: 1_000 };
    await limiter.reserve('adv', second, now, 'm1');
    for (let i = 0; i < 3; i++) await limiter.reserve('adv', second, now, `b${i}`);
    await limiter.reserve('adv', second, now, 'd', true);
    expect(await slotsOf('d', 'm1', 'b0', 'b1', 'b2')).toEqual([2_000, 3_000, 4_000, 5_000, 6_000]);
  });

  it('goes at once, like any message, when nothing waits', async () => {
    expect(await limiter.reserve('adv', limit, T0, 'urgent', true)).toBe(0);
    expect(await limiter.slotOf('adv', 'urgent')).toBeNull();
  });

  it('keeps no line for a reservation without a message id', async () => {
    await reserveMany(0);
    expect(await limiter.reserve('adv', { max: 1, durationMs: 1_000 }, T0)).toBe(0);
    expect(await limiter.reserve('adv', { max: 1, durationMs: 1_000 }, T0)).toBe(1_000);
    expect(await redis.keys(`${prefixes.at(-1)}:*line*`)).toEqual([]);
  });
});
