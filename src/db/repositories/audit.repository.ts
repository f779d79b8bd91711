// The audit log: who sent what content to whom and when. Written in the same transaction as the
// message it describes; read by the advisor; pruned after the retention period.
import { and, asc, desc, eq, lt, not, sql } from 'drizzle-orm';
import { amongIds } from '../among-ids.js';
import type { DbOrTx } from '../client.js';
import { auditLog, whatsappMessage } from '../schema/index.js';

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

/**
 * Several entries in one statement, in the order given. The caller bounds the batch: each entry
 * takes seven parameters, and PostgreSQL takes at most 65,535 in a statement.
 */
export async function insertAudits(db: DbOrTx, advisorId: string, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insert(auditLog).values(entries.map((entry) => ({ advisorId, ...entry })));
}

/**
 * The advisor's entries, newest first, a page after the entry `beforeId` (a query: await it, or
 * explain it in the plan test).
 *
 * Ordered by (created_at, id), which audit_log_advisor_created_idx reads in order from the
 * advisor's newest entry, rather than by id alone: the primary key orders by id too, and the
 * planner, taking the advisor's entries for spread evenly among everyone's, walked it backwards
 * through every newer entry of every other advisor. For an advisor who had not written for a
 * while that was all entries written since (93 ms a first page at 850,000, bench:reads). The two
 * orders differ only between entries of concurrent transactions (created_at is when a
 * transaction began), and the cursor stays an entry's id.
 */
export function listAudit(db: DbOrTx, advisorId: string, page: { limit: number; beforeId?: number }) {
  // `desc nulls last`, as Drizzle builds the index's `.desc()`: a plain DESC (nulls first) would
  // not match it, and PostgreSQL would sort all of the advisor's entries.
  return db
    .select()
    .from(auditLog)
    .where(
      and(eq(auditLog.advisorId, advisorId), page.beforeId ? after(advisorId, page.beforeId) : undefined),
    )
    .orderBy(sql`${auditLog.createdAt} desc nulls last`, desc(auditLog.id))
    .limit(page.limit);
}

/**
 * Entries listed after `beforeId`: none when it names no entry of the advisor (pruned, or not
 * theirs). PostgreSQL starts the index scan at the row comparison's created_at.
 */
function after(advisorId: string, beforeId: number) {
  return sql`(${auditLog.createdAt}, ${auditLog.id}) < (select c.created_at, c.id from ${auditLog} c
    where c.advisor_id = ${advisorId} and c.id = ${beforeId})`;
}

/**
 * Retention: drops entries older than the cutoff, for every advisor (a system task), a batch at a
 * time; how many went. Ids grow with time (created_at is the insert's clock), so the oldest ids
 * are the old entries: each batch looks only at the first `batch` ids, through the primary key,
 * and deletes those past the cutoff. A batch that was not all old has reached the kept entries.
 * A single DELETE over the whole log read every row each hour (no index leads with created_at)
 * and, the first time on a large log, held every deleted id in memory in one long statement.
 *
 * The entry of a message counts its age from the message's last change, as media retention
 * does: a message scheduled up to 400 days ahead, still waiting, or sent within the period,
 * keeps the entry of who sent it and what (it used to go after the period however recent the
 * send, and a message scheduled further ahead than the period went out with no entry left).
 * Such entries are left out of the batches rather than skipped by the delete, so that kept
 * entries at the front of the log do not end a run before the old ones behind them.
 */
export async function pruneAudit(db: DbOrTx, olderThan: Date, batch = 5_000): Promise<number> {
  const cutoff = olderThan.toISOString();
  // Through the message's primary key: one probe per entry that names a message.
  const messageRecent = sql`exists (select 1 from ${whatsappMessage} m
    where m.id = ${auditLog.messageId} and m.advisor_id = ${auditLog.advisorId}
      and (m.unfinished or m.updated_at >= ${cutoff}::timestamptz))`;
  let pruned = 0;
  for (;;) {
    const oldest = db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(not(messageRecent))
      .orderBy(asc(auditLog.id))
      .limit(batch);
    const rows = await db
      .delete(auditLog)
      .where(and(amongIds(auditLog.id, oldest), lt(auditLog.createdAt, olderThan)))
      .returning({ id: auditLog.id });
    pruned += rows.length;
    if (rows.length < batch) return pruned;
  }
}
