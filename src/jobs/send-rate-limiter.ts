// Per-advisor send rate limit shared by every worker process (state in Redis), as a GCRA
// (generic cell rate algorithm): `max` sends per `durationMs`, a burst of up to `max`, then one
// every durationMs/max. A job over the limit reserves the next free slot and is delayed until
// then: it is never failed and not re-checked unless its slot went stale (so 10,000 queued jobs
// cost 10,000 checks, not 10,000 per window). Account-safety pacing (gap with jitter, caps, warm-up) is applied on top,
// by send-pacer.ts, from the slot this limiter grants.
import type { Redis } from 'ioredis';
import { luaScript, type LuaScript } from './lua-script.js';

// KEYS[1] = a hash: `tat`, the theoretical arrival time (ms), and `interval`, the one it was
// counted in. ARGV: now, interval, burst tolerance, ttl, duration. Returns the time the send may
// happen (<= now means right away); the slot is taken either way.
// One state per advisor, whatever the limit. A changed limit carries the sends already made,
// rescaled to the new interval (a state per limit started each new value with a full burst, so
// changing the limit ten times in a minute allowed ten bursts), but never more than one new
// window of them: a limit of 1 a day, raised, does not keep the day's wait.
const RESERVE = `
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
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return allowAt`;

export interface RateLimit {
  max: number;
  durationMs: number;
}

export class SendRateLimiter {
  private readonly reserveScript: LuaScript;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.reserveScript = luaScript(redis, 'wwRateReserve', 1, RESERVE);
  }

  /** Reserves a send slot; resolves to how long to wait before sending (0 = now). */
  async reserve(advisorId: string, limit: RateLimit, now = Date.now()): Promise<number> {
    const interval = limit.durationMs / limit.max;
    const tolerance = limit.durationMs - interval;
    const allowAt = Number(
      await this.reserveScript(
        [`${this.prefix}:rate:{${advisorId}}`],
        [now, interval, tolerance, limit.durationMs * 2 + 60_000, limit.durationMs],
      ),
    );
    return Math.max(0, allowAt - now);
  }
}
