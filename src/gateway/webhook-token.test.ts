import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerToken, verifyWebhookToken } from './webhook-token.js';

// Tokens built by hand from evolution-api.md §4.2 (not with the emulator's signer).
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function sign(
  claims: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
) {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

const now = 1_773_027_345_000;
const iat = Math.floor(now / 1000);
const good = { iat, exp: iat + 600, app: 'evolution', action: 'webhook' };

describe('verifyWebhookToken', () => {
  it('accepts what Evolution signs with the jwt_key', () => {
    expect(verifyWebhookToken(sign(good, 's3cret'), 's3cret', { nowMs: now })).toEqual({ ok: true });
  });

  it('rejects another secret, a tampered payload and a re-encoded signature', () => {
    const token = sign(good, 's3cret');
    expect(verifyWebhookToken(token, 'other', { nowMs: now })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64({ ...good, exp: iat + 99_999 })}.${s}`;
    expect(verifyWebhookToken(forged, 's3cret', { nowMs: now }).ok).toBe(false);
    // Same bytes, non-canonical spelling (padding) → refused.
    expect(verifyWebhookToken(`${token}=`, 's3cret', { nowMs: now }).ok).toBe(false);
  });

  it('rejects expired tokens beyond the leeway, and wrong claims', () => {
    const expired = sign({ ...good, exp: iat - 31 }, 's');
    expect(verifyWebhookToken(expired, 's', { nowMs: now })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyWebhookToken(sign({ ...good, exp: iat - 5 }, 's'), 's', { nowMs: now }).ok).toBe(true);
    expect(verifyWebhookToken(sign({ ...good, exp: undefined }, 's'), 's', { nowMs: now }).ok).toBe(false);
    expect(verifyWebhookToken(sign({ ...good, app: 'other' }, 's'), 's', { nowMs: now })).toEqual({
      ok: false,
      reason: 'wrong_claims',
    });
    expect(verifyWebhookToken(sign({ ...good, action: 'login' }, 's'), 's', { nowMs: now }).ok).toBe(false);
  });

  it('accepts only HS256: alg none and other algorithms are refused', () => {
    const none = `${b64({ alg: 'none' })}.${b64(good)}.`;
    expect(verifyWebhookToken(none, 's', { nowMs: now })).toEqual({ ok: false, reason: 'malformed' });
    const hs512 = sign(good, 's', { alg: 'HS512' });
    expect(verifyWebhookToken(hs512, 's', { nowMs: now })).toEqual({ ok: false, reason: 'bad_algorithm' });
  });

  it('never throws on garbage', () => {
    for (const junk of ['', '.', '..', 'a.b.c', 'x'.repeat(10_000), `${b64([1])}.${b64(1)}.zz`, 'é.é.é']) {
      expect(verifyWebhookToken(junk, 's', { nowMs: now }).ok).toBe(false);
    }
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header, any case', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
  });
});
