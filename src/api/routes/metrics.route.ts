// Metrics over a time range: the advisor's own (GET /api/whatsapp/metrics) and the platform's
// (GET /api/admin/metrics, admin only). Default range: the last 30 days.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  ensureConfig,
  lastConnectionEventBefore,
  listConnectionEvents,
} from '../../db/repositories/whatsapp-config.repository.js';
import { AppError } from '../../domain/app-error.js';
import { readSettings } from '../../domain/instances/advisor-settings.js';
import { computeMetrics, type MetricsRange } from '../../domain/metrics/compute-metrics.js';
import type { AppDeps } from '../deps.js';
import { callerOf, requireCaller } from '../plugins/caller.js';
import { assertRangeRunsForward } from '../time-range.js';
import { queryInstantSchema } from '../schemas/instant.schema.js';

const rangeQuery = z.object({
  since: queryInstantSchema.optional(),
  until: queryInstantSchema.optional(),
});
const MAX_RANGE_MS = 400 * 86_400_000;

function rangeOf(query: z.infer<typeof rangeQuery>): MetricsRange {
  const until = query.until ? new Date(query.until) : new Date();
  const since = query.since ? new Date(query.since) : new Date(until.getTime() - 30 * 86_400_000);
  assertRangeRunsForward(since, until, { start: 'since', end: 'until' });
  if (until.getTime() - since.getTime() > MAX_RANGE_MS) {
    throw new AppError('validation_failed', 'The range is at most 400 days.', {
      fields: [{ field: 'since', message: 'range too long' }],
    });
  }
  return { since, until };
}

export function metricsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;

  r.get(
    '/api/whatsapp/metrics',
    { preParsing: requireCaller(deps.auth, db), schema: { tags: ['metrics'], querystring: rangeQuery } },
    async (request) => {
      const { advisorId } = callerOf(request);
      const range = rangeOf(request.query);
      // Days are the advisor's own: a message at 00:30 in Madrid belongs to that date, not UTC's.
      const { timezone } = readSettings((await ensureConfig(db, advisorId)).settings, deps.ctx.bounds);
      // The changes inside the range say nothing of the time before the first of them: the state
      // the range began in is the last change before it (the dashboard colours its strip from it).
      const [metrics, history, atStart] = await Promise.all([
        computeMetrics(db, advisorId, range, timezone),
        listConnectionEvents(db, advisorId, range.since, range.until),
        lastConnectionEventBefore(db, advisorId, range.since),
      ]);
      return { ...metrics, connectionHistory: history, connectionAtStart: atStart };
    },
  );

  r.get(
    '/api/admin/metrics',
    {
      preParsing: requireCaller(deps.auth, db, { admin: true }),
      schema: { tags: ['admin', 'metrics'], querystring: rangeQuery },
    },
    async (request) => computeMetrics(db, null, rangeOf(request.query)),
  );
}
