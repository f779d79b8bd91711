// GET /metrics: the process's Prometheus registry, to a loopback peer or with the bearer
// METRICS_TOKEN. The API serves it on PORT (ops.route.ts); a worker-only process on its own
// listener (api/metrics-server.ts). Kept apart from ops.route.ts so a worker does not load
// bull-board.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/app-error.js';
import { bearerToken } from '../../gateway/webhook-token.js';
import { registry } from '../../observability/prometheus.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Headers a reverse proxy adds to say whose request it forwards. Any of them means the loopback
 * peer is a proxy, not a local scraper: a minimal nginx sets `X-Real-IP` alone, and `Forwarded`
 * is the standard one (RFC 7239). Only `X-Forwarded-For` was looked at until 2026-12-06, so a
 * proxy on the same host sending one of the others served /metrics to the world.
 */
const FORWARDING_HEADERS = ['x-forwarded-for', 'x-real-ip', 'forwarded'] as const;

function mayScrape(request: FastifyRequest, token: string | null): boolean {
  const peer = request.socket.remoteAddress ?? '';
  const proxied = FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined);
  if (LOOPBACK.has(peer) && !proxied) return true;
  // The scheme is case-insensitive (RFC 9110): some scrapers send `bearer`.
  const bearer = bearerToken(request.headers.authorization);
  if (!token || !bearer) return false;
  const a = Buffer.from(bearer);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function prometheusRoute(app: FastifyInstance, metricsToken: string | null): void {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!mayScrape(request, metricsToken)) {
      throw new AppError(
        'unauthorized',
        '/metrics is served to loopback, or with Authorization: Bearer <METRICS_TOKEN>.',
      );
    }
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });
}
