// Per-caller limit on the HTTP API (429 + Retry-After), counted in Redis so every API process
// shares it. Keyed by API key or session cookie (hashed), else by IP. Webhooks and health
// probes are exempt: Evolution's retries and orchestrators must never be throttled.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';

const EXEMPT = [/^\/api\/whatsapp\/webhook/, /^\/health$/, /^\/ready$/, /^\/metrics$/, /^\/_emulator\//];

function callerKey(request: FastifyRequest): string {
  const key = request.headers['x-api-key'];
  const session = /better-auth\.session_token=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  const secret = typeof key === 'string' ? key : session;
  return secret ? createHash('sha256').update(secret).digest('hex').slice(0, 24) : `ip:${request.ip}`;
}

export async function registerApiRateLimit(
  app: FastifyInstance,
  redis: Redis,
  perMinute: number,
  prefix: string,
) {
  await app.register(rateLimit, {
    global: true,
    max: perMinute,
    timeWindow: 60_000,
    redis,
    nameSpace: `${prefix}:http-rl:`,
    // A Redis outage must not take the API down with it: the limiter steps aside.
    skipOnError: true,
    keyGenerator: callerKey,
    allowList: (request) => EXEMPT.some((re) => re.test(request.url.split('?')[0] ?? '')),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: {
        code: 'rate_limited',
        message: `Too many requests: at most ${context.max} per minute. Retry in ${Math.ceil(context.ttl / 1000)} s.`,
        details: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
      },
    }),
  });
}
