// The HTTP listener of a worker-only process (`serve --role worker` with METRICS_PORT): GET
// /metrics and GET /health, a 404 for anything else. The same handlers, access rule and error
// body as the API's; main.ts listens and closes it.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { registerErrorHandler } from './plugins/error-handler.js';
import { livenessRoute } from './routes/health.route.js';
import { prometheusRoute } from './routes/prometheus.route.js';

export function buildMetricsServer(logger: Logger, metricsToken: string | null): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger.child({ component: 'metrics' }) as FastifyBaseLogger,
    forceCloseConnections: true,
    // A scrape every few seconds is not worth two log lines each.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  livenessRoute(app);
  prometheusRoute(app, metricsToken);
  return app;
}
