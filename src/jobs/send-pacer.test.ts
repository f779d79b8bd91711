// The pacing scripts against a real Redis: a fresh key prefix per test and an injected `now`,
// so no result depends on the wall clock.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SendPacer, type PacingPlan } from './send-pacer.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
afterAll(async () => {
  await redis.quit();
});

let prefix: string;
beforeEach(() => {
  prefix = `wwt_pace_${randomBytes(5).toString('hex')}`;
});

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const HOUR = 3_600_000;
const DAY = 86_400_000;
const loose: PacingPlan = { minGapMs: 0, maxGapMs: 0, hourlyCap: 1_000, dailyCap: 10_000 };
const pacer = (random = () => 0) => new SendPacer(redis, prefix, random);
const NUMBER = '+34612000001';

/** Reserves messages m0, m1… at `now` and returns the absolute slot times. */
async function reserveMany(p: SendPacer, plan: PacingPlan, n: number, now = T0): Promise<number[]> {
  const slots: number[] = [];
  for (let i = 0; i < n; i++) slots.push(now + (await p.reserve('adv', NUMBER, `m${i}`, plan, now)));
  return slots;
}

describe('SendPacer.reserve', () => {
  it('sends the first message at once and spaces the next ones by the gap', async () => {
    const slots = await reserveMany(pacer(), { ...loose, minGapMs: 3_000, maxGapMs: 3_000 }, 3);
    expect(slots).toEqual([T0, T0 + 3_000, T0 + 6_000]);
  });

  it('draws each gap at random within [minGapMs, maxGapMs]', async () => {
    const draws = [0, 1, 0.5];
    const p = pacer(() => draws.shift() ?? 0);
    const slots = await reserveMany(p, { ...loose, minGapMs: 3_000, maxGapMs: 8_000 }, 3);
    expect(slots).toEqual([T0, T0 + 8_000, T0 + 8_000 + 5_500]);
  });

  it('measures the gap from the last send, not from the request', async () => {
    const p = pacer();
    const plan = { ...loose, minGapMs: 5_000, maxGapMs: 5_000 };
    expect(await p.reserve('adv', NUMBER, 'a', plan, T0)).toBe(0);
    // 2 s later the next one waits the remaining 3 s; 60 s later it goes at once.
    expect(await p.reserve('adv', NUMBER, 'b', plan, T0 + 2_000)).toBe(3_000);
    expect(await p.reserve('adv', NUMBER, 'c', plan, T0 + 60_000)).toBe(0);
  });

  it('never goes before notBefore (the rate limiter slot)', async () => {
    const wait = await pacer().reserve('adv', NUMBER, 'a', loose, T0, T0 + 1_234);
    expect(wait).toBe(1_234);
  });

  it('holds the hourly cap over a sliding hour', async () => {
    const slots = await reserveMany(pacer(), { ...loose, minGapMs: 1_000, maxGapMs: 1_000, hourlyCap: 3 }, 5);
    // Three in the first hour; the 4th waits until the 1st leaves the window, and so on.
    expect(slots).toEqual([T0, T0 + 1_000, T0 + 2_000, T0 + HOUR, T0 + HOUR + 1_000]);
  });

  it('holds the daily cap over a sliding day', async () => {
    const p = pacer();
    const plan = { ...loose, dailyCap: 2 };
    const slots = [
      T0 + (await p.reserve('adv', NUMBER, 'a', plan, T0)),
      T0 + 5 * HOUR + (await p.reserve('adv', NUMBER, 'b', plan, T0 + 5 * HOUR)),
      T0 + 6 * HOUR + (await p.reserve('adv', NUMBER, 'c', plan, T0 + 6 * HOUR)),
    ];
    expect(slots).toEqual([T0, T0 + 5 * HOUR, T0 + DAY]);
  });

  it('counts a message once when it reserves again after an unused slot', async () => {
    const p = pacer();
    const plan = { ...loose, hourlyCap: 2 };
    await p.reserve('adv', NUMBER, 'a', plan, T0);
    // `a` was paused and reserves again: it moves, it does not take a second place.
    await p.reserve('adv', NUMBER, 'a', plan, T0 + 10);
    expect(await p.reserve('adv', NUMBER, 'b', plan, T0 + 20)).toBe(0);
    expect(await p.reserve('adv', NUMBER, 'c', plan, T0 + 30)).toBeGreaterThan(0);
  });

  it('keeps advisors apart and shares one advisor between processes', async () => {
    const plan = { ...loose, minGapMs: 4_000, maxGapMs: 4_000 };
    const other = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const a = pacer();
      const b = new SendPacer(other, prefix, () => 0);
      expect(await a.reserve('ana', NUMBER, 'm1', plan, T0)).toBe(0);
      expect(await b.reserve('bea', NUMBER, 'm2', plan, T0)).toBe(0);
      // Another worker process, same advisor: it sees Ana's last send.
      expect(await b.reserve('ana', NUMBER, 'm3', plan, T0)).toBe(4_000);
    } finally {
      await other.quit();
    }
  });

  it("counts each number's sends apart: a number linked later starts with none counted", async () => {
    const p = pacer();
    const plan = { ...loose, dailyCap: 1 };
    expect(await p.reserve('adv', NUMBER, 'a', plan, T0)).toBe(0);
    expect(await p.reserve('adv', '+34612000002', 'b', plan, T0 + 10)).toBe(0);
    // The first number, linked again, still has its day counted.
    expect(await p.reserve('adv', NUMBER, 'c', plan, T0 + 20)).toBe(DAY - 20);
  });

  it("takes over the advisor's set from before the sets were per number", async () => {
    const plan = { ...loose, dailyCap: 1 };
    await redis.zadd(`${prefix}:pace:{adv}:slots`, T0, 'old');
    expect(await pacer().reserve('adv', NUMBER, 'a', plan, T0 + 10)).toBe(DAY - 10);
    expect(await redis.exists(`${prefix}:pace:{adv}:slots`)).toBe(0);
  });

  it('gives back the slots still ahead of a batch held by a cap, so the batch lays out afresh', async () => {
    const p = pacer();
    const held = { ...loose, minGapMs: 1_000, maxGapMs: 1_000, hourlyCap: 1 };
    // m0 goes now; m1 and m2 wait an hour and two.
    expect(await reserveMany(p, held, 3)).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR]);
    // The cap lifted: given back, both go a gap apart; kept, m1 reserving anew went after m2.
    expect(await p.giveBackAhead('adv', NUMBER, 'm0', T0 + 100)).toBe(false);
    expect(await p.giveBackAhead('adv', NUMBER, 'm1', T0 + 100)).toBe(true);
    expect(await p.giveBackAhead('adv', NUMBER, 'm2', T0 + 100)).toBe(true);
    const lifted = { ...held, hourlyCap: 60 };
    expect(await p.reserve('adv', NUMBER, 'm1', lifted, T0 + 200)).toBe(800);
    expect(await p.reserve('adv', NUMBER, 'm2', lifted, T0 + 200)).toBe(1_800);
  });

  it('never gives back a slot within the margin of now (its job may be sending)', async () => {
    const p = pacer();
    await reserveMany(p, { ...loose, minGapMs: 1_000, maxGapMs: 1_000 }, 2);
    expect(await p.giveBackAhead('adv', NUMBER, 'm1', T0 + 900)).toBe(false);
    expect(await p.slotOf('adv', NUMBER, 'm1')).toBe(T0 + 1_000);
    expect(await p.giveBackAhead('adv', NUMBER, 'unknown', T0)).toBe(false);
  });

  it('keeps its state under the prefix with the advisor as hash tag, expiring', async () => {
    await pacer().reserve('adv-1', NUMBER, 'a', loose, Date.now());
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toEqual([`${prefix}:pace:{adv-1}:slots:${NUMBER}`]);
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
  });
});

describe('SendPacer: a time-critical message first in line', () => {
  const gapped = { ...loose, minGapMs: 1_000, maxGapMs: 1_000 };
  const slotsOf = async (...ids: string[]) =>
    Promise.all(ids.map(async (id) => (await pacer().slotOf('adv', NUMBER, id))! - T0));

  it('takes the earliest slot still ahead; each message it passes moves one slot back', async () => {
    const p = pacer();
    // m0 goes now; m1..m4 wait for 1 s .. 4 s.
    await reserveMany(p, gapped, 5);
    expect(await p.reserve('adv', NUMBER, 'urgent', gapped, T0 + 10, T0 + 10, true)).toBe(990);
    expect(await slotsOf('urgent', 'm1', 'm2', 'm3', 'm4')).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    // The slot of the message already sending (m0, now) is not touched.
    expect(await slotsOf('m0')).toEqual([0]);
  });

  it('keeps time-critical messages in their own order', async () => {
    const p = pacer();
    await reserveMany(p, gapped, 4);
    await p.reserve('adv', NUMBER, 'first', gapped, T0 + 10, T0 + 10, true);
    await p.reserve('adv', NUMBER, 'second', gapped, T0 + 20, T0 + 20, true);
    expect(await slotsOf('first', 'second', 'm1', 'm2', 'm3')).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
  });

  it('keeps the caps: the slots are the ones the caps laid out, only their holders change', async () => {
    const p = pacer();
    const capped = { ...gapped, hourlyCap: 3 };
    await reserveMany(p, capped, 4); // 0, 1 s, 2 s, then an hour after the first
    await p.reserve('adv', NUMBER, 'urgent', capped, T0 + 10, T0 + 10, true);
    expect(await slotsOf('urgent', 'm1', 'm2', 'm3')).toEqual([1_000, 2_000, HOUR, HOUR + 1_000]);
  });

  it('never takes a slot before notBefore (its rate-limit slot) nor within the margin of now', async () => {
    const p = pacer();
    await reserveMany(p, gapped, 5);
    expect(await p.reserve('adv', NUMBER, 'late', gapped, T0 + 10, T0 + 2_500, true)).toBe(2_990);
    expect(await slotsOf('m1', 'm2', 'late', 'm3', 'm4')).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    // 900 ms on, m1's slot is 100 ms away: its job may be sending; the next one is taken.
    expect(await p.reserve('adv', NUMBER, 'soon', gapped, T0 + 900, T0 + 900, true)).toBe(4_000 - 900);
  });

  it('waits its normal turn when nothing is ahead', async () => {
    const p = pacer();
    expect(await p.reserve('adv', NUMBER, 'urgent', gapped, T0, T0, true)).toBe(0);
    expect(await p.reserve('adv', NUMBER, 'next', gapped, T0, T0, true)).toBe(1_000);
  });

  it('moves a long line in one step', async () => {
    const p = pacer();
    const many = 2_500; // more than one ZADD's worth of moves
    const members: (string | number)[] = [];
    for (let i = 1; i <= many; i++) members.push(T0 + i * 1_000, `b${i}`);
    await redis.zadd(`${prefix}:pace:{adv}:slots:${NUMBER}`, ...members);
    const uncapped = { ...gapped, hourlyCap: 10_000, dailyCap: 100_000 };
    expect(await p.reserve('adv', NUMBER, 'urgent', uncapped, T0, T0, true)).toBe(1_000);
    expect(await slotsOf('b1', `b${many}`)).toEqual([2_000, (many + 1) * 1_000]);
  });
});

describe('SendPacer.recordFailure', () => {
  const burst = { threshold: 3, windowMs: 10 * 60_000 };

  it('trips once when the threshold is reached within the window', async () => {
    const p = pacer();
    expect(await p.recordFailure('adv', 'f1', burst, T0)).toBe(false);
    expect(await p.recordFailure('adv', 'f2', burst, T0 + 60_000)).toBe(false);
    expect(await p.recordFailure('adv', 'f3', burst, T0 + 120_000)).toBe(true);
    // The burst was consumed: the next failures start a new count.
    expect(await p.recordFailure('adv', 'f4', burst, T0 + 130_000)).toBe(false);
    expect(await p.recordFailure('adv', 'f5', burst, T0 + 140_000)).toBe(false);
  });

  it('forgets failures older than the window', async () => {
    const p = pacer();
    await p.recordFailure('adv', 'f1', burst, T0);
    await p.recordFailure('adv', 'f2', burst, T0 + 60_000);
    // f1 has left the 10-minute window, so f3 is only the second of the burst.
    expect(await p.recordFailure('adv', 'f3', burst, T0 + 10 * 60_000 + 30_000)).toBe(false);
    expect(await p.recordFailure('adv', 'f4', burst, T0 + 10 * 60_000 + 40_000)).toBe(true);
  });

  it('counts the same attempt once and each advisor apart', async () => {
    const p = pacer();
    await p.recordFailure('adv', 'same', burst, T0);
    await p.recordFailure('adv', 'same', burst, T0 + 1);
    await p.recordFailure('other', 'x', burst, T0 + 2);
    expect(await p.recordFailure('adv', 'next', burst, T0 + 3)).toBe(false);
  });
});
