// A deploy stops a worker while Redis is away and a send waits on a slow gateway. The send does
// not need Redis to finish: the gateway answers and PostgreSQL records it. The workers closed
// without waiting for it (BullMQ's forced close, chosen because Redis is gone), and the process
// went with the row still claimed: if Evolution took the message and its echo never came, the
// next worker sent it again once the claim lapsed. The same stop with Redis up is
// test/foundation/shutdown-slow-send.test.ts.
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.js';
import { loadConfig } from '../../src/config/config.js';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startSandboxGateway, type SandboxGateway } from '../../src/sandbox.js';
import { CLOSE_STEP_MS } from '../../src/shutdown.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startRedisProxy, type RedisProxy } from '../support/redis-proxy.js';
import { deletePrefix, freePort, testEnv } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

// Longer than the steps after the workers' wait for it (the gateway client's close waits for its
// requests in flight, up to CLOSE_STEP_MS), well inside the request timeout.
const GATEWAY_LATENCY_MS = 2 * CLOSE_STEP_MS + 1_500;

let proxy: RedisProxy;
let database: TestDatabase;
let gateway: SandboxGateway;
let runtime: Runtime;
let app: Awaited<ReturnType<typeof buildApp>>;
let ana: ConnectedAdvisor;
let prefix: string;

beforeAll(async () => {
  proxy = await startRedisProxy();
  database = await createTestDatabase();
  const base = testEnv({
    REDIS_URL: proxy.url,
    EVOLUTION_API_KEY: 'redis-down-gateway-key',
    EVOLUTION_REQUEST_TIMEOUT_MS: String(GATEWAY_LATENCY_MS + 8_000),
    PACING_MODE: 'off',
  });
  prefix = base.REDIS_PREFIX!;
  // The gateway is not the process's: as in production, it outlives the process being stopped.
  gateway = await startSandboxGateway(loadConfig(base), {
    connectWaitMs: 20,
    createQrWaitMs: 20,
    webhookRetry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
  });
  const port = await freePort();
  const config = loadConfig({
    ...base,
    EVOLUTION_API_URL: gateway.url,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  });
  runtime = await createRuntime(config, pino({ level: 'silent' }), 'all', { database });
  app = await buildApp(runtime);
  await app.listen({ port, host: '127.0.0.1' });
  ana = await connectedAdvisor(
    { url: `http://127.0.0.1:${port}`, emulatorUrl: gateway.url, runtime },
    'Ana Sin Redis',
  );
}, 60_000);

afterAll(async () => {
  await app?.close().catch(() => undefined);
  await runtime?.close().catch(() => undefined);
  await gateway?.close();
  await database?.destroy();
  // The service's Redis was the proxy, now cut: clean its keys on the real one.
  if (prefix) await deletePrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
});

describe('stopping a worker while Redis is away and a send waits on the gateway', { timeout: 90_000 }, () => {
  it('still waits for the send and records it before the process goes', async () => {
    await ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    const requestsBefore = (await ana.emulator.get('/_emulator/stats')).body.requests as number;
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34611000778', text: 'cita mañana' });
    expect(res.status).toBe(202);
    const id = res.body.message.id as string;
    // Claimed in the read, before its rate-limit slot: wait until the request is at the gateway.
    await waitFor(
      async () => (await ana.emulator.get('/_emulator/stats')).body.requests as number,
      (requests) => requests > requestsBefore,
      { what: 'the send waiting on the gateway', timeoutMs: 20_000 },
    );
    expect((await findMessage(runtime.ctx.db, ana.userId, id))!.status).toBe('sending');

    await proxy.cut();
    // The workers' own connection: startWorkers decides on it whether Redis is there to wait on.
    const workerRedis = runtime.workers!.sendWorker.opts.connection as unknown as Redis;
    await waitFor(
      async () => workerRedis.status,
      (status) => status !== 'ready',
      { what: 'the workers to notice that Redis is gone' },
    );

    await app.close();
    await runtime.close();

    // What the process leaves behind as it exits (its database is the test's, still open).
    const row = await findMessage(runtime.ctx.db, ana.userId, id);
    // Sent, or further: the phone's receipts are applied as they arrive, while the worker stops.
    expect(['sent', 'delivered', 'read']).toContain(row!.status);
    expect(row!.sentAt).not.toBeNull();
    expect(row!.evolutionMessageId).toBeTruthy();
  });
});
