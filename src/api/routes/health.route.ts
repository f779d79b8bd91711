// Liveness and readiness for orchestrators: /health says the process answers, /ready says which
// dependency is missing.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { pingRedis } from '../../jobs/redis.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../../domain/app-error.js';

const check = z.object({ ok: z.boolean(), error: z.string().optional() });
const readyBody = z.object({ status: z.literal('ready'), checks: z.record(z.string(), check) });

async function probe(fn: () => Promise<void>): Promise<z.infer<typeof check>> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** GET /health: the process answers. Also served by a worker's metrics listener. */
export function livenessRoute(app: FastifyInstance): void {
  app
    .withTypeProvider<ZodTypeProvider>()
    .get(
      '/health',
      { schema: { tags: ['ops'], response: { 200: z.object({ status: z.literal('ok') }) } } },
      async () => ({ status: 'ok' as const }),
    );
}

export function healthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  livenessRoute(app);
  r.get('/ready', { schema: { tags: ['ops'], response: { 200: readyBody } } }, async () => {
    if (deps.lifecycle.draining) {
      throw new AppError('service_unavailable', 'Not ready: shutting down.', { draining: true });
    }
    const [database, redis] = await Promise.all([
      probe(() => deps.database.ping()),
      probe(() => pingRedis(deps.redis)),
    ]);
    const checks = { database, redis };
    if (database.ok && redis.ok) return { status: 'ready' as const, checks };
    const down = Object.entries(checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    // Every non-2xx carries the documented error body; the checks say which dependency is down.
    throw new AppError('service_unavailable', `Not ready: ${down.join(' and ')} unavailable.`, { checks });
  });
}
