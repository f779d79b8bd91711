// A worker-only process (`serve --role worker`) as an operator scaling workers out runs and
// scrapes it: with METRICS_PORT it serves its own /metrics and /health. A message queued through
// an API process is sent by the worker process, whose /metrics then counts it; the endpoint is
// refused to others exactly as the API's /metrics is; a second worker on the same port stops with
// one line; SIGTERM closes the listener with the rest.
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { startSandboxGateway, type SandboxGateway } from '../../src/sandbox.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deletePrefix, freePort, testEnv } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

const TOKEN = 'a-long-metrics-token-456';
const GATEWAY_KEY = 'worker-metrics-gateway-key';

type Proc = CliProcess;

const startWorker = (env: Record<string, string>): Proc => spawnCli(['serve', '--role', 'worker'], env);

async function untilOutput(proc: Proc, text: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => proc.output(),
    (out) => out.includes(text) || proc.child.exitCode !== null,
    { timeoutMs, what: `"${text}" in the worker's output` },
  );
  if (!proc.output().includes(text)) throw new Error(`the worker exited:\n${proc.output()}`);
}

/** An address of this machine other than loopback, to reach the listener as a remote peer would. */
function externalAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

let database: TestDatabase;
let emulator: SandboxGateway;
let env: Record<string, string>;
let advisor: ConnectedAdvisor;
/** What the API's own /metrics answered, to compare the worker's with. */
let api: { contentType: string | null; refusal: { status: number; body: unknown } };
let pendingWebhooks: number;
let metricsPort: number;
let worker: Proc;

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testEnv({
    METRICS_TOKEN: TOKEN,
    EVOLUTION_API_KEY: GATEWAY_KEY,
    PACING_MODE: 'off',
    LOG_LEVEL: 'info',
  });
  // The gateway: an emulator of our own, which outlives the API process below.
  emulator = await startSandboxGateway(loadConfig(base), {
    connectWaitMs: 20,
    createQrWaitMs: 20,
    statusDelaysMs: null,
    webhookRetry: { maxAttempts: 1, initialDelayMs: 50, maxDelayMs: 50, jitter: 0 },
  });
  const apiPort = await freePort();
  env = {
    ...base,
    EVOLUTION_API_URL: emulator.url,
    PORT: String(apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
  };

  // An API-only process (no workers): the advisor connects and queues a message that only the
  // worker process can send.
  const runtime = await createRuntime(loadConfig(env), createLogger('silent'), 'api', { database });
  const app = await buildApp(runtime);
  try {
    await app.listen({ port: apiPort, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${apiPort}`;
    // No worker here processes the "open" webhook: ask the gateway for the state instead.
    advisor = await connectedAdvisor({ url, emulatorUrl: emulator.url, runtime }, 'Ana', { pollState: true });
    const res = await advisor.client.post('/api/whatsapp/send', { to: '+34612000001', text: 'hola' });
    expect(res.status).toBe(202);
    const own = await fetch(`${url}/metrics`);
    expect(own.status).toBe(200);
    const refused = await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    api = {
      contentType: own.headers.get('content-type'),
      refusal: { status: refused.status, body: await refused.json() },
    };
    const result = await database.db.execute(
      sql`select count(*)::int as n from webhook_event where processed_at is null`,
    );
    const rows = Array.isArray(result) ? result : (result as { rows: { n: number }[] }).rows;
    pendingWebhooks = Number((rows[0] as { n: number }).n);
  } finally {
    await app.close();
    await runtime.close();
  }
  // PGlite allows one process per data directory: hand it over to the worker process.
  await database.close();

  metricsPort = await freePort();
  const location = database.location;
  env = {
    ...env,
    METRICS_PORT: String(metricsPort),
    // Every interface, so the test can also come from a non-loopback address.
    METRICS_HOST: '0.0.0.0',
    ...(location.kind === 'postgres' ? { DATABASE_URL: location.url } : { PGLITE_DIR: location.dir }),
  };
  worker = startWorker(env);
  await untilOutput(worker, 'worker role started');
}, 90_000);

afterAll(async () => {
  if (worker && worker.child.exitCode === null) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  await emulator?.close();
  await database?.destroy();
  if (env) await deletePrefix(env.REDIS_URL!, env.REDIS_PREFIX!);
});

const scrape = (headers: Record<string, string> = {}, host = '127.0.0.1') =>
  fetch(`http://${host}:${metricsPort}/metrics`, { headers });

describe('a worker process with METRICS_PORT', () => {
  it('exports the counters its send worker bumps, and the process metrics, in the API’s format', async () => {
    expect(worker.output()).toContain(`worker metrics at http://0.0.0.0:${metricsPort}/metrics`);
    const text = await waitFor(
      async () => (await scrape()).text(),
      (t) => t.includes('ww_sends_total{outcome="sent",code=""} 1'),
      { timeoutMs: 20_000, what: 'the send counted on the worker' },
    );
    // The worker, not the API, sent it.
    expect((await sentByPhone(advisor)).map((m) => m.text)).toEqual(['hola']);
    expect(text).toMatch(/^ww_send_latency_seconds_count 1$/m);
    expect(text).toContain('ww_rate_limit_delays_total');
    expect(text).toMatch(/^ww_process_cpu_user_seconds_total \d/m);
    expect(text).toContain('ww_nodejs_eventloop_lag_seconds');
    // The scrape-time gauges, as on the API: queue depth and the webhook results it processed.
    expect(text).toContain('ww_queue_jobs{queue="send",state=');
    expect(text).toContain('ww_connected_instances 1');
    // The webhooks the API stored while the advisor connected were processed here.
    expect(pendingWebhooks).toBeGreaterThan(0);
    const processed = await waitFor(
      async () => /^ww_webhook_events\{result="processed"\} (\d+)$/m.exec(await (await scrape()).text()),
      (m) => Number(m?.[1]) >= pendingWebhooks,
      { what: 'the stored webhooks processed by the worker' },
    );
    expect(Number(processed![1])).toBeGreaterThanOrEqual(pendingWebhooks);

    const res = await scrape();
    expect(res.headers.get('content-type')).toBe(api.contentType);
  });

  it('answers /health, and 404 in the API’s error body to anything else', async () => {
    const health = await fetch(`http://127.0.0.1:${metricsPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    for (const path of ['/ready', '/', '/admin/queues', '/api/whatsapp/config']) {
      const res = await fetch(`http://127.0.0.1:${metricsPort}${path}`);
      expect(res.status, path).toBe(404);
      expect((await res.json()).error.code).toBe('route_not_found');
    }
    const post = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('refuses /metrics to others exactly as the API does, and serves the bearer token', async () => {
    const proxied = await scrape({ 'x-forwarded-for': '203.0.113.9' });
    expect({ status: proxied.status, body: await proxied.json() }).toEqual(api.refusal);
    expect(api.refusal.status).toBe(401);
    const wrong = await scrape({
      'x-forwarded-for': '203.0.113.9',
      authorization: `Bearer ${'x'.repeat(24)}`,
    });
    expect(wrong.status).toBe(401);
    const withToken = await scrape({ 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${TOKEN}` });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain('ww_sends_total');

    // From a real non-loopback address of this machine (when it has one).
    const external = externalAddress();
    if (external) {
      const remote = await scrape({}, external);
      expect({ status: remote.status, body: await remote.json() }).toEqual(api.refusal);
      expect((await scrape({ authorization: `Bearer ${TOKEN}` }, external)).status).toBe(200);
      // Liveness is open to all, as the API's /health is.
      expect((await fetch(`http://${external}:${metricsPort}/health`)).status).toBe(200);
    }
  });

  it('stops a second worker on the same METRICS_PORT with one error line, before it starts', async () => {
    const second = startWorker(env);
    expect(await second.exited).toBe(1);
    expect(second.output().trim().split('\n')).toEqual([
      `fatal: METRICS_PORT ${metricsPort} is already in use on 0.0.0.0: give each worker process on a host its own port.`,
    ]);
    // The first one is untouched.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status).toBe(200);
  });

  it('closes the listener on SIGTERM with the rest of the process', async () => {
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('shutdown complete');
    await expect(fetch(`http://127.0.0.1:${metricsPort}/health`)).rejects.toThrow();
  });
});
