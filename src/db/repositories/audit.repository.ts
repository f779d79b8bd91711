// The audit log: who sent what content to whom and when. Written in the same transaction as the
// message it describes; read by the advisor; pruned after the retention period.
import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import { amongIds } from '../among-ids.js';
import type { DbOrTx } from '../client.js';
import { auditLog } from '../schema/index.js';

export type AuditRow = typeof auditLog.$inferSelect;
export interface AuditEntry {
  actorType: 'advisor' | 'api_key' | 'automation' | 'admin' | 'system';
  actorId: string | null;
  action: string;
  messageId?: string | null;
  phone?: string | null;
  content?: Record<string, unknown> | null;
}

export async function insertAudit(db: DbOrTx, advisorId: string, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({ advisorId, ...entry });
}

export async function listAudit(
  db: DbOrTx,
  advisorId: string,
  page: { limit: number; beforeId?: number; since?: Date; until?: Date },
): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.advisorId, advisorId),
        page.beforeId ? lt(auditLog.id, page.beforeId) : undefined,
        page.since ? sql`${auditLog.createdAt} >= ${page.since}` : undefined,
        page.until ? sql`${auditLog.createdAt} < ${page.until}` : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(page.limit);
}

/**
 * Retention: drops entries older than the cutoff, for every advisor (a system task), a batch at a
 * time; how many went. Ids grow with time (created_at is the insert's clock), so the oldest ids
 * are the old entries: each batch looks only at the first `batch` ids, through the primary key,
 * and deletes those past the cutoff. A batch that was not all old has reached the kept entries.
 * A single DELETE over the whole log read every row each hour (no index leads with created_at)
 * and, the first time on a large log, held every deleted id in memory in one long statement.
 */
export async function pruneAudit(db: DbOrTx, olderThan: Date, batch = 5_000): Promise<number> {
  let pruned = 0;
  for (;;) {
    const oldest = db.select({ id: auditLog.id }).from(auditLog).orderBy(asc(auditLog.id)).limit(batch);
    const rows = await db
      .delete(auditLog)
      .where(and(amongIds(auditLog.id, oldest), lt(auditLog.createdAt, olderThan)))
      .returning({ id: auditLog.id });
    pruned += rows.length;
    if (rows.length < batch) return pruned;
  }
}
