// HS256 JSON Web Token, as the gateway signs webhooks when the config has a `jwt_key` header. Written on
// node:crypto so the emulator shares nothing with the client's verifier.
import { createHmac } from 'node:crypto';

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

export function signHs256(payload: Record<string, unknown>, secret: string): string {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(payload));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** The claims the gateway puts in a webhook token: valid ten minutes, computed once per event. */
export function webhookToken(secret: string, nowMs: number = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  return signHs256({ iat, exp: iat + 600, app: 'evolution', action: 'webhook' }, secret);
}
