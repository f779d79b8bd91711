// The JWT Evolution API signs each webhook with (HS256 with the instance's `jwt_key`, 10 minutes
// of life; evolution-api.md §4), made by a load generator that plays Evolution.
import { createHmac } from 'node:crypto';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function evolutionWebhookToken(secret: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat, exp: iat + 600, app: 'evolution', action: 'webhook' })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
