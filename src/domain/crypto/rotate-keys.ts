// `rotate-keys`: re-seals every stored credential under the current ENCRYPTION_KEY. Run it after
// moving the old key to ENCRYPTION_KEYS; once it reports nothing stale the old key can go.
import { eq, isNotNull, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { whatsappConfig } from '../../db/schema/index.js';
import type { SecretBox } from './secret-box.js';

export interface RotationReport {
  scanned: number;
  resealed: number;
}

export async function rotateKeys(
  db: Db,
  box: SecretBox,
  onProgress?: (done: number, total: number) => void,
): Promise<RotationReport> {
  const rows = await db
    .select({
      advisorId: whatsappConfig.advisorId,
      token: whatsappConfig.instanceTokenEnc,
      secret: whatsappConfig.webhookSecretEnc,
    })
    .from(whatsappConfig)
    .where(or(isNotNull(whatsappConfig.instanceTokenEnc), isNotNull(whatsappConfig.webhookSecretEnc)));
  let resealed = 0;
  for (const [i, row] of rows.entries()) {
    const reseal = (v: string | null) => (v && box.isStale(v) ? box.seal(box.open(v)) : v);
    const token = reseal(row.token);
    const secret = reseal(row.secret);
    if (token !== row.token || secret !== row.secret) {
      await db
        .update(whatsappConfig)
        .set({ instanceTokenEnc: token, webhookSecretEnc: secret, updatedAt: new Date() })
        .where(eq(whatsappConfig.advisorId, row.advisorId));
      resealed++;
    }
    onProgress?.(i + 1, rows.length);
  }
  return { scanned: rows.length, resealed };
}
