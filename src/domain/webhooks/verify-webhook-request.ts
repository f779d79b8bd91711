// "Verifying webhooks" (evolution-api.md, Our decisions): a request proves it comes from an
// instance by a Bearer JWT signed with that instance's webhook secret, or by the secret itself in
// `x-webhook-secret`; a signing proxy's `x-hub-signature-256`, when present, must also match the
// raw body. The secret is per instance, so it can only ever vouch for its own advisor's events.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { bearerToken, verifyWebhookToken } from '../../gateway/index.js';

export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** Every reason, so that metrics can show each one from the start, at 0 until it first happens. */
export const REJECT_REASONS = [
  'unknown_instance',
  'no_credentials',
  'bad_token',
  'expired_token',
  'bad_secret',
  'bad_body_signature',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type VerifyOutcome = { ok: true; by: 'jwt' | 'secret' } | { ok: false; reason: RejectReason };

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bodySignatureMatches(header: string, rawBody: Buffer, secret: string): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected);
}

export function verifyWebhookRequest(
  headers: WebhookHeaders,
  rawBody: Buffer,
  secret: string,
  nowMs: number = Date.now(),
): VerifyOutcome {
  const hubSignature = headers['x-hub-signature-256'];
  if (hubSignature !== undefined) {
    const value = single(hubSignature);
    if (value === undefined || !bodySignatureMatches(value, rawBody, secret)) {
      return { ok: false, reason: 'bad_body_signature' };
    }
  }

  const token = bearerToken(single(headers.authorization));
  const tokenCheck = token === null ? null : verifyWebhookToken(token, secret, { nowMs });
  if (tokenCheck?.ok) return { ok: true, by: 'jwt' };

  const given = single(headers['x-webhook-secret']);
  if (given !== undefined && sameText(given, secret)) return { ok: true, by: 'secret' };

  if (tokenCheck && !tokenCheck.ok)
    return { ok: false, reason: tokenCheck.reason === 'expired' ? 'expired_token' : 'bad_token' };
  if (given !== undefined) return { ok: false, reason: 'bad_secret' };
  return { ok: false, reason: 'no_credentials' };
}
