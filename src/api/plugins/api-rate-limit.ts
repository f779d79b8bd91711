// Per-caller limit on the HTTP API (429 + Retry-After), counted in Redis so every API process
// shares it. Webhooks and health probes are exempt: Evolution's retries and orchestrators must
// never be throttled.
//
// Who is "the caller" decides whether the limit can be dodged. A credential (API key, session
// cookie) has its own allowance only once it has been seen to be valid: a made-up x-api-key or
// cookie on every request used to buy a fresh allowance each time. Until then a request counts
// against its IP address. Sign-in, sign-up and the other better-auth POSTs (password guessing)
// always count against the IP, in a stricter bucket of their own.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';

const EXEMPT = [/^\/api\/whatsapp\/webhook/, /^\/health$/, /^\/ready$/, /^\/metrics$/, /^\/_emulator\//];

/** Credentials this process has seen authenticate, by hash; bounded, oldest forgotten first. */
const VERIFIED_LIMIT = 20_000;
const verified = new Set<string>();

// callerKey hashes the credential on every request; an authenticated one needs it again to be
// marked verified, so it is kept for the request's lifetime instead of hashed twice.
const hashes = new WeakMap<FastifyRequest, string | null>();

function credentialHash(request: FastifyRequest): string | null {
  const known = hashes.get(request);
  if (known !== undefined) return known;
  const hash = hashOf(request);
  hashes.set(request, hash);
  return hash;
}

function hashOf(request: FastifyRequest): string | null {
  const key = request.headers['x-api-key'];
  const session = /better-auth\.session_token=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  const secret = typeof key === 'string' && key.length > 0 ? key : session;
  return secret ? createHash('sha256').update(secret).digest('hex').slice(0, 24) : null;
}

/** Called once a request's credential has authenticated: from now on it has its own allowance. */
export function markCredentialVerified(request: FastifyRequest): void {
  const hash = credentialHash(request);
  if (!hash || verified.has(hash)) return;
  if (verified.size >= VERIFIED_LIMIT) verified.delete(verified.values().next().value!);
  verified.add(hash);
}

const isCredentialAttempt = (request: FastifyRequest) =>
  request.method === 'POST' && request.url.startsWith('/api/auth/');

export function callerKey(request: FastifyRequest): string {
  if (isCredentialAttempt(request)) return `auth-ip:${request.ip}`;
  const hash = credentialHash(request);
  return hash && verified.has(hash) ? hash : `ip:${request.ip}`;
}

export async function registerApiRateLimit(
  app: FastifyInstance,
  redis: Redis,
  limits: { perMinute: number; authPerMinute: number },
  prefix: string,
) {
  await app.register(rateLimit, {
    global: true,
    max: (request) => (isCredentialAttempt(request) ? limits.authPerMinute : limits.perMinute),
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
