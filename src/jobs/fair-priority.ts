// Fairness between advisors on one shared BullMQ queue (open-source BullMQ has no groups).
// Each immediate send gets priority = the advisor's backlog size at enqueue time (never lower
// than their previous job's, to keep each advisor's own order). An advisor with 10,000 waiting
// messages holds priorities 1..10,000; another advisor's first message gets priority 1 and
// goes next. BullMQ serves lower numbers first and FIFO within a priority, so k-th messages of
// different advisors alternate: round-robin without a queue per advisor. See ARCHITECTURE.md.
import type { Redis } from 'ioredis';
import { luaScript, type LuaScript } from './lua-script.js';

const MAX_PRIORITY = 2_097_151; // BullMQ's upper bound
// A lost decrement heals only once the advisor enqueues nothing for this long (every acquire renews
// it), so every way a fair job ends must release (send.processor.ts).
const TTL_MS = 86_400_000;

const ACQUIRE = `
local pending = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local p = pending
if last > p then p = last end
if p > tonumber(ARGV[2]) then p = tonumber(ARGV[2]) end
redis.call('SET', KEYS[2], p, 'PX', ARGV[1])
return p`;

const RELEASE = `
local pending = redis.call('DECR', KEYS[1])
if pending <= 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return pending`;

export class FairPriority {
  private readonly acquireScript: LuaScript;
  private readonly releaseScript: LuaScript;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    this.acquireScript = luaScript(redis, 'wwFairAcquire', 2, ACQUIRE);
    this.releaseScript = luaScript(redis, 'wwFairRelease', 2, RELEASE);
  }

  private keys(advisorId: string): [string, string] {
    return [`${this.prefix}:fair:{${advisorId}}:pending`, `${this.prefix}:fair:{${advisorId}}:last`];
  }

  async acquire(advisorId: string): Promise<number> {
    return Number(await this.acquireScript(this.keys(advisorId), [TTL_MS, MAX_PRIORITY]));
  }

  async release(advisorId: string): Promise<void> {
    await this.releaseScript(this.keys(advisorId), []);
  }
}
