// Operator endpoints: Prometheus /metrics (loopback, or a bearer METRICS_TOKEN) and the BullMQ
// queue UI (bull-board) for platform admins at /admin/queues.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import { AppError } from '../../domain/app-error.js';
import { registerCollectors, registry } from '../../observability/prometheus.js';
import type { AppDeps } from '../deps.js';
import { requireCaller } from '../plugins/caller.js';
import { sendError } from '../plugins/error-handler.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function mayScrape(request: FastifyRequest, token: string | null): boolean {
  const peer = request.socket.remoteAddress ?? '';
  if (LOOPBACK.has(peer) && !request.headers['x-forwarded-for']) return true;
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (!token || !bearer) return false;
  const a = Buffer.from(bearer);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function opsRoutes(app: FastifyInstance, deps: AppDeps, queues: Queue[]): Promise<void> {
  registerCollectors({ db: deps.database.db, queues });

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!mayScrape(request, deps.config.metricsToken)) {
      throw new AppError(
        'unauthorized',
        '/metrics is served to loopback, or with Authorization: Bearer <METRICS_TOKEN>.',
      );
    }
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  const adminOnly = requireCaller(deps.auth, deps.database.db, { admin: true });
  await app.register(
    async (scope) => {
      // bull-board installs its own error handler, so answer refusals here in our error body.
      scope.addHook('onRequest', async (request, reply) => {
        try {
          await adminOnly(request, reply);
        } catch (err) {
          if (err instanceof AppError) return sendError(reply, err);
          throw err;
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: '/admin/queues' },
  );
}
