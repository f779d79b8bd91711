// Account-safety pacing per advisor number, shared by every worker process (state in Redis, one
// Lua script per decision so concurrent workers cannot interleave). WhatsApp bans numbers that
// send like bots: bursts, round-the-clock volume, a new number sending hundreds on day one, and
// sends that keep failing. So each send reserves a slot that is at least a random gap after the
// previous one and keeps the number under its hourly and daily caps (sliding windows), and a
// burst of failures trips a pause. Like the GCRA limiter, a job over the limits reserves its
// future slot and is delayed until then: never failed, and re-checked only when its slot went
// stale (the workers were down past it). A time-critical message takes the front slot of the
// line instead (slot-line.ts). See ARCHITECTURE.md.
import type { Redis } from 'ioredis';
import { luaScript, type LuaScript } from './lua-script.js';
import { FRONT_MARGIN_MS, TAKE_FRONT_LUA } from './slot-line.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

// KEYS[1] = sorted set of the number's reserved send times (score) by message id (member);
// KEYS[2] = the advisor's set from before the sets were per number, taken over by the first
// reservation after an upgrade (so its sends keep counting), or KEYS[1] itself; KEYS[3] = the
// front of the line (slot-line.ts).
// ARGV: now, notBefore, gap, hourlyCap, dailyCap, messageId, '1' to take the front, front margin.
// Reservations only ever go after the latest one, so the set is ordered by time and the caps
// reduce to one look-up each: the cap-th most recent slot must have left the window.
const RESERVE = `${TAKE_FRONT_LUA}
if KEYS[2] ~= KEYS[1] and redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[1])
end
local now = tonumber(ARGV[1])
local t = tonumber(ARGV[2])
local gap = tonumber(ARGV[3])
local hourly = tonumber(ARGV[4])
local daily = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - ${DAY_MS}))
-- A message reserving again (its slot went unused: paused, disconnected, retried) moves its
-- entry instead of counting twice.
redis.call('ZREM', KEYS[1], ARGV[6])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) + gap > t then t = tonumber(last[2]) + gap end
local h = redis.call('ZRANGE', KEYS[1], -hourly, -hourly, 'WITHSCORES')
if h[2] and tonumber(h[2]) + ${HOUR_MS} > t then t = tonumber(h[2]) + ${HOUR_MS} end
local d = redis.call('ZRANGE', KEYS[1], -daily, -daily, 'WITHSCORES')
if d[2] and tonumber(d[2]) + ${DAY_MS} > t then t = tonumber(d[2]) + ${DAY_MS} end
redis.call('ZADD', KEYS[1], t, ARGV[6])
local keep = math.floor(t - now + ${DAY_MS} + 60000)
redis.call('PEXPIRE', KEYS[1], keep)
if ARGV[7] == '1' then
  local from = now + tonumber(ARGV[8])
  -- Never before the rate limiter's slot.
  if tonumber(ARGV[2]) - 1 > from then from = tonumber(ARGV[2]) - 1 end
  t = takeFront(KEYS[1], KEYS[3], from, ARGV[6], keep) or t
end
return tostring(t)`;

// KEYS[1] = sorted set of failure times. ARGV: now, window, threshold, member.
// Returns 1 exactly once per burst: the log is emptied when it trips, so only one worker
// pauses the advisor and failures from before the pause cannot re-trip it after a resume.
const RECORD_FAILURE = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[2])))
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

// KEYS[1] = the number's slot set. ARGV: message id, the time (now plus the front margin) a slot
// must be after to be given back. A slot that near may belong to a job already on its way to send.
const GIVE_BACK_AHEAD = `
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and tonumber(at) > tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0`;

export interface PacingPlan {
  minGapMs: number;
  maxGapMs: number;
  hourlyCap: number;
  /** Today's daily cap (already lowered by the warm-up). */
  dailyCap: number;
}

export class SendPacer {
  private readonly reserveScript: LuaScript;
  private readonly recordFailureScript: LuaScript;
  private readonly giveBackAheadScript: LuaScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Injected by tests to pin the jitter. */
    private readonly random: () => number = Math.random,
  ) {
    this.reserveScript = luaScript(redis, 'wwPaceReserve', 3, RESERVE);
    this.recordFailureScript = luaScript(redis, 'wwPaceFailure', 1, RECORD_FAILURE);
    this.giveBackAheadScript = luaScript(redis, 'wwPaceGiveBackAhead', 1, GIVE_BACK_AHEAD);
  }

  private key(advisorId: string, what: 'slots' | 'failures'): string {
    return `${this.prefix}:pace:{${advisorId}}:${what}`;
  }

  /**
   * The reserved slots of one number of the advisor: the caps are the number's (WhatsApp judges
   * each number by what it sent), so a different number linked later does not inherit them. One
   * set for the advisor held a new number back for up to a day after the old one's busy day.
   * Without a number (never linked), the advisor's set.
   */
  private slotsKey(advisorId: string, number: string | null): string {
    const key = this.key(advisorId, 'slots');
    return number ? `${key}:${number}` : key;
  }

  /**
   * Reserves this message's send slot on `number`, no earlier than `notBefore` (the rate
   * limiter's slot); resolves to how long to wait from `now` (0 = send now). `firstInLine` (a
   * time-critical message) takes the earliest slot still ahead from `notBefore` on, moving the
   * messages it passes one slot back (slot-line.ts).
   */
  async reserve(
    advisorId: string,
    number: string | null,
    messageId: string,
    plan: PacingPlan,
    now = Date.now(),
    notBefore = now,
    firstInLine = false,
  ): Promise<number> {
    const gap = Math.round(plan.minGapMs + this.random() * Math.max(0, plan.maxGapMs - plan.minGapMs));
    const slots = this.slotsKey(advisorId, number);
    const at = Number(
      await this.reserveScript(
        [slots, this.key(advisorId, 'slots'), `${slots}:front-id`],
        [
          now,
          Math.max(now, notBefore),
          gap,
          Math.max(1, plan.hourlyCap),
          Math.max(1, plan.dailyCap),
          messageId,
          firstInLine ? '1' : '0',
          FRONT_MARGIN_MS,
        ],
      ),
    );
    return Math.max(0, at - now);
  }

  /** The slot the message holds on `number` now (a time-critical message may have moved it back). */
  async slotOf(advisorId: string, number: string | null, messageId: string): Promise<number | null> {
    const score = await this.redis.zscore(this.slotsKey(advisorId, number), messageId);
    return score === null ? null : Number(score);
  }

  /**
   * Gives back the slot a message reserved and will not use (it was cancelled while waiting for
   * it). Kept, it still counted in the caps and every later reservation went after it: an advisor
   * who cancelled a batch held back by the hourly or daily cap saw the next message wait behind
   * the whole cancelled batch, for hours.
   */
  async release(advisorId: string, number: string | null, messageId: string): Promise<void> {
    await this.redis.zrem(this.slotsKey(advisorId, number), messageId);
  }

  /**
   * Gives back a slot still ahead (more than the front margin away) that a waiting message holds,
   * so that the messages reserving anew under changed rules are not laid out after it: a message
   * whose slot is gone reserves anew when it wakes (send.processor.ts). Kept, the slots a batch
   * held under a cap since lifted still counted, and the first message to reserve anew went after
   * all of them, an hour or a day away. True when it was given back.
   */
  async giveBackAhead(
    advisorId: string,
    number: string | null,
    messageId: string,
    now = Date.now(),
  ): Promise<boolean> {
    const given = await this.giveBackAheadScript(
      [this.slotsKey(advisorId, number)],
      [messageId, now + FRONT_MARGIN_MS],
    );
    return Number(given) === 1;
  }

  /**
   * Records one failed send attempt; true when it completes a burst (`threshold` failures within
   * `windowMs`), i.e. the caller must pause the advisor. Failures with the same `id` (the
   * recipient) count once.
   */
  async recordFailure(
    advisorId: string,
    id: string,
    burst: { threshold: number; windowMs: number },
    now = Date.now(),
  ): Promise<boolean> {
    const tripped = await this.recordFailureScript(
      [this.key(advisorId, 'failures')],
      [now, burst.windowMs, burst.threshold, id],
    );
    return Number(tripped) === 1;
  }
}
