// `rotate-keys`: re-seals every stored credential under the current ENCRYPTION_KEY. Run it after
// moving the old key to ENCRYPTION_KEYS; once it reports nothing stale the old key can go.
//
// It runs while the service is up. Each row is rewritten only if its ciphertexts are still the
// ones that were read (compare-and-set): an advisor connecting (new credentials) or removing
// their connection (credentials cleared) between the read and the write wins, and the row is
// counted as skipped instead of getting the old credentials written back over the change.
import { and, eq, isNotNull, isNull, or, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.js';
import { whatsappConfig } from '../../db/schema/index.js';
import type { SecretBox } from './secret-box.js';

export interface RotationReport {
  scanned: number;
  resealed: number;
  /** Rows that changed between the read and the write, left as the concurrent change made them. */
  skipped: number;
}

export interface RotationHooks {
  onProgress?: (done: number, total: number) => void;
  /** Called between reading a row and writing it back (tests use it to race a change in). */
  beforeWrite?: (advisorId: string) => Promise<void>;
}

const unchanged = (column: AnyPgColumn, read: string | null): SQL =>
  read === null ? isNull(column) : eq(column, read);

export async function rotateKeys(
  db: Db,
  box: SecretBox,
  hooks: RotationHooks | ((done: number, total: number) => void) = {},
): Promise<RotationReport> {
  const { onProgress, beforeWrite } = typeof hooks === 'function' ? { onProgress: hooks } : hooks;
  const rows = await db
    .select({
      advisorId: whatsappConfig.advisorId,
      token: whatsappConfig.instanceTokenEnc,
      secret: whatsappConfig.webhookSecretEnc,
    })
    .from(whatsappConfig)
    .where(or(isNotNull(whatsappConfig.instanceTokenEnc), isNotNull(whatsappConfig.webhookSecretEnc)));
  let resealed = 0;
  let skipped = 0;
  for (const [i, row] of rows.entries()) {
    const reseal = (v: string | null) => (v && box.isStale(v) ? box.seal(box.open(v)) : v);
    const token = reseal(row.token);
    const secret = reseal(row.secret);
    if (token !== row.token || secret !== row.secret) {
      await beforeWrite?.(row.advisorId);
      const written = await db
        .update(whatsappConfig)
        .set({ instanceTokenEnc: token, webhookSecretEnc: secret, updatedAt: new Date() })
        .where(
          and(
            eq(whatsappConfig.advisorId, row.advisorId),
            unchanged(whatsappConfig.instanceTokenEnc, row.token),
            unchanged(whatsappConfig.webhookSecretEnc, row.secret),
          ),
        )
        .returning({ advisorId: whatsappConfig.advisorId });
      if (written.length > 0) resealed++;
      else skipped++;
    }
    onProgress?.(i + 1, rows.length);
  }
  return { scanned: rows.length, resealed, skipped };
}
