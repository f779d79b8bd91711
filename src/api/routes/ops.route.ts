// Operator endpoints: Prometheus /metrics (loopback, or a bearer METRICS_TOKEN) and the BullMQ
// queue UI (bull-board) for platform admins at /admin/queues.
import type { FastifyInstance } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import { AppError } from '../../domain/app-error.js';
import { registerCollectors } from '../../observability/prometheus.js';
import type { AppDeps } from '../deps.js';
import { requireCaller } from '../plugins/caller.js';
import { sendError } from '../plugins/error-handler.js';
import { redisUnavailable } from '../queue-ready.js';
import { prometheusRoute } from './prometheus.route.js';

export async function opsRoutes(app: FastifyInstance, deps: AppDeps, queues: Queue[]): Promise<void> {
  registerCollectors({ database: deps.database, queues });
  prometheusRoute(app, deps.config.metricsToken);

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  const adminOnly = requireCaller(deps.auth, deps.database.db, { admin: true });
  await app.register(
    async (scope) => {
      // bull-board installs its own error handler, so answer refusals here in our error body.
      // preParsing, not onRequest: the API rate limit counts the request in the route's own
      // onRequest, which runs after this scope's; checked there, guesses were never counted.
      scope.addHook('preParsing', async (request, reply) => {
        try {
          await adminOnly(request, reply);
        } catch (err) {
          if (err instanceof AppError) return sendError(reply, err);
          throw err;
        }
        // Its JSON API reads the queues through a connection that holds commands until Redis
        // returns: with Redis away every call hung unanswered (the page polls it). Answered like
        // any route needing Redis; the page and its assets need none.
        if (request.url.startsWith('/admin/queues/api/') && deps.redis.status !== 'ready') {
          return sendError(reply, redisUnavailable());
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: '/admin/queues' },
  );
}
