// The API's Redis connection queues no commands (a dead Redis must be a 503 at once), so a request
// that arrived before it had connected failed instead of waiting: the rate limiter, which steps
// aside on Redis errors, did not count it (CI saw a sixth request from one address still answered
// 401 instead of 429). Startup now waits briefly for the connection, and does not wait for a Redis
// that refuses it.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedis, redisReady } from '../../src/jobs/redis.js';
import { pino } from 'pino';
import { startTestService } from '../support/service.js';
import { createTestDatabase } from '../support/database.js';
import { logSink } from '../support/logs.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const opened: Redis[] = [];
afterEach(() => {
  for (const redis of opened.splice(0)) redis.disconnect();
});

function apiRedis(url: string): Redis {
  const redis = createRedis(url, 'api');
  opened.push(redis);
  return redis;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('Redis at startup', () => {
  it('a command on a fresh API connection fails before it is ready, and succeeds once redisReady says so', async () => {
    const early = apiRedis(REDIS_URL);
    await expect(early.ping()).rejects.toThrow(/enableOfflineQueue|Stream isn't writeable/);

    const redis = apiRedis(REDIS_URL);
    expect(await redisReady(redis, 30_000)).toBe(true);
    expect(redis.status).toBe('ready');
    expect(await redis.ping()).toBe('PONG');
    // Already ready: answers at once.
    expect(await redisReady(redis, 30_000)).toBe(true);
  });

  it('does not wait out its deadline for a Redis that refuses the connection', async () => {
    const redis = apiRedis(`redis://127.0.0.1:${await closedPort()}`);
    // A deadline far beyond the test's own timeout: only the refusal can end the wait in time.
    expect(await redisReady(redis, 600_000)).toBe(false);
  }, 10_000);

  it('gives up at its deadline when the connection neither opens nor fails', async () => {
    // A listener that accepts the TCP connection and never answers the handshake.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const redis = createRedis(`redis://127.0.0.1:${port}`, 'worker');
      opened.push(redis);
      expect(await redisReady(redis, 200)).toBe(false);
    } finally {
      silent.close();
    }
  });

  it('the service answers its first request with its API connection ready, even when Redis is slow to answer', async () => {
    const slow = await slowRedis(REDIS_URL, 500);
    const service = await startTestService({ env: { REDIS_URL: slow.url } });
    try {
      expect(service.runtime.redis.status).toBe('ready');
    } finally {
      await service.close();
      await slow.close();
    }
  });
});

describe('Redis unreachable at startup', () => {
  it('the warnings name the server but never the password in REDIS_URL', async () => {
    const port = await closedPort();
    const sink = logSink();
    const service = await startTestService({
      env: { REDIS_URL: `redis://default:SuperSecretRedisPw@127.0.0.1:${port}` },
      logger: pino({ level: 'info' }, sink.stream),
    });
    try {
      const warnings = sink.lines().filter((line) => String(line.msg).includes('Redis'));
      expect(warnings.length).toBeGreaterThan(0);
      expect(warnings.map((line) => line.msg)).toContainEqual(expect.stringContaining(`127.0.0.1:${port}`));
      expect(sink.text()).not.toContain('SuperSecretRedisPw');
    } finally {
      await service.close();
    }
  });
});

/** A TCP relay to the real Redis that holds every new connection back for `delayMs`. */
async function slowRedis(target: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const upstreamAt = new URL(target);
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    sockets.add(client);
    client.pause();
    setTimeout(() => {
      const upstream = net.connect(Number(upstreamAt.port || 6379), upstreamAt.hostname);
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      client.resume();
      const end = () => (client.destroy(), upstream.destroy());
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    }, delayMs);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port } = relay.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

describe('REDIS_URL naming a database the server does not have', () => {
  it('stops the start naming REDIS_URL, instead of running on database 0', async () => {
    // Redis refuses the SELECT ("ERR DB index is out of range") and ioredis goes on with the
    // connection on database 0: /ready said ready and queues, schedulers and jobs landed in
    // database 0, beside whatever else lives there.
    const database = await createTestDatabase();
    const prefix = `wwt_${randomBytes(5).toString('hex')}`;
    try {
      const failure = await startTestService({
        database,
        env: { REDIS_URL: `${REDIS_URL.replace(/\/\d*$/, '')}/9999`, REDIS_PREFIX: prefix },
      }).then(
        async (service) => {
          await service.close();
          return null;
        },
        (err: Error) => err,
      );
      expect(failure?.message).toMatch(/^REDIS_URL: Redis has no database 9999 /);
      const redis = new Redis(REDIS_URL);
      try {
        expect(await redis.keys(`${prefix}:*`)).toEqual([]);
      } finally {
        redis.disconnect();
      }
    } finally {
      await database.destroy();
    }
  });
});
