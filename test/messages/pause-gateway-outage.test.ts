// The account-safety pause counts failures that say something about the WhatsApp account, not
// an outage of the gateway. Evolution is usually deployed behind a reverse proxy, which answers
// 502 while Evolution restarts: those failed attempts used to count, so one message retried
// through a short restart paused its advisor (and every advisor with a message in flight), each
// to be resumed by hand. Here a proxy of our own stands in front of the emulator.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.js';
import { loadConfig } from '../../src/config/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startSandboxGateway, type SandboxGateway } from '../../src/sandbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deletePrefix, freePort, testEnv } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const FAILURES = 3;

/** Forwards to the gateway; while `down`, answers Evolution's routes as nginx does with no upstream. */
function startProxy(target: string): Promise<{ url: string; down: { on: boolean }; close(): Promise<void> }> {
  const down = { on: false };
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    if (down.on && !req.url?.startsWith('/_emulator')) {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
      return;
    }
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        down,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

let database: TestDatabase;
let gateway: SandboxGateway;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let runtime: Runtime;
let app: Awaited<ReturnType<typeof buildApp>>;
let ana: ConnectedAdvisor;
let prefix: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testEnv({
    EVOLUTION_API_KEY: 'pause-outage-gateway-key',
    PACING_MODE: 'on',
    PACING_GAP_FLOOR_MS: '50',
    PACING_GAP_MIN_MS: '50',
    PACING_GAP_MAX_MS: '100',
    PACING_PAUSE_FAILURES: String(FAILURES),
    SEND_MAX_ATTEMPTS: String(FAILURES + 4),
    SEND_BACKOFF_BASE_MS: '50',
    SEND_BACKOFF_MAX_MS: '200',
  });
  prefix = base.REDIS_PREFIX!;
  gateway = await startSandboxGateway(loadConfig(base), {
    connectWaitMs: 20,
    createQrWaitMs: 20,
    webhookRetry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
  });
  proxy = await startProxy(gateway.url);
  const port = await freePort();
  const config = loadConfig({
    ...base,
    EVOLUTION_API_URL: proxy.url,
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  });
  runtime = await createRuntime(config, pino({ level: 'silent' }), 'all', { database });
  app = await buildApp(runtime);
  await app.listen({ port, host: '127.0.0.1' });
  ana = await connectedAdvisor({ url: `http://127.0.0.1:${port}`, emulatorUrl: gateway.url, runtime }, 'Ana');
}, 60_000);

afterAll(async () => {
  await app?.close().catch(() => undefined);
  await runtime?.close().catch(() => undefined);
  await proxy?.close();
  await gateway?.close();
  await database?.destroy();
  if (prefix) await deletePrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
});

describe('the account-safety pause during a gateway outage', { timeout: 60_000 }, () => {
  it("does not count a proxy's 502s: the message waits out the outage and goes, unpaused", async () => {
    proxy.down.on = true;
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000901', text: 'hola' });
    expect(res.status).toBe(202);
    const id = res.body.message.id as string;
    try {
      // More failed attempts than a burst takes (the pause would have come at the third).
      const failing = await waitFor(
        () => ana.client.get(`/api/whatsapp/messages/${id}`),
        (r) => (r.body.attempts as number) > FAILURES,
        { what: `more than ${FAILURES} attempts`, timeoutMs: 20_000 },
      );
      // Waiting for its next attempt, or in it.
      expect(['queued', 'sending']).toContain(failing.body.status);
      expect(failing.body.error).toEqual({
        code: 'gateway_error',
        message: 'Evolution API answered HTTP 502',
      });
      expect((await ana.client.get('/api/whatsapp/config')).body.alert).toBeNull();
    } finally {
      proxy.down.on = false;
    }
    await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${id}`),
      (r) => r.body.sentAt !== null,
      { what: 'the message sent once the gateway is back', timeoutMs: 20_000 },
    );
    expect((await ana.client.get('/api/whatsapp/config')).body.alert).toBeNull();
  });
});
