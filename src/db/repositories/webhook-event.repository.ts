// webhook_event rows: raw events stored before the acknowledgement, then processed by a worker.
// Scoped by advisor, except the system scans of the sweeper and of retention.
import { and, asc, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { amongIds } from '../among-ids.js';
import { rowsOf, type DbOrTx } from '../client.js';
import { preparedOnce } from '../prepared.js';
import { pendingReceipt, webhookEvent } from '../schema/index.js';

export type WebhookEventRow = typeof webhookEvent.$inferSelect;
export interface NewWebhookEvent {
  advisorId: string;
  event: string;
  payload: unknown;
  receivedAt: Date;
}

/**
 * One statement for the whole batch, with the rows as a single JSON parameter: building a
 * multi-row VALUES through Drizzle cost a tenth of webhook ingestion (per-value checks), and a
 * 200-row batch would need 800 parameters. Ids come back in the order of `rows` (PostgreSQL
 * inserts, and returns, the rows of jsonb_to_recordset in array order).
 */
export async function insertWebhookEvents(db: DbOrTx, rows: readonly NewWebhookEvent[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const json = JSON.stringify(
    rows.map((r) => ({
      advisor_id: r.advisorId,
      event: r.event,
      payload: r.payload,
      received_at: r.receivedAt.toISOString(),
    })),
  );
  const result = await db.execute(sql`
    insert into webhook_event (advisor_id, event, payload, received_at)
    select r.advisor_id, r.event, r.payload, r.received_at
    from jsonb_to_recordset(${json}::jsonb) as r(advisor_id text, event text, payload jsonb, received_at timestamptz)
    returning id`);
  // int8 comes back as a string from node-postgres.
  return rowsOf<{ id: unknown }>(result).map((r) => Number(r.id));
}

export async function findWebhookEvent(
  db: DbOrTx,
  advisorId: string,
  id: number,
): Promise<WebhookEventRow | null> {
  // Once per processed event: built once per database handle.
  const statement = preparedOnce(db, 'ww_find_webhook_event', (d) =>
    d
      .select()
      .from(webhookEvent)
      .where(
        and(
          eq(webhookEvent.advisorId, sql.placeholder('advisorId')),
          eq(webhookEvent.id, sql.placeholder('id')),
        ),
      )
      .limit(1)
      .prepare('ww_find_webhook_event'),
  );
  const [row] = await statement.execute({ advisorId, id });
  return row ?? null;
}

/** Done with it: processed, or given up on (then `error` says why). */
export async function markWebhookEventDone(
  db: DbOrTx,
  advisorId: string,
  id: number,
  error: string | null,
): Promise<void> {
  const statement = preparedOnce(db, 'ww_mark_webhook_event_done', (d) =>
    d
      .update(webhookEvent)
      .set({
        processedAt: sql`${sql.placeholder('now')}::timestamptz`,
        error: sql`${sql.placeholder('error')}`,
      })
      .where(
        and(
          eq(webhookEvent.advisorId, sql.placeholder('advisorId')),
          eq(webhookEvent.id, sql.placeholder('id')),
        ),
      )
      .prepare('ww_mark_webhook_event_done'),
  );
  await statement.execute({ advisorId, id, error, now: new Date().toISOString() });
}

/**
 * System read for a batch job: the events of one stored batch that are still unprocessed. The
 * ids come from our own insert (each row names its advisor, and is processed as that advisor).
 */
export async function listUnprocessedWebhookEventsByIds(
  db: DbOrTx,
  ids: readonly number[],
): Promise<WebhookEventRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(webhookEvent)
    .where(and(inArray(webhookEvent.id, [...ids]), isNull(webhookEvent.processedAt)))
    .orderBy(asc(webhookEvent.id));
}

/** Marks a batch's processed events done in one statement (system write, ids from the batch). */
export async function markWebhookEventsDone(db: DbOrTx, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(webhookEvent)
    .set({ processedAt: new Date(), error: null })
    .where(inArray(webhookEvent.id, [...ids]));
}

/** A failed attempt that will be retried: keep the reason visible meanwhile. */
export async function recordWebhookEventError(
  db: DbOrTx,
  advisorId: string,
  id: number,
  error: string,
): Promise<void> {
  await db
    .update(webhookEvent)
    .set({ error })
    .where(and(eq(webhookEvent.advisorId, advisorId), eq(webhookEvent.id, id)));
}

/** System scan for the sweeper: unprocessed events received before the cutoff, in id order. */
export async function listUnprocessedWebhookEvents(
  db: DbOrTx,
  options: { receivedBefore: Date; afterId: number; limit: number },
): Promise<{ id: number; advisorId: string }[]> {
  return db
    .select({ id: webhookEvent.id, advisorId: webhookEvent.advisorId })
    .from(webhookEvent)
    .where(
      and(
        isNull(webhookEvent.processedAt),
        lt(webhookEvent.receivedAt, options.receivedBefore),
        sql`${webhookEvent.id} > ${options.afterId}`,
      ),
    )
    .orderBy(asc(webhookEvent.id))
    .limit(options.limit);
}

/** Retention: drops processed events received before the cutoff, a batch at a time. */
export async function pruneWebhookEvents(db: DbOrTx, receivedBefore: Date, batch = 5_000): Promise<number> {
  // Ids grow with time, so walking the primary key from the start finds the old rows first.
  const old = db
    .select({ id: webhookEvent.id })
    .from(webhookEvent)
    .where(and(isNotNull(webhookEvent.processedAt), lt(webhookEvent.receivedAt, receivedBefore)))
    .orderBy(asc(webhookEvent.id))
    .limit(batch);
  const rows = await db
    .delete(webhookEvent)
    .where(amongIds(webhookEvent.id, old))
    .returning({ id: webhookEvent.id });
  return rows.length;
}

/** Receipts parked for an id that never showed up (a message sent by another tool): drop them. */
export async function prunePendingReceipts(db: DbOrTx, before: Date): Promise<number> {
  const rows = await db
    .delete(pendingReceipt)
    .where(lt(pendingReceipt.at, before))
    .returning({ id: pendingReceipt.evolutionMessageId });
  return rows.length;
}
