// The revocation feed over a real Redis: what one process revokes, another forgets; a process
// whose subscription is down serves nothing from its caches until it is back.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { deletePrefix } from '../support/service.js';
import { CredentialCache } from '../../src/auth/credential-cache.js';
import { RevocationFeed } from '../../src/auth/revocation-feed.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const farFuture = new Date('2100-01-01T00:00:00Z');
const open: { redis: Redis; feed: RevocationFeed }[] = [];
let prefix = '';

function processWithFeed() {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const cache = new CredentialCache<{ advisorId: string }>(60_000);
  const feed = new RevocationFeed(redis, prefix, [cache], pino({ level: 'silent' }));
  feed.start();
  open.push({ redis, feed });
  return { redis, cache, feed };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function subscriberIds(redis: Redis, name: string): Promise<string[]> {
  const list = (await redis.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /(?:^|\s)id=(\d+)/.exec(line)![1]!);
}

afterEach(async () => {
  for (const { redis, feed } of open.splice(0)) {
    await feed.close();
    redis.disconnect();
  }
  await deletePrefix(REDIS_URL, prefix);
});

describe('RevocationFeed', () => {
  it('serves from the caches only once subscribed', async () => {
    prefix = `wwt_${randomBytes(5).toString('hex')}`;
    const { cache } = processWithFeed();
    expect(cache.serving).toBe(false);
    await until('the subscription', () => cache.serving);
    cache.set('tok', { advisorId: 'ana' }, farFuture);
    expect(cache.get('tok')).toEqual({ advisorId: 'ana' });
  });

  it("forgets in every process what one revoked: one advisor's, or everyone's", async () => {
    prefix = `wwt_${randomBytes(5).toString('hex')}`;
    const a = processWithFeed();
    const b = processWithFeed();
    await until('both subscriptions', () => a.cache.serving && b.cache.serving);
    for (const { cache } of [a, b]) {
      cache.set('ana-1', { advisorId: 'ana' }, farFuture);
      cache.set('bea-1', { advisorId: 'bea' }, farFuture);
    }
    await a.feed.revoked('ana');
    expect(a.cache.get('ana-1')).toBeNull();
    await until('b to forget ana', () => b.cache.get('ana-1') === null);
    expect(b.cache.get('bea-1')).toEqual({ advisorId: 'bea' });
    expect(a.cache.get('bea-1')).toEqual({ advisorId: 'bea' });

    await b.feed.revoked(null);
    expect(b.cache.size).toBe(0);
    await until('a to forget everyone', () => a.cache.get('bea-1') === null);
  });

  it('empties and stops the caches while the subscription is lost, and serves again once back', async () => {
    prefix = `wwt_${randomBytes(5).toString('hex')}`;
    const { redis, cache, feed } = processWithFeed();
    await until('the subscription', () => cache.serving);
    cache.set('tok', { advisorId: 'ana' }, farFuture);
    const [before] = await subscriberIds(redis, feed.connectionName);
    expect(before).toBeDefined();
    await redis.call('CLIENT', 'KILL', 'ID', before!);
    // A revocation published while it was away is never heard: nothing cached before may survive.
    await until('a new subscriber connection', async () => {
      const ids = await subscriberIds(redis, feed.connectionName);
      return ids.length === 1 && ids[0] !== before;
    });
    await until('the caches to serve again', () => cache.serving);
    expect(cache.get('tok')).toBeNull();
    cache.set('tok', { advisorId: 'ana' }, farFuture);
    expect(cache.get('tok')).toEqual({ advisorId: 'ana' });
  });

  it('still forgets here when Redis cannot take the announcement', async () => {
    prefix = `wwt_${randomBytes(5).toString('hex')}`;
    const { redis, cache, feed } = processWithFeed();
    await until('the subscription', () => cache.serving);
    cache.set('tok', { advisorId: 'ana' }, farFuture);
    redis.disconnect();
    await feed.revoked('ana');
    expect(cache.get('tok')).toBeNull();
  });
});
