// Receipts (MESSAGES_UPDATE) that arrived before the Evolution id they name was recorded: parked
// in pending_receipt and applied once the message holds the id. They are read, applied, and only
// then deleted, each exactly as it was read: a failure in between (the database briefly away, a
// crash, a statement error) leaves them parked for the next attempt, which applies them again
// (statuses only move forward, so a second application changes nothing). Taken (deleted) before
// being applied, such a failure lost them for good.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { sharedStatement } from '../coalesce.js';
import { preparedOnce } from '../prepared.js';
import { pendingReceipt } from '../schema/index.js';
import { parkedForStoredMessages, type ParkedForStored } from './parked-for-stored.js';

export type PendingReceiptRow = typeof pendingReceipt.$inferSelect;

export async function savePendingReceipt(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
  status: string,
  at: Date,
): Promise<void> {
  await db.insert(pendingReceipt).values({ advisorId, evolutionMessageId, status, at }).onConflictDoNothing();
}

/**
 * The receipts parked for this message, left in place (deletePendingReceipts once applied). The
 * send worker asks after every mark-sent, so concurrent asks share one statement (coalesce.ts).
 */
export async function findPendingReceipts(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
): Promise<PendingReceiptRow[]> {
  return sharedStatement(
    db,
    'find_pending_receipts',
    findManyPendingReceipts,
  )({ advisorId, evolutionMessageId });
}

async function findManyPendingReceipts(
  db: DbOrTx,
  asks: { advisorId: string; evolutionMessageId: string }[],
): Promise<PendingReceiptRow[][]> {
  const statement = preparedOnce(db, 'ww_find_pending_receipts_many', (d) =>
    d
      .select()
      .from(pendingReceipt)
      .where(
        sql`(${pendingReceipt.advisorId}, ${pendingReceipt.evolutionMessageId}) in (select * from unnest(
          ${sql.placeholder('advisorIds')}::text[], ${sql.placeholder('evolutionMessageIds')}::text[]))`,
      )
      .prepare('ww_find_pending_receipts_many'),
  );
  const rows = await statement.execute({
    advisorIds: asks.map((a) => a.advisorId),
    evolutionMessageIds: asks.map((a) => a.evolutionMessageId),
  });
  const byKey = new Map<string, PendingReceiptRow[]>();
  for (const row of rows) {
    const key = `${row.advisorId} ${row.evolutionMessageId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  // Two asks for the same message both get its receipts: both apply them, which moves it once.
  return asks.map((a) => byKey.get(`${a.advisorId} ${a.evolutionMessageId}`) ?? []);
}

/**
 * Deletes these parked receipts once applied: each only as it was read (same status and time), so
 * nothing parked since is dropped unapplied.
 */
export async function deletePendingReceipts(
  db: DbOrTx,
  receipts: readonly PendingReceiptRow[],
): Promise<void> {
  if (receipts.length === 0) return;
  const p = pendingReceipt;
  const advisors = sql.param(receipts.map((r) => r.advisorId));
  const ids = sql.param(receipts.map((r) => r.evolutionMessageId));
  const statuses = sql.param(receipts.map((r) => r.status));
  const ats = sql.param(receipts.map((r) => r.at.toISOString()));
  await db.delete(p).where(
    sql`(${p.advisorId}, ${p.evolutionMessageId}, ${p.status}, ${p.at}) in (select * from unnest(
        ${advisors}::text[], ${ids}::text[], ${statuses}::text[], ${ats}::timestamptz[]))`,
  );
}

/**
 * Messages with receipts still parked although the message holds their id by now: the path that
 * recorded the id stopped before applying them (a failed statement, a crash) and nothing runs it
 * again (an echo's retry finds its lost send adopted already, a stalled send job finds its message
 * sent), or it looks for none (a group message). The webhook sweep applies them.
 */
export async function listStoredWithPendingReceipts(db: DbOrTx, limit: number): Promise<ParkedForStored[]> {
  return parkedForStoredMessages(db, pendingReceipt, limit);
}
