// The database unreachable while the process runs: API routes answer 503 `database_unavailable`
// in the documented error body (never a 500), /ready names the database, and the process stays up.
// PostgreSQL is reached through a TCP relay this test closes, so its port really is closed; embedded
// PGlite has no port, so it is closed under the running service instead.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.js';
import { loadConfig } from '../../src/config/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { deletePrefix, freePort, testEnv } from '../support/service.js';

/** A TCP relay to PostgreSQL that can be cut (the listener stops, every relayed socket drops) and restored. */
interface Relay {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
}

async function startRelay(target: URL): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cut: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
  };
}

let testDatabase: TestDatabase;
let database: Database;
let relay: Relay | null = null;
let runtime: Runtime;
let app: FastifyInstance;
let url: string;
let redisUrl: string;
let redisPrefix: string;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const location = testDatabase.location;
  if (location.kind === 'postgres') {
    const target = new URL(location.url);
    relay = await startRelay(target);
    const relayed = new URL(location.url);
    relayed.hostname = '127.0.0.1';
    relayed.port = String(relay.port);
    database = await openDatabase({ kind: 'postgres', url: relayed.toString(), poolSize: 2 });
  } else {
    database = testDatabase;
  }
  const port = await freePort();
  const config = loadConfig(
    testEnv({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      EVOLUTION_API_URL: 'http://127.0.0.1:9',
      EVOLUTION_API_KEY: 'unused',
    }),
  );
  redisUrl = config.redis.url;
  redisPrefix = config.redis.prefix;
  runtime = await createRuntime(config, createLogger(config.logLevel), 'api', { database });
  app = await buildApp(runtime);
  await app.listen({ port, host: '127.0.0.1' });
  url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await app?.close();
  await runtime?.close();
  if (database !== testDatabase) await database?.close().catch(() => undefined);
  await testDatabase?.destroy();
  await deletePrefix(redisUrl, redisPrefix);
});

describe('when the database becomes unreachable', () => {
  it('answers API calls with 503 database_unavailable, and /ready names the database', async () => {
    const { client } = await signUpAdvisor(url);
    expect((await client.get('/api/whatsapp/config')).status).toBe(200);

    if (relay) await relay.cut();
    else await database.close();

    for (const call of [
      () => client.get('/api/whatsapp/config'),
      () => client.get('/api/whatsapp/messages'),
      () =>
        new HttpClient(url).post('/api/auth/sign-in/email', {
          email: 'a@example.test',
          password: 'x'.repeat(12),
        }),
    ]) {
      const res = await call();
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: { code: 'database_unavailable', message: expect.stringMatching(/database/i), details: {} },
      });
    }

    const ready = await client.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('service_unavailable');
    expect(ready.body.error.details.checks.database.ok).toBe(false);
    expect(ready.body.error.details.checks.redis.ok).toBe(true);
    expect((await client.get('/health')).status).toBe(200);

    // PostgreSQL coming back: the same process serves again on fresh connections.
    if (relay) {
      await relay.restore();
      expect((await client.get('/api/whatsapp/config')).status).toBe(200);
      expect((await client.get('/ready')).status).toBe(200);
    }
  });
});
