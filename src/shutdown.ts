// The order a process stops in: drain (/ready 503 while still serving), close HTTP letting the
// requests in flight finish, then the runtime (workers finish their jobs, then queues, Redis and
// the database), and a worker's metrics listener last so /health answers until the end.
import type { FastifyInstance } from 'fastify';
import type { Runtime } from './runtime.js';

/** How long requests in flight at close may run on before their connections are cut. */
const HTTP_CLOSE_GRACE_MS = 10_000;

/** The bound of each step of the runtime's close (src/runtime.ts), the workers' excepted. */
export const CLOSE_STEP_MS = 10_000;

/**
 * How long the workers may take to stop. A send in flight finishes, or its gateway request times
 * out, before the process goes: one abandoned mid-request leaves its row claimed until the claim
 * lapses (the request timeout + 5 s), and if Evolution took it and its echo never came, the worker
 * that takes it over sends it a second time.
 */
export const workersStopMs = (requestTimeoutMs: number) => Math.max(CLOSE_STEP_MS, requestTimeoutMs + 2_000);

/** When a stop that has not finished gives up: the drain, the HTTP grace, the workers, the rest. */
export const stopDeadlineMs = (drainMs: number, requestTimeoutMs: number) =>
  drainMs + HTTP_CLOSE_GRACE_MS + workersStopMs(requestTimeoutMs) + 15_000;

export interface StoppingService {
  app: FastifyInstance | null;
  runtime: Pick<Runtime, 'close' | 'lifecycle'>;
  metricsServer: FastifyInstance | null;
  drainMs: number;
}

export async function stopService(service: StoppingService): Promise<void> {
  const { app, runtime, metricsServer } = service;
  // From here every answer says Connection: close, and /ready tells the load balancer to move on.
  runtime.lifecycle.draining = true;
  if (app && service.drainMs > 0) await new Promise((r) => setTimeout(r, service.drainMs));
  if (app) {
    // An upload still arriving after the grace is cut rather than holding the deploy.
    const cut = setTimeout(() => app.server.closeAllConnections(), HTTP_CLOSE_GRACE_MS);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
    }
  }
  // After HTTP: a request answered 202 has enqueued its job before the queues close.
  await runtime.close();
  await metricsServer?.close();
}
