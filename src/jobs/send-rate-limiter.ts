// Per-advisor send rate limit shared by every worker process (state in Redis), as a GCRA
// (generic cell rate algorithm): `max` sends per `durationMs`, a burst of up to `max`, then one
// every durationMs/max. A job over the limit reserves the next free slot and is delayed until
// then: it is never failed and not re-checked unless its slot went stale (so 10,000 queued jobs
// cost 10,000 checks, not 10,000 per window). Account-safety pacing (gap with jitter, caps, warm-up) is applied on top,
// by send-pacer.ts, from the slot this limiter grants.
import type { Redis } from 'ioredis';
import { luaScript, type LuaScript } from './lua-script.js';

// KEYS[1] = theoretical arrival time (ms). ARGV: now, interval, burst tolerance, ttl.
// Returns the time the send may happen (<= now means right away); the slot is taken either way.
const RESERVE = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allowAt = tat - tolerance
if allowAt < now then allowAt = now end
redis.call('SET', KEYS[1], tat + interval, 'PX', ARGV[4])
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
        // One state per limit: a changed limit starts afresh instead of inheriting slots booked
        // far ahead under the old one (a limit of 1 a day, raised, would still hold a day).
        [`${this.prefix}:rate:{${advisorId}}:${limit.max}/${limit.durationMs}`],
        [now, interval, tolerance, limit.durationMs * 2 + 60_000],
      ),
    );
    return Math.max(0, allowAt - now);
  }
}
