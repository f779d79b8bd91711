// Our Lua scripts against a real Redis: sent by SHA. (Answering after Redis forgot a script is
// ioredis's own NOSCRIPT fallback; no test here runs SCRIPT FLUSH, which would empty the script
// cache of every test file running at the same time on the shared Redis.)
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { luaScript } from './lua-script.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(url);
afterAll(async () => {
  await redis.quit();
});

const INCR_BY = `return redis.call('INCRBY', KEYS[1], ARGV[1])`;

/** The command names this connection's calls reach Redis with, seen through MONITOR. */
async function commandsSeen(run: () => Promise<unknown>, marker: string): Promise<string[]> {
  const monitor = await new Redis(url).monitor();
  const seen: string[] = [];
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.some((a) => a.includes(marker))) seen.push(args[0]!.toLowerCase());
  });
  await run();
  // MONITOR's feed trails the command's answer a little.
  await new Promise((resolve) => setTimeout(resolve, 100));
  monitor.disconnect();
  return seen;
}

describe('luaScript', () => {
  it('runs the script by its SHA, not by sending its text', async () => {
    const key = `wwt_lua_${randomBytes(5).toString('hex')}`;
    const incrBy = luaScript(redis, 'wwTestIncrBy', 1, INCR_BY);
    await incrBy([key], [1]); // the first call may have to load it
    const seen = await commandsSeen(async () => {
      expect(await incrBy([key], [2])).toBe(3);
      expect(await incrBy([key], [3])).toBe(6);
    }, key);
    expect(seen.filter((c) => c === 'evalsha')).toHaveLength(2);
    expect(seen).not.toContain('eval');
    await redis.del(key);
  });

  it('refuses a call with the wrong number of keys instead of shifting arguments into keys', () => {
    const incrBy = luaScript(redis, 'wwTestIncrBy', 1, INCR_BY);
    expect(() => incrBy([], [1])).toThrow(/takes 1 key/);
  });
});
