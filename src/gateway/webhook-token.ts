import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks the `Authorization: Bearer` token Evolution puts on a webhook when the instance's webhook
 * config has a `jwt_key` header (evolution-api.md §4.2): an HS256 JWT signed with that key, with
 * claims `{iat, exp: iat+600, app:"evolution", action:"webhook"}`. It does not cover the body.
 * Only HS256 is accepted, whatever the token's header claims, so `alg:"none"` and algorithm
 * confusion cannot get through.
 */
export type WebhookTokenCheck =
  | { ok: true }
  | { ok: false; reason: 'malformed' | 'bad_algorithm' | 'bad_signature' | 'expired' | 'wrong_claims' };

export interface WebhookTokenOptions {
  nowMs?: number;
  /** Tolerated clock difference with the gateway, in seconds. */
  leewaySeconds?: number;
}

const PART = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 4_096;

function readJsonObject(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The token from an `Authorization` header value (`Bearer <token>`, any case), or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1] ?? null;
}

export function verifyWebhookToken(
  token: string,
  secret: string,
  options: WebhookTokenOptions = {},
): WebhookTokenCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => PART.test(p))) return { ok: false, reason: 'malformed' };
  const [head, body, signature] = parts as [string, string, string];

  const header = readJsonObject(head);
  if (!header) return { ok: false, reason: 'malformed' };
  if (header.alg !== 'HS256') return { ok: false, reason: 'bad_algorithm' };

  // Compare the canonical encodings, so no other spelling of the same bytes verifies either.
  const expected = Buffer.from(createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }

  const claims = readJsonObject(body);
  if (!claims) return { ok: false, reason: 'malformed' };
  const nowSeconds = (options.nowMs ?? Date.now()) / 1000;
  const leeway = options.leewaySeconds ?? 30;
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp) || claims.exp + leeway <= nowSeconds) {
    return { ok: false, reason: 'expired' };
  }
  if (claims.app !== 'evolution' || claims.action !== 'webhook') return { ok: false, reason: 'wrong_claims' };
  return { ok: true };
}
