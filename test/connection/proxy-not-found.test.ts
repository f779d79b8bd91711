// A reverse proxy in front of Evolution answers 404 with its own body while it cannot route to
// Evolution: Traefik's "404 page not found" while the Evolution container restarts (its router
// goes with the container), nginx's HTML page for a location it does not know. Evolution's own
// 404s are its error envelope (evolution-api.md §2, §6.2: `{"status":404,"error":"Not Found",
// "response":{"message":["The \"x\" instance does not exist"]}}`). The client took every 404 but
// Express's "Cannot GET" for an unknown instance: during such a restart the dashboard's refresh
// marked a linked number disconnected, and a removal was reported done while the instance, with
// the advisor's phone still linked to it, lived on at the gateway.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/build-app.js';
import { loadConfig } from '../../src/config/config.js';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startSandboxGateway, type SandboxGateway } from '../../src/sandbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deletePrefix, freePort, testEnv } from '../support/service.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const GATEWAY_KEY = 'proxy-not-found-gateway-key';

/** Forwards to the emulator; while `down`, answers as Traefik does when it has no route. */
interface RoutingProxy {
  url: string;
  down: boolean;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

async function startRoutingProxy(target: string): Promise<RoutingProxy> {
  const proxy = { down: false } as RoutingProxy;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (proxy.down) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('404 page not found\n');
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, body })
        .then(async (answer) => {
          const text = await answer.text();
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/json',
          });
          res.end(text);
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

let database: TestDatabase;
let gateway: SandboxGateway;
let proxy: RoutingProxy;
let runtime: Runtime;
let app: Awaited<ReturnType<typeof buildApp>>;
let prefix: string;
let serviceUrl: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const base = testEnv({ EVOLUTION_API_KEY: GATEWAY_KEY, PACING_MODE: 'off' });
  prefix = base.REDIS_PREFIX!;
  gateway = await startSandboxGateway(loadConfig(base), {
    connectWaitMs: 20,
    createQrWaitMs: 20,
    statusDelaysMs: null,
    webhookRetry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
  });
  proxy = await startRoutingProxy(gateway.url);
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
  serviceUrl = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  await app?.close().catch(() => undefined);
  await runtime?.close().catch(() => undefined);
  await proxy?.close();
  await gateway?.close();
  await database?.destroy();
  if (prefix) await deletePrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
});

async function linked(name: string): Promise<ConnectedAdvisor> {
  // The emulator's control API is reached directly: only the service goes through the proxy.
  return connectedAdvisor({ url: serviceUrl, emulatorUrl: gateway.url, runtime }, name);
}

/** Whether the emulator still has the instance, asked with the global key past the proxy. */
async function gatewayHas(instanceName: string): Promise<boolean> {
  const res = await fetch(`${gateway.url}/instance/fetchInstances`, { headers: { apikey: GATEWAY_KEY } });
  const rows = (await res.json()) as { name: string }[];
  return rows.some((row) => row.name === instanceName);
}

describe("a proxy's 404 while it cannot reach Evolution", { timeout: 60_000 }, () => {
  it('is no lost instance: a refresh keeps the linked number connected', async () => {
    const ana = await linked('Ana Proxy');
    proxy.down = true;
    try {
      const res = await ana.client.get('/api/whatsapp/config?refresh=true');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('connected');
    } finally {
      proxy.down = false;
    }
    expect((await findConfig(runtime.ctx.db, ana.userId))!.status).toBe('connected');
  });

  it('is no deleted instance: a removal is refused and can be made once the proxy routes again', async () => {
    const bea = await linked('Bea Proxy');
    proxy.down = true;
    try {
      const res = await bea.client.delete('/api/whatsapp/config');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('gateway_unavailable');
    } finally {
      proxy.down = false;
    }
    // Nothing was forgotten on our side, and the instance (with the phone) is still there.
    const row = await findConfig(runtime.ctx.db, bea.userId);
    expect(row).toMatchObject({ status: 'connected', instanceName: bea.instanceName });
    expect(await gatewayHas(bea.instanceName)).toBe(true);

    expect((await bea.client.delete('/api/whatsapp/config')).status).toBe(200);
    expect(await gatewayHas(bea.instanceName)).toBe(false);
  });
});
