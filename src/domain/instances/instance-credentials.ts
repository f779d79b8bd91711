// Names and secrets for an advisor's Evolution instance. The name is derived from the advisor id
// (stable, URL-safe, unique per advisor) so that concurrent or repeated connects can only ever
// address one instance; token and webhook secret are random and stored sealed.
import { createHash, randomBytes } from 'node:crypto';
import type { ConfigRow } from '../../db/repositories/whatsapp-config.repository.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { InstanceRef } from '../../gateway/index.js';

export function instanceNameFor(advisorId: string): string {
  return `adv_${createHash('sha256').update(advisorId).digest('hex').slice(0, 20)}`;
}

export function newInstanceSecrets(): { token: string; webhookSecret: string } {
  return {
    token: randomBytes(24).toString('hex').toUpperCase(),
    webhookSecret: randomBytes(32).toString('base64url'),
  };
}

export function instanceRefOf(box: SecretBox, row: ConfigRow): InstanceRef | null {
  if (!row.instanceName || !row.instanceTokenEnc) return null;
  return { instanceName: row.instanceName, token: box.open(row.instanceTokenEnc) };
}

export function webhookSecretOf(box: SecretBox, row: ConfigRow): string | null {
  return row.webhookSecretEnc ? box.open(row.webhookSecretEnc) : null;
}
