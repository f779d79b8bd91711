// Per-advisor send rate limit shared by every worker process (state in Redis), as a GCRA
// (generic cell rate algorithm): `max` sends per `durationMs`, a burst of up to `max`, then one
// every durationMs/max. A job over the limit reserves the next free slot and is delayed until
// then: it is never failed and not re-checked unless its slot went stale (so 10,000 queued jobs
// cost 10,000 checks, not 10,000 per window). Account-safety pacing (gap with jitter, caps, warm-up) is applied on top,
// by send-pacer.ts, from the slot this limiter grants. The slots jobs wait for are kept in a line
// (who holds which), so that a time-critical message can take the front one (slot-line.ts).
import type { Redis } from 'ioredis';
import { luaScript, type LuaScript } from './lua-script.js';
import { FRONT_MARGIN_MS, TAKE_FRONT_LUA } from './slot-line.js';

// KEYS[1] = a hash: `tat`, the theoretical arrival time (ms), and `interval`, the one it was
// counted in. KEYS[2] = the line: the message ids waiting for a slot, by slot time; KEYS[3] = its
// front. ARGV: now, interval, burst tolerance, ttl, duration, message id ('' = not kept in the
// line), '1' to take the front, the front margin. Returns the time the send may happen (<= now
// means right away); the slot is taken either way.
// One state per advisor, whatever the limit. A changed limit carries the sends already made,
// rescaled to the new interval (a state per limit started each new value with a full burst, so
// changing the limit ten times in a minute allowed ten bursts), but never more than one new
// window of them: a limit of 1 a day, raised, does not keep the day's wait.
const RESERVE = `${TAKE_FRONT_LUA}
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local duration = tonumber(ARGV[5])
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
local was = tonumber(redis.call('HGET', KEYS[1], 'interval') or '0')
if tat < now then tat = now end
if was > 0 and was ~= interval then
  tat = now + (tat - now) * interval / was
  if tat > now + duration then tat = now + duration end
end
local allowAt = tat - tolerance
if allowAt < now then allowAt = now end
redis.call('HSET', KEYS[1], 'tat', tat + interval, 'interval', interval)
-- Kept until the slots handed out have gone by, and the ttl after that: jobs waiting for their
-- slot do not come back here, and a batch's slots may run hours ahead. Forgotten two windows
-- after the last reservation, the next message started a fresh burst while the batch still sent.
redis.call('PEXPIRE', KEYS[1], math.floor(tat + interval - now + tonumber(ARGV[4])))
local member = ARGV[6]
if member ~= '' then
  if allowAt > now then
    -- Slots gone by a minute are nobody's to wait for any more.
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - 60000))
    redis.call('ZADD', KEYS[2], allowAt, member)
    local keep = allowAt - now + 60000
    if redis.call('PTTL', KEYS[2]) < keep then redis.call('PEXPIRE', KEYS[2], math.floor(keep)) end
    if ARGV[7] == '1' then
      allowAt = takeFront(KEYS[2], KEYS[3], now + tonumber(ARGV[8]), member, keep) or allowAt
    end
  else
    -- A message reserving again (its slot went stale) leaves the line.
    redis.call('ZREM', KEYS[2], member)
  end
end
return math.floor(allowAt)`;

export interface RateLimit {
  max: number;
  durationMs: number;
}

export class SendRateLimiter {
  private readonly reserveScript: LuaScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.reserveScript = luaScript(redis, 'wwRateReserve', 3, RESERVE);
  }

  private keys(advisorId: string): [string, string, string] {
    const key = `${this.prefix}:rate:{${advisorId}}`;
    return [key, `${key}:line`, `${key}:front-id`];
  }

  /**
   * Reserves a send slot; resolves to how long to wait before sending (0 = now). With a message
   * id, a slot to wait for is kept in the advisor's line, where `firstInLine` (a time-critical
   * message) takes the front one and a message passed learns of its new slot from `slotOf`.
   */
  async reserve(
    advisorId: string,
    limit: RateLimit,
    now = Date.now(),
    messageId = '',
    firstInLine = false,
  ): Promise<number> {
    const interval = limit.durationMs / limit.max;
    const tolerance = limit.durationMs - interval;
    const allowAt = Number(
      await this.reserveScript(this.keys(advisorId), [
        now,
        interval,
        tolerance,
        limit.durationMs * 2 + 60_000,
        limit.durationMs,
        messageId,
        firstInLine ? '1' : '0',
        FRONT_MARGIN_MS,
      ]),
    );
    return Math.max(0, allowAt - now);
  }

  /** The slot the message waits for now (a time-critical message may have moved it back), if any. */
  async slotOf(advisorId: string, messageId: string): Promise<number | null> {
    const score = await this.redis.zscore(this.keys(advisorId)[1], messageId);
    return score === null ? null : Number(score);
  }
}
