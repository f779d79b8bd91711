// dependencyDown fed the errors ioredis really throws, against real Redis servers: the ones that
// mean Redis cannot serve us now (the API answers 503, a send's last attempt holds its job) and
// the ones Redis answers about our own command (a bug of ours: a 500, the message fails
// `internal_error`). Taking any error that mentions Redis for an outage held a message for ever
// on a script error of ours ("Wrong number of args calling Redis command from script"), while
// a failover's READONLY or a full Redis's OOM, which do not say "Redis", failed messages.
//
// Server states that would disturb everyone on the shared test Redis (a replica, a full memory, a
// hogging script, a dataset loading) are made on a redis-server of the test's own.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dependencyDown } from '../../src/domain/dependency-down.js';
import {
  databaseEndpoint,
  redisEndpoint,
  registerDependencyEndpoints,
} from '../../src/domain/dependency-endpoints.js';
import { EvolutionClient } from '../../src/gateway/index.js';
import { createRedis, withRedisDeadline } from '../../src/jobs/redis.js';
import { SendRateLimiter } from '../../src/jobs/send-rate-limiter.js';
import { lastAttemptEnd } from '../../src/workers/send-last-attempt.js';
import { startPrivateRedis, unusedPort, type PrivateRedis } from '../support/private-redis.js';
import { waitFor } from '../support/wait.js';

const sharedUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `wwt_${randomBytes(5).toString('hex')}`;

const clients: Redis[] = [];
const servers: PrivateRedis[] = [];
const dirs: string[] = [];
function client(url: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, options);
  redis.on('error', () => undefined);
  clients.push(redis);
  return redis;
}
async function server(config: string[] = []): Promise<PrivateRedis> {
  const started = await startPrivateRedis(config);
  servers.push(started);
  return started;
}
afterAll(async () => {
  const shared = client(sharedUrl);
  const keys = await shared.keys(`${prefix}*`);
  if (keys.length > 0) await shared.del(...keys);
  for (const c of clients) c.disconnect();
  await Promise.all(servers.map((s) => s.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** What `call` rejects with; fails the test if it resolves. */
async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('Redis errors that mean Redis cannot serve us now', { timeout: 30_000 }, () => {
  it('a command on a closed connection', async () => {
    const redis = client(sharedUrl);
    await redis.ping();
    redis.disconnect();
    const err = await rejection(redis.get(`${prefix}:x`));
    expect(err.message).toBe('Connection is closed.');
    expect(dependencyDown(err)).toBe('redis');
  });

  it('nothing listening, whichever way the connection is set up', async () => {
    const url = `redis://127.0.0.1:${await unusedPort()}`;
    const retry = () => 50;
    // The API's connection: no offline queue.
    const api = client(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: retry });
    const offline = await rejection(api.get('x'));
    expect(offline.message).toMatch(/enableOfflineQueue/);
    expect(dependencyDown(offline)).toBe('redis');
    // A queueing connection that gives up on a command after its retries.
    const retried = await rejection(client(url, { maxRetriesPerRequest: 1, retryStrategy: retry }).get('x'));
    expect(retried.name).toBe('MaxRetriesPerRequestError');
    expect(dependencyDown(retried)).toBe('redis');
    // One that does not reconnect.
    const closed = await rejection(client(url, { retryStrategy: () => null }).get('x'));
    expect(closed.message).toBe('Connection is closed.');
    expect(dependencyDown(closed)).toBe('redis');
    // A queueing connection that never gives up, bounded by our deadline (the API's queue calls).
    const waiting = client(url, { maxRetriesPerRequest: null, retryStrategy: retry });
    const late = await rejection(withRedisDeadline(waiting.get('x'), 50));
    expect(dependencyDown(late)).toBe('redis');
  });

  it('a replica whose master is gone: READONLY on writes, MASTERDOWN on reads', async () => {
    const deadMaster = await unusedPort();
    const replica = await server([
      '--replicaof',
      '127.0.0.1',
      String(deadMaster),
      '--replica-serve-stale-data',
      'no',
    ]);
    const redis = client(replica.url);
    const readonly = await rejection(redis.set('x', '1'));
    expect(readonly.message).toMatch(/^READONLY /);
    expect(dependencyDown(readonly)).toBe('redis');
    const masterdown = await rejection(redis.get('x'));
    expect(masterdown.message).toMatch(/^MASTERDOWN /);
    expect(dependencyDown(masterdown)).toBe('redis');
  });

  it('a Redis out of memory refusing writes (OOM)', async () => {
    const full = await server(['--maxmemory', '1', '--maxmemory-policy', 'noeviction']);
    const err = await rejection(client(full.url).set('x', '1'));
    expect(err.message).toMatch(/^OOM /);
    expect(dependencyDown(err)).toBe('redis');
  });

  it('a Redis busy running a script past its limit (BUSY)', async () => {
    const busy = await server(['--busy-reply-threshold', '20']);
    const hog = client(busy.url, { retryStrategy: () => null });
    const other = client(busy.url);
    await Promise.all([hog.ping(), other.ping()]);
    const hogging = hog.eval('while true do end', 0).catch((err: Error) => err);
    // Sent while the script runs: Redis answers it BUSY once the script is past the threshold.
    const err = await rejection(other.get('x'));
    expect(err.message).toMatch(/^BUSY /);
    expect(dependencyDown(err)).toBe('redis');
    await other.call('SCRIPT', 'KILL');
    // The script killed by an operator is our command failing, not an outage.
    const killed = await hogging;
    expect(killed).toBeInstanceOf(Error);
    expect(dependencyDown(killed)).toBeNull();
  });

  it('a Redis loading its dataset at start (LOADING)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ww-redis-'));
    dirs.push(dir);
    const saving = await server(['--dir', dir]);
    const writer = client(saving.url);
    for (let i = 0; i < 500; i++) await writer.set(`k${i}`, 'x'.repeat(100));
    await writer.save();
    await saving.stop();
    // 10 ms per key: five seconds of loading, answering other clients every kilobyte loaded.
    const loading = await server([
      '--dir',
      dir,
      '--key-load-delay',
      '10000',
      '--loading-process-events-interval-bytes',
      '1024',
    ]);
    // Without the ready check ioredis sends at once instead of waiting for the load to end.
    const err = await rejection(client(loading.url, { enableReadyCheck: false }).get('k1'));
    expect(err.message).toMatch(/^LOADING /);
    expect(dependencyDown(err)).toBe('redis');
  });
});

describe(
  'Redis refusing us whatever the command: its password or our ACL user changed',
  { timeout: 30_000 },
  () => {
    it('no password (NOAUTH), a wrong one (WRONGPASS): Redis is unavailable and a last attempt holds', async () => {
      const locked = await server(['--requirepass', 'secret']);
      const noauth = await rejection(client(locked.url).get('x'));
      expect(noauth.message).toMatch(/^NOAUTH /);
      expect(dependencyDown(noauth)).toBe('redis');
      const wrong = await rejection(client(locked.url, { password: 'old' }).get('x'));
      expect(wrong.message).toMatch(/^WRONGPASS /);
      expect(dependencyDown(wrong)).toBe('redis');
      expect(lastAttemptEnd(wrong)).toBe('hold');
    });

    it("the password rotated under a worker's connection: its next commands fail WRONGPASS", async () => {
      const locked = await server(['--requirepass', 'secret']);
      const url = `redis://:secret@127.0.0.1:${locked.port}`;
      const refusals: Error[] = [];
      const worker = createRedis(url, 'worker', (err) => refusals.push(err));
      clients.push(worker);
      await worker.ping();
      const admin = client(url);
      await admin.config('SET', 'requirepass', 'rotated');
      // Changing the password keeps authenticated connections; they meet it when they reconnect.
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      await waitFor(
        async () => refusals,
        (seen) => seen.some((e) => /^WRONGPASS /.test(e.message)),
        { what: "the worker's connection refused on reconnecting" },
      );
      // A command sent while it reconnects fails with the refusal of its next AUTH. (One in flight
      // at the cut waits instead: ioredis resends those once a connection is ready.)
      const err = await rejection(worker.get('x'));
      expect(err.message).toMatch(/^WRONGPASS /);
      expect(dependencyDown(err)).toBe('redis');
      expect(lastAttemptEnd(err)).toBe('hold');
    });

    it('an ACL denying one command (NOPERM) is a deployment error about that command, not an outage', async () => {
      const acl = await server();
      await client(acl.url).call('ACL', 'SETUSER', 'limited', 'on', '>pw', '~*', '+get');
      const limited = client(acl.url, { username: 'limited', password: 'pw', enableReadyCheck: false });
      expect(await limited.get('x')).toBeNull();
      const err = await rejection(limited.set('x', '1'));
      expect(err.message).toMatch(/^NOPERM /);
      expect(dependencyDown(err)).toBeNull();
      expect(lastAttemptEnd(err)).toBe('fail');
    });
  },
);

describe(
  'refused connections, put down by the endpoints the service is configured with',
  { timeout: 30_000 },
  () => {
    let forget: (() => void) | null = null;
    afterEach(() => {
      forget?.();
      forget = null;
    });

    /** The error a Redis connection reports when nothing listens at `url` any more. */
    async function redisRefusal(url: string): Promise<Error & { port?: number }> {
      const redis = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
      const reported = new Promise<Error>((resolve) => redis.once('error', resolve));
      await redis.connect().catch(() => undefined);
      redis.disconnect();
      return reported;
    }

    /** node-postgres's error when nothing listens at `url`. */
    async function databaseRefusal(url: string): Promise<Error & { port?: number }> {
      const db = new pg.Client({ connectionString: url });
      return rejection(db.connect());
    }

    it('a Redis on another port than 6379: refused, it is Redis when configured, nothing when not', async () => {
      const gone = await server();
      await gone.stop();
      const refused = await redisRefusal(gone.url);
      expect(refused).toMatchObject({ code: 'ECONNREFUSED', port: gone.port });
      forget = registerDependencyEndpoints([redisEndpoint(gone.url)]);
      expect(dependencyDown(refused)).toBe('redis');
      expect(lastAttemptEnd(refused)).toBe('hold');
      forget();
      // The same refusal, with the service's Redis elsewhere (the shared one, on 6379).
      forget = registerDependencyEndpoints([redisEndpoint(sharedUrl)]);
      expect(dependencyDown(refused)).toBeNull();
      expect(lastAttemptEnd(refused)).toBe('fail');
    });

    it('a PostgreSQL on another port than 5432 (a PgBouncer on 6432, a managed one on 25060)', async () => {
      const url = `postgres://postgres@127.0.0.1:${await unusedPort()}/app`;
      const refused = await databaseRefusal(url);
      expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
      forget = registerDependencyEndpoints([redisEndpoint(sharedUrl), databaseEndpoint(url)]);
      expect(dependencyDown(refused)).toBe('database');
      forget();
      forget = registerDependencyEndpoints([redisEndpoint(sharedUrl)]);
      expect(dependencyDown(refused)).toBeNull();
    });

    it('the gateway refusing, on the same host as both, is taken for neither', async () => {
      const redisGone = await server();
      await redisGone.stop();
      const databaseUrl = `postgres://postgres@127.0.0.1:${await unusedPort()}/app`;
      forget = registerDependencyEndpoints([redisEndpoint(redisGone.url), databaseEndpoint(databaseUrl)]);
      const gatewayPort = await unusedPort();
      const gateway = new EvolutionClient({ baseUrl: `http://127.0.0.1:${gatewayPort}`, apiKey: 'k' });
      const err = await rejection(gateway.fetchInstance('ana'));
      // The refusal is in its cause chain, port and all, as a Redis or database one would be.
      let socket: unknown = err;
      while (socket && (socket as { code?: string }).code !== 'ECONNREFUSED')
        socket = (socket as { cause?: unknown }).cause;
      expect(socket).toMatchObject({ code: 'ECONNREFUSED', port: gatewayPort });
      expect(dependencyDown(err)).toBeNull();
      expect(dependencyDown(socket)).toBeNull();
      await gateway.close();
    });
  },
);

describe('Redis errors about our own command', () => {
  const redis = client(sharedUrl);

  it("our rate limiter's script on a key of the wrong type (WRONGTYPE)", async () => {
    const advisorId = 'wrongtype';
    await redis.set(`${prefix}:rate:{${advisorId}}`, 'not a hash');
    const err = await rejection(
      new SendRateLimiter(redis, prefix).reserve(advisorId, { max: 10, durationMs: 60_000 }),
    );
    expect(err.message).toMatch(/^WRONGTYPE .*@user_script/);
    expect(dependencyDown(err)).toBeNull();
    await redis.set(`${prefix}:plain`, 'x');
    expect(dependencyDown(await rejection(redis.lpush(`${prefix}:plain`, 'y')))).toBeNull();
  });

  it('scripts that call Redis wrongly or break in Lua', async () => {
    const wrongArgs = await rejection(redis.eval("return redis.call('GET')", 0));
    expect(wrongArgs.message).toMatch(/Wrong number of args calling Redis command from script/);
    expect(dependencyDown(wrongArgs)).toBeNull();
    const unknown = await rejection(redis.eval("return redis.call('NOPE')", 0));
    expect(unknown.message).toMatch(/Unknown Redis command called from script/);
    expect(dependencyDown(unknown)).toBeNull();
    const badArg = await rejection(redis.eval("return redis.call('GET', {})", 0));
    expect(badArg.message).toMatch(/redis lib command arguments must be strings or integers/i);
    expect(dependencyDown(badArg)).toBeNull();
    const lua = await rejection(redis.eval('return 1 + nil', 0));
    expect(lua.message).toMatch(/^ERR user_script:1: attempt to perform arithmetic/);
    expect(dependencyDown(lua)).toBeNull();
  });

  it('replies whose first word only starts like an outage (BUSYGROUP), unknown commands', async () => {
    const stream = `${prefix}:stream`;
    await redis.xgroup('CREATE', stream, 'g', '$', 'MKSTREAM');
    const busygroup = await rejection(redis.xgroup('CREATE', stream, 'g', '$'));
    expect(busygroup.message).toMatch(/^BUSYGROUP /);
    expect(dependencyDown(busygroup)).toBeNull();
    const unknown = await rejection(redis.call('NOPE'));
    expect(dependencyDown(unknown)).toBeNull();
  });
});
