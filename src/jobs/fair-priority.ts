// Fairness between advisors on one shared BullMQ queue (open-source BullMQ has no groups).
// Each immediate send gets priority = the advisor's backlog size at enqueue time (never lower
// than their previous job's, to keep each advisor's own order). An advisor with 10,000 waiting
// messages holds priorities 1..10,000; another advisor's first message gets priority 1 and
// goes next. BullMQ serves lower numbers first and FIFO within a priority, so k-th messages of
// different advisors alternate: round-robin without a queue per advisor. See ARCHITECTURE.md.
import type { Redis } from 'ioredis';
import { luaScript, type LuaScript } from './lua-script.js';

const MAX_PRIORITY = 2_097_151; // BullMQ's upper bound
// A lost release heals only once the advisor enqueues nothing for this long (every acquire renews
// it), so every way a fair job ends must release (send.processor.ts, start-workers.ts).
const TTL_MS = 86_400_000;

// The backlog is the set of the advisor's message ids with a fair job (a sorted set, scored by
// when each was first counted), not a counter: an add that BullMQ turns into a no-op (the job id
// exists: the sweeper racing an enqueue, a retry's "add anyway") counted twice, and a job released
// both by a cancel and by its worker counted once too few. A counter left one too high never
// reached zero again, so the advisor's `last` priority (their biggest backlog ever) stuck to every
// later send while they kept sending. Per message id, both are idempotent, and `reconcile` can
// drop ids whose job is gone, whatever lost them.
const ACQUIRE = `
redis.call('ZADD', KEYS[1], 'NX', ARGV[4], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local p = redis.call('ZCARD', KEYS[1])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if last > p then p = last end
if p > tonumber(ARGV[2]) then p = tonumber(ARGV[2]) end
redis.call('SET', KEYS[2], p, 'PX', ARGV[1])
return p`;

const RELEASE = `
for i = 1, #ARGV do redis.call('ZREM', KEYS[1], ARGV[i]) end
local pending = redis.call('ZCARD', KEYS[1])
if pending == 0 then redis.call('DEL', KEYS[2]) end
return pending`;

/** Keys Redis looks at per SCAN step while reconcile looks for the advisors' backlogs. */
const SCAN_COUNT = 500;

export class FairPriority {
  private readonly acquireScript: LuaScript;
  private readonly releaseScript: LuaScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.acquireScript = luaScript(redis, 'wwFairAcquire', 2, ACQUIRE);
    this.releaseScript = luaScript(redis, 'wwFairRelease', 2, RELEASE);
  }

  // New key names (`jobs`, a sorted set): the counter of older releases was a string at `pending`,
  // and one name for both would make mixed versions fail with WRONGTYPE during a rolling upgrade.
  private keys(advisorId: string): [string, string] {
    return [`${this.prefix}:fair:{${advisorId}}:jobs`, `${this.prefix}:fair:{${advisorId}}:last`];
  }

  /** The priority for the advisor's job of this message, counting it in their backlog. */
  async acquire(advisorId: string, messageId: string, now = Date.now()): Promise<number> {
    return Number(await this.acquireScript(this.keys(advisorId), [TTL_MS, MAX_PRIORITY, messageId, now]));
  }

  /** The message's job has ended (or was removed): it leaves the backlog. Idempotent. */
  async release(advisorId: string, ...messageIds: string[]): Promise<void> {
    if (messageIds.length > 0) await this.releaseScript(this.keys(advisorId), messageIds);
  }

  /** How many of the advisor's fair jobs are counted (tests, diagnostics). */
  pending(advisorId: string): Promise<number> {
    return this.redis.zcard(this.keys(advisorId)[0]);
  }

  /**
   * Drops from every advisor's backlog the ids counted before `countedBefore` whose job is no
   * longer in Redis: a release that never ran (a worker of an older release during a rolling
   * upgrade, a job removed by hand in the queue UI) would otherwise sink the advisor's later sends
   * for up to a day. Only ids older than the cut-off: an enqueue counts its id just before it adds
   * the job. Returns how many were dropped.
   */
  async reconcile(
    countedBefore: number,
    existing: (messageIds: string[]) => Promise<Set<string>>,
  ): Promise<number> {
    let dropped = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.prefix}:fair:*:jobs`,
        'COUNT',
        SCAN_COUNT,
      );
      cursor = next;
      for (const key of keys) {
        const advisorId = /:fair:\{(.+)\}:jobs$/.exec(key)?.[1];
        if (!advisorId) continue;
        const ids = await this.redis.zrangebyscore(key, '-inf', `(${countedBefore}`);
        if (ids.length === 0) continue;
        const present = await existing(ids);
        const gone = ids.filter((id) => !present.has(id));
        await this.release(advisorId, ...gone);
        dropped += gone.length;
      }
    } while (cursor !== '0');
    return dropped;
  }
}
