// Starts the whole service for an integration test: a fresh database, a Redis prefix of its own,
// the Evolution API emulator on a free port (sandbox mode) and the HTTP app listening on a free
// port, so the emulator's webhooks reach it over real HTTP.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../../src/api/build-app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime, type RuntimeOverrides } from '../../src/runtime.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { Redis } from 'ioredis';

export interface TestService {
  url: string;
  app: FastifyInstance;
  runtime: Runtime;
  config: Config;
  database: TestDatabase;
  emulatorUrl: string;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  env?: Record<string, string>;
  emulator?: RuntimeOverrides['emulator'];
  /** The service's logger (a test that reads the log lines); by default one at LOG_LEVEL. */
  logger?: Logger;
  /** The service's database (one reached through a relay the test cuts); by default a fresh one. */
  database?: TestDatabase;
}

/** Environment for a test service: secrets fixed, a private Redis prefix, everything else default. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'ww-data-')),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `wwt_${randomBytes(5).toString('hex')}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    PORT: '0',
    HOST: '127.0.0.1',
    // Tests poll the API quickly; the limiter has a test of its own.
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    ...extra,
  };
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const database = options.database ?? (await createTestDatabase());
  const env = testEnv(options.env);
  // The public URL must be known before listening (the webhook URL is registered with it), so
  // take a free port first.
  const port = await freePort();
  env.PORT = String(port);
  env.PUBLIC_BASE_URL = `http://127.0.0.1:${port}`;
  const config = loadConfig(env);
  const logger = options.logger ?? createLogger(config.logLevel);
  const runtime = await createRuntime(config, logger, 'all', {
    database,
    emulator: {
      connectWaitMs: 20,
      createQrWaitMs: 20,
      qrTimeoutMs: 45_000,
      statusDelaysMs: { serverAck: 20, deliveryAck: 40, read: 60 },
      webhookRetry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
      ...options.emulator,
    },
  });
  const app = await buildApp(runtime);
  await app.listen({ port, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    runtime,
    config,
    database,
    emulatorUrl: runtime.evolutionUrl,
    close: async () => {
      await app.close();
      await runtime.close();
      await database.destroy();
      await deletePrefix(config.redis.url, config.redis.prefix);
      rmSync(env.DATA_DIR!, { recursive: true, force: true });
    },
  };
}

/**
 * A port for the service, taken below the kernel's ephemeral range (32768+). The port must be
 * known before listening, and anything bound to port 0 meanwhile (the sandbox emulator, Redis and
 * database sockets, other test files) draws from the ephemeral range, so it can never take ours.
 */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.unref();
      srv.once('error', () => resolve(false));
      srv.listen(candidate, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
}

/** Leaves the shared Redis as it was: every key of this test service's private prefix goes. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // Unreachable is answered below; without a listener ioredis also prints the refusal to stderr.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Redis unreachable (the dependencies-down test): nothing of ours is there to clean.
  } finally {
    redis.disconnect();
  }
}
