// The whole service with a reverse proxy of our own between it and the emulator, as Evolution is
// usually deployed (nginx, Traefik). While the proxy is `down` it answers Evolution's routes with
// the given outage answer (a 502 page, Traefik's 404…) instead of forwarding; the emulator's
// control API (/_emulator) always goes through, and tests may also reach the emulator directly.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/api/build-app.js';
import { loadConfig } from '../../src/config/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startSandboxGateway, type SandboxGateway } from '../../src/sandbox.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { deletePrefix, freePort, testEnv, type TestServiceOptions } from './service.js';

export interface OutageAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface GatewayProxy {
  url: string;
  /** While true, Evolution's routes get the outage answer. */
  down: boolean;
  close(): Promise<void>;
}

export interface ServiceBehindProxy {
  url: string;
  app: FastifyInstance;
  runtime: Runtime;
  database: TestDatabase;
  /** The emulator itself, past the proxy. */
  gateway: SandboxGateway;
  proxy: GatewayProxy;
  close(): Promise<void>;
}

export async function startGatewayProxy(target: string, outage: OutageAnswer): Promise<GatewayProxy> {
  const upstream = new URL(target);
  const proxy = { down: false } as GatewayProxy;
  const server = http.createServer((req, res) => {
    if (proxy.down && !req.url?.startsWith('/_emulator')) {
      res.writeHead(outage.status, { 'content-type': outage.contentType });
      res.end(outage.body);
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return proxy;
}

/** Starts the emulator, the proxy in front of it and the service (API and workers) behind it. */
export async function startServiceBehindProxy(
  env: Record<string, string>,
  outage: OutageAnswer,
  emulator: TestServiceOptions['emulator'] = {},
): Promise<ServiceBehindProxy> {
  const database = await createTestDatabase();
  const base = testEnv(env);
  const prefix = base.REDIS_PREFIX!;
  const started: Partial<ServiceBehindProxy> = { database };
  const close = async () => {
    await started.app?.close().catch(() => undefined);
    await started.runtime?.close().catch(() => undefined);
    await started.proxy?.close();
    await started.gateway?.close();
    await database.destroy();
    await deletePrefix(base.REDIS_URL!, prefix);
  };
  try {
    started.gateway = await startSandboxGateway(loadConfig(base), {
      connectWaitMs: 20,
      createQrWaitMs: 20,
      webhookRetry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
      ...emulator,
    });
    started.proxy = await startGatewayProxy(started.gateway.url, outage);
    const port = await freePort();
    const config = loadConfig({
      ...base,
      EVOLUTION_API_URL: started.proxy.url,
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    });
    started.runtime = await createRuntime(config, pino({ level: 'silent' }), 'all', { database });
    started.app = await buildApp(started.runtime);
    await started.app.listen({ port, host: '127.0.0.1' });
    return { ...(started as ServiceBehindProxy), url: `http://127.0.0.1:${port}`, close };
  } catch (err) {
    await close();
    throw err;
  }
}
