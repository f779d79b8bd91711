// The audit log: who sent what content to whom and when. Written in the same transaction as the
// message it describes; read by the advisor; pruned after the retention period.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
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

/** Retention: drops entries older than the cutoff, for every advisor (a system task). */
export async function pruneAudit(db: DbOrTx, olderThan: Date): Promise<number> {
  const rows = await db
    .delete(auditLog)
    .where(lt(auditLog.createdAt, olderThan))
    .returning({ id: auditLog.id });
  return rows.length;
}
