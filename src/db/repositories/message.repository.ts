// whatsapp_message rows: the outbox and the history. Every function is scoped by advisor except
// the sweeper's system scan. Status writes are conditional so they can only move forward.
import { and, eq, getTableColumns, inArray, isNull, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../client.js';
import { sharedStatement } from '../coalesce.js';
import { preparedOnce } from '../prepared.js';
import { supersededSend, whatsappMessage } from '../schema/index.js';

export type MessageRow = typeof whatsappMessage.$inferSelect;
export type NewMessage = Omit<typeof whatsappMessage.$inferInsert, 'advisorId'>;

/** The error code of a message WhatsApp itself reported as failed (an ERROR receipt). */
const DELIVERY_FAILED = 'delivery_failed';

const RANK_SQL = sql`case ${whatsappMessage.status} when 'scheduled' then 0 when 'queued' then 1 when 'sending' then 2 when 'sent' then 3 when 'delivered' then 4 when 'read' then 5 else -1 end`;

export async function insertMessage(db: DbOrTx, advisorId: string, values: NewMessage): Promise<MessageRow> {
  const [row] = await db
    .insert(whatsappMessage)
    .values({ ...values, advisorId })
    .returning();
  return row!;
}

export async function findMessage(db: DbOrTx, advisorId: string, id: string): Promise<MessageRow | null> {
  const [row] = await db
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, advisorId), eq(whatsappMessage.id, id)))
    .limit(1);
  return row ?? null;
}

export async function findByIdempotencyKey(
  db: DbOrTx,
  advisorId: string,
  key: string,
): Promise<MessageRow | null> {
  const [row] = await db
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, advisorId), eq(whatsappMessage.idempotencyKey, key)))
    .limit(1);
  return row ?? null;
}

export interface MessageFilters {
  status?: string;
  direction?: string;
  phone?: string;
  /**
   * Numbers containing these digits (digits only: nothing in it is a LIKE wildcard). With `phone`
   * too, a message matches either.
   */
  phoneDigits?: string;
  templateKey?: string;
  appointmentId?: string;
  since?: Date;
  until?: Date;
}

/**
 * An advisor's messages, newest first, a page at a time. The ORDER BY says NULLS LAST, as
 * whatsapp_message_advisor_created_idx (and the phone filter's whatsapp_message_advisor_phone_idx)
 * is built: both columns are NOT NULL, so the order is the same, but written as plain DESC (NULLS
 * FIRST) PostgreSQL did not use the index for it, and every page read and sorted all of the
 * advisor's messages (100,000 of them: 75 ms a page, against 0.2 ms). The cursor is a row
 * comparison for the same reason: the index can start at it. Awaited for the rows; the query
 * itself for its plan (test/messages/history-plans.test.ts).
 */
export function listMessages(
  db: DbOrTx,
  advisorId: string,
  filters: MessageFilters,
  page: { limit: number; before?: { createdAt: Date; id: string } },
) {
  const conditions: SQL[] = [eq(whatsappMessage.advisorId, advisorId)];
  if (filters.status) conditions.push(eq(whatsappMessage.status, filters.status));
  if (filters.direction) conditions.push(eq(whatsappMessage.direction, filters.direction));
  const exactPhone = filters.phone ? eq(whatsappMessage.phone, filters.phone) : undefined;
  const phoneContains = filters.phoneDigits
    ? like(whatsappMessage.phone, `%${filters.phoneDigits}%`)
    : undefined;
  // Both: digits that make a whole number and may as well be a national one (phone-filter.ts).
  const phone = exactPhone && phoneContains ? or(exactPhone, phoneContains) : (exactPhone ?? phoneContains);
  if (phone) conditions.push(phone);
  if (filters.templateKey) conditions.push(eq(whatsappMessage.templateKey, filters.templateKey));
  if (filters.appointmentId) conditions.push(eq(whatsappMessage.appointmentId, filters.appointmentId));
  if (filters.since) conditions.push(sql`${whatsappMessage.createdAt} >= ${filters.since}`);
  if (filters.until) conditions.push(sql`${whatsappMessage.createdAt} < ${filters.until}`);
  if (page.before) {
    conditions.push(
      sql`(${whatsappMessage.createdAt}, ${whatsappMessage.id}) < (${page.before.createdAt.toISOString()}::timestamptz, ${page.before.id}::uuid)`,
    );
  }
  return db
    .select()
    .from(whatsappMessage)
    .where(and(...conditions))
    .orderBy(sql`${whatsappMessage.createdAt} desc nulls last`, sql`${whatsappMessage.id} desc nulls last`)
    .limit(page.limit);
}

/** A claim's changes: `sending`, one more attempt, at `now` (by default the `now` placeholder). */
export function claimSet(now: SQL = sql`${sql.placeholder('now')}::timestamptz`) {
  return {
    status: 'sending',
    attempts: sql`${whatsappMessage.attempts} + 1`,
    updatedAt: now,
  } as const;
}

/**
 * When a claim is made (`now`), and before when an earlier claim still standing counts as
 * abandoned (`reclaimBefore`). A row in `sending` is another attempt's, in flight, until its claim
 * is older than the longest a send can take: then the worker that made it is gone (it crashed, or
 * it lost its job with Redis and the sweeper made another) and the row may be claimed again.
 * Claiming it sooner could send the message twice.
 */
export interface ClaimTimes {
  now: Date;
  reclaimBefore: Date;
}

/** The statement parameters for ClaimTimes. */
export const claimParams = (times: ClaimTimes) => ({
  now: times.now.toISOString(),
  reclaimBefore: times.reclaimBefore.toISOString(),
});

/** Where a claim's message, its advisor and its `reclaimBefore` come from in a statement. */
export interface ClaimRefs {
  advisorId: SQL;
  id: SQL;
  reclaimBefore: SQL;
}

/** ClaimRefs of a statement about one message: the placeholders `advisorId`, `idName`, `reclaimBefore`. */
export const claimPlaceholders = (idName: string): ClaimRefs => ({
  advisorId: sql`${sql.placeholder('advisorId')}`,
  id: sql`${sql.placeholder(idName)}`,
  reclaimBefore: sql`${sql.placeholder('reclaimBefore')}::timestamptz`,
});

/**
 * The advisor's message while it may still be claimed: waiting, or in `sending` under a claim
 * older than `reclaimBefore`.
 */
export function claimableWhere(refs: ClaimRefs) {
  return [
    sql`${whatsappMessage.advisorId} = ${refs.advisorId}`,
    sql`${whatsappMessage.id} = ${refs.id}`,
    inArray(whatsappMessage.status, ['scheduled', 'queued', 'sending']),
    sql`(${whatsappMessage.status} <> 'sending' or ${whatsappMessage.updatedAt} < ${refs.reclaimBefore})`,
  ] as const;
}

/**
 * Takes a pending message for sending; null when it is no longer pending (sent, cancelled…) or
 * another attempt's claim on it still stands. Without `times`, no standing claim is ever taken
 * over: the safe side for callers that do not know how long a send can take.
 */
export async function claimForSending(
  db: DbOrTx,
  advisorId: string,
  id: string,
  times: ClaimTimes = { now: new Date(), reclaimBefore: new Date(0) },
): Promise<MessageRow | null> {
  const statement = preparedOnce(db, 'ww_claim_for_sending', (d) =>
    d
      .update(whatsappMessage)
      .set(claimSet())
      .where(and(...claimableWhere(claimPlaceholders('id'))))
      .returning()
      .prepare('ww_claim_for_sending'),
  );
  const [row] = await statement.execute({ advisorId, id, ...claimParams(times) });
  return row ?? null;
}

/**
 * Back to the queue after a failed attempt that will be retried (keeps the reason visible).
 * `uncertainUntil`: the attempt got no answer and may have reached WhatsApp; until then the retry
 * waits for its echo and the message cannot be cancelled (see cancelWaiting). `notAnAttempt`: the
 * gateway refused it for want of a connection, so the message only waits for one: the claim's
 * attempt is given back, as when the service knew of the disconnection and never claimed it.
 */
export async function releaseForRetry(
  db: DbOrTx,
  advisorId: string,
  id: string,
  error: { code: string; message: string } | null,
  {
    uncertainUntil = null,
    notAnAttempt = false,
  }: { uncertainUntil?: Date | null; notAnAttempt?: boolean } = {},
): Promise<void> {
  await db
    .update(whatsappMessage)
    .set({
      status: 'queued',
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
      uncertainUntil,
      ...(notAnAttempt ? { attempts: sql`greatest(${whatsappMessage.attempts} - 1, 0)` } : {}),
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.id, id),
        eq(whatsappMessage.status, 'sending'),
      ),
    );
}

/**
 * "Reintentar" on a failed message: back to `queued`, as a new send. An attempt WhatsApp failed
 * after sending (an ERROR receipt) left its Evolution id and time on the row; both are cleared,
 * since a lost send's echo is adopted only by a row with no id (adoptLostSend), and the id is kept
 * in superseded_send so that attempt's late echo is not adopted instead of the retry's. Null when
 * the message is not failed (any more). Run it in a transaction: the row is locked from the read
 * of the id it gives up to the update that clears it.
 */
export async function requeueFailed(db: DbOrTx, advisorId: string, id: string): Promise<MessageRow | null> {
  const m = whatsappMessage;
  const failed = and(eq(m.advisorId, advisorId), eq(m.id, id), eq(m.status, 'failed'));
  const [held] = await db
    .select({ evolutionMessageId: m.evolutionMessageId })
    .from(m)
    .where(failed)
    .for('update');
  if (!held) return null;
  if (held.evolutionMessageId) {
    await db
      .insert(supersededSend)
      .values({ advisorId, evolutionMessageId: held.evolutionMessageId, messageId: id })
      .onConflictDoNothing();
  }
  const [row] = await db
    .update(m)
    .set({
      status: 'queued',
      errorCode: null,
      errorMessage: null,
      failedAt: null,
      evolutionMessageId: null,
      sentAt: null,
      updatedAt: new Date(),
    })
    .where(failed)
    .returning();
  return row ?? null;
}

/** Says why a queued message is still waiting (cleared when it is sent); null if no longer queued. */
export async function noteWhyQueued(
  db: DbOrTx,
  advisorId: string,
  id: string,
  reason: { code: string; message: string },
): Promise<MessageRow | null> {
  const [row] = await db
    .update(whatsappMessage)
    .set({ errorCode: reason.code, errorMessage: reason.message, updatedAt: new Date() })
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.id, id),
        eq(whatsappMessage.status, 'queued'),
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Records the gateway's acceptance. Concurrent sends' records share one statement (coalesce.ts);
 * when a shared one fails (one row breaking the unique Evolution id, say), each is run again on
 * its own, so only the bad one fails.
 */
export async function markSent(
  db: DbOrTx,
  advisorId: string,
  id: string,
  sent: { evolutionMessageId: string; chatJid: string | null; at: Date },
): Promise<MessageRow | null> {
  return sharedStatement(db, 'mark_sent', markSentMany, { aloneOnFailure: true })({ advisorId, id, ...sent });
}

interface SentRecord {
  advisorId: string;
  id: string;
  evolutionMessageId: string;
  chatJid: string | null;
  at: Date;
}

/** Each record's row after the update (null when the advisor has no such message), in order. */
async function markSentMany(db: DbOrTx, records: SentRecord[]): Promise<(MessageRow | null)[]> {
  const statement = preparedOnce(db, 'ww_mark_sent_many', (d) =>
    d
      .update(whatsappMessage)
      .set({
        // Never backwards: a receipt may have moved the row past `sent` already.
        status: sql`case when ${RANK_SQL} < 3 then 'sent' else ${whatsappMessage.status} end`,
        evolutionMessageId: sql`sent.evolution_message_id`,
        chatJid: sql`sent.chat_jid`,
        sentAt: sql`sent.at`,
        errorCode: null,
        errorMessage: null,
        updatedAt: sql`${sql.placeholder('now')}::timestamptz`,
      })
      .from(
        sql`unnest(${sql.placeholder('advisorIds')}::text[], ${sql.placeholder('ids')}::uuid[],
          ${sql.placeholder('evolutionMessageIds')}::text[], ${sql.placeholder('chatJids')}::text[],
          ${sql.placeholder('ats')}::timestamptz[]) as sent(advisor_id, id, evolution_message_id, chat_jid, at)`,
      )
      .where(sql`${whatsappMessage.advisorId} = sent.advisor_id and ${whatsappMessage.id} = sent.id`)
      .returning()
      .prepare('ww_mark_sent_many'),
  );
  const rows = (await statement.execute({
    advisorIds: records.map((r) => r.advisorId),
    ids: records.map((r) => r.id),
    evolutionMessageIds: records.map((r) => r.evolutionMessageId),
    chatJids: records.map((r) => r.chatJid),
    ats: records.map((r) => r.at.toISOString()),
    now: new Date().toISOString(),
  })) as MessageRow[];
  const byId = new Map(rows.map((row) => [`${row.advisorId} ${row.id}`, row]));
  return records.map((r) => byId.get(`${r.advisorId} ${r.id}`) ?? null);
}

/**
 * Records a send the gateway accepted when an echo already gave its Evolution id to another row:
 * a lookalike (same number and content) whose own answer was lost adopted it (adoptLostSend)
 * before this send was recorded. Both went out, so this row becomes sent too, keeping the id it
 * may have adopted meanwhile (the lookalike's, from the other echo) or none: a later unknown echo
 * of that content can still give it one (adoptLostSend), so the lookalike's receipts are not lost.
 * markSent would break the unique index on every try, and the job kept retrying it for ever.
 * Null when no other row holds the id (the failure was something else).
 */
export async function markSentIdTaken(
  db: DbOrTx,
  advisorId: string,
  id: string,
  sent: { evolutionMessageId: string; chatJid: string | null; at: Date },
): Promise<MessageRow | null> {
  const m = whatsappMessage;
  const [row] = await db
    .update(m)
    .set({
      // Never backwards, as in markSent.
      status: sql`case when ${RANK_SQL} < 3 then 'sent' else ${m.status} end`,
      chatJid: sql`coalesce(${m.chatJid}, ${sent.chatJid})`,
      sentAt: sql`coalesce(${m.sentAt}, ${sent.at})`,
      errorCode: null,
      errorMessage: null,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(m.advisorId, advisorId),
        eq(m.id, id),
        sql`exists (select 1 from ${m} other where other.advisor_id = ${advisorId}
          and other.evolution_message_id = ${sent.evolutionMessageId} and other.id <> ${id})`,
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * The echo (SEND_MESSAGE) of a send whose answer never reached us: the worker died or timed out
 * while Evolution was sending. Any API send on the advisor's instance is ours, so an echo with an
 * unknown id belongs to the oldest unconfirmed attempt with the same recipient and content; it
 * takes that id and becomes `sent`, and the retry finds it done instead of sending it twice.
 * Two identical messages to one number in flight at once may swap ids: both did go out. One of
 * them recorded without an id for that reason (markSentIdTaken) takes such an echo too, after any
 * waiting row: adopting it only brings the receipts, where a waiting row is kept from a resend.
 * An echo of an attempt a retry gave up (superseded_send) is nobody's: taken, it would stand for
 * the retry, which then went unsent or lost its own receipts.
 */
export async function adoptLostSend(
  db: DbOrTx,
  advisorId: string,
  echo: {
    evolutionMessageId: string;
    phone: string;
    chatJid: string;
    type: string;
    text: string | null;
    caption: string | null;
    at: Date;
  },
): Promise<MessageRow | null> {
  const m = whatsappMessage;
  const candidate = db
    .select({ id: m.id })
    .from(m)
    .where(
      and(
        eq(m.advisorId, advisorId),
        eq(m.direction, 'outbound'),
        eq(m.phone, echo.phone),
        isNull(m.evolutionMessageId),
        inArray(m.status, ADOPTING),
        sql`${m.attempts} > 0`,
        eq(m.type, echo.type),
        sql`${m.text} is not distinct from ${echo.text}`,
        // An echo carries no empty caption; rows stored before blank captions were stored as null hold "".
        sql`nullif(${m.caption}, '') is not distinct from ${echo.caption}`,
      ),
    )
    .orderBy(sql`${m.status} = 'sent'`, m.createdAt)
    .limit(1);
  const [row] = await db
    .update(m)
    .set({
      status: 'sent',
      evolutionMessageId: echo.evolutionMessageId,
      chatJid: echo.chatJid,
      sentAt: sql`coalesce(${m.sentAt}, ${echo.at})`,
      errorCode: null,
      errorMessage: null,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(m.advisorId, advisorId),
        sql`${m.id} = (${candidate})`,
        isNull(m.evolutionMessageId),
        inArray(m.status, ADOPTING),
        // The echo of an attempt a retry gave up (requeueFailed), come late: not the retry's.
        sql`not exists (select 1 from ${supersededSend} s where s.advisor_id = ${advisorId}
          and s.evolution_message_id = ${echo.evolutionMessageId})`,
      ),
    )
    .returning();
  return row ?? null;
}

/** The rows an unknown echo may belong to: waiting ones, and sent ones without an id (markSentIdTaken). */
const ADOPTING = ['queued', 'sending', 'sent'];

/** Ends a message without sending it: failed (with the reason), skipped or cancelled. */
export async function markFinished(
  db: DbOrTx,
  advisorId: string,
  id: string,
  status: 'failed' | 'skipped' | 'cancelled',
  error: { code: string; message: string },
  at: Date,
): Promise<MessageRow | null> {
  const [row] = await db
    .update(whatsappMessage)
    .set({
      status,
      errorCode: error.code,
      errorMessage: error.message,
      failedAt: status === 'failed' ? at : null,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.id, id),
        inArray(whatsappMessage.status, ['scheduled', 'queued', 'sending']),
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Cancels a message still waiting to go out (scheduled or queued); null when it is not waiting any
 * more. Unlike markFinished, a `sending` row is left alone: a worker holds it and it may be on its
 * way, so this races the claim safely.
 */
export async function cancelWaiting(
  db: DbOrTx,
  advisorId: string,
  id: string,
  reason: { code: string; message: string },
  now = new Date(),
): Promise<MessageRow | null> {
  const [row] = await db
    .update(whatsappMessage)
    .set({ status: 'cancelled', errorCode: reason.code, errorMessage: reason.message, updatedAt: new Date() })
    .where(and(eq(whatsappMessage.advisorId, advisorId), eq(whatsappMessage.id, id), cancellable(now)))
    .returning();
  return row ?? null;
}

/**
 * Whether a message may be cancelled: still waiting (scheduled or queued), and not waiting for the
 * echo of an attempt that got no answer. That attempt may have reached WhatsApp, and only a
 * waiting row adopts its echo: cancelled, the history said "cancelled" for a message the client
 * had. Until the wait ends it is in flight like a `sending` row; after it, the pipeline itself
 * takes the silence to mean "not sent" (its retry sends again), and so may a cancel.
 */
export function cancellable(now: Date): SQL {
  const m = whatsappMessage;
  return and(
    inArray(m.status, ['scheduled', 'queued']),
    or(isNull(m.uncertainUntil), lte(m.uncertainUntil, now)),
  )!;
}

/**
 * Applies a delivery receipt by Evolution's message id. Returns the row when it changed, 'same'
 * when the receipt was old news, or null when no message has that id yet (the caller keeps the
 * receipt as pending until the send records the id).
 */
export async function applyReceipt(
  db: DbOrTx,
  advisorId: string,
  evolutionMessageId: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  at: Date,
): Promise<MessageRow | 'same' | null> {
  // Three receipts per message: one prepared statement per status, built once per handle.
  const params = { advisorId, evolutionMessageId, at: at.toISOString(), now: new Date().toISOString() };
  const [row] = await receiptStatement(db, status).execute(params);
  if (row) return row;
  const exists = preparedOnce(db, 'ww_message_by_evolution_id', (d) =>
    d
      .select({ id: whatsappMessage.id })
      .from(whatsappMessage)
      .where(
        and(
          eq(whatsappMessage.advisorId, sql.placeholder('advisorId')),
          eq(whatsappMessage.evolutionMessageId, sql.placeholder('evolutionMessageId')),
        ),
      )
      .limit(1)
      .prepare('ww_message_by_evolution_id'),
  );
  const [found] = await exists.execute({ advisorId, evolutionMessageId });
  return found ? 'same' : null;
}

/**
 * Of these (advisor, Evolution id) pairs, the ones a `sent` receipt would leave as they are: the
 * message is already sent or further along, or finished (the negation of the receipt statement's
 * condition). Evolution's SEND_MESSAGE echo of such a message changes nothing, and this one read
 * for a whole batch of echoes replaces applyReceipt's two statements per echo. Keyed by
 * `echoKey`. Pairs with no message are not returned: those echoes need the full path.
 */
export async function settledForSentReceipt(
  db: DbOrTx,
  pairs: readonly { advisorId: string; evolutionMessageId: string }[],
): Promise<Set<string>> {
  const rows = await unmovedRows(
    db,
    pairs.map((p) => ({ ...p, rank: RECEIPT_RANK.sent })),
    false,
  );
  return new Set(rows.map((r) => echoKey(r.advisorId, r.evolutionMessageId)));
}

/**
 * Of these delivery and read receipts, those that would leave their recorded message as it is
 * now (it is at or past the receipt's status, or finished otherwise), keyed by receiptKey.
 * Receipts with no message are not returned. Asked after the receipts' updates moved nothing, in
 * a statement of its own: a send recorded since (its status `sent`) is not settled by its delivery
 * receipt, so that receipt is stored and applied later. Asking only whether the message was
 * recorded would count it as applied, and the receipt, neither applied nor stored, would be lost.
 */
export async function settledReceiptKeys(
  db: DbOrTx,
  receipts: readonly { advisorId: string; evolutionMessageId: string; status: 'delivered' | 'read' }[],
): Promise<Set<string>> {
  const rows = await unmovedRows(
    db,
    receipts.map((r) => ({ ...r, rank: RECEIPT_RANK[r.status] })),
    true,
  );
  return new Set(
    rows.map((r) => receiptKey(r.advisorId, r.evolutionMessageId, r.rank === 5 ? 'read' : 'delivered')),
  );
}

/** A receipt's key: its message's echoKey and its status. */
export function receiptKey(
  advisorId: string,
  evolutionMessageId: string,
  status: 'delivered' | 'read',
): string {
  return `${echoKey(advisorId, evolutionMessageId)}\n${status}`;
}

/** Of these receipts (by rank), those naming a recorded message they would not move, in one read. */
async function unmovedRows(
  db: DbOrTx,
  pairs: readonly { advisorId: string; evolutionMessageId: string; rank: number }[],
  proof: boolean,
): Promise<{ advisorId: string; evolutionMessageId: string; rank: number }[]> {
  if (pairs.length === 0) return [];
  const m = whatsappMessage;
  // unnest, not jsonb_to_recordset: PostgreSQL counts an unnested array's elements when planning,
  // so a batch of 5 is planned as 5 index lookups. A record set is guessed at 100 rows, and on a
  // table of 12,000 messages that guess chose a hash join over a scan of the whole table (3.6 ms
  // instead of 0.04 ms per batch, EXPLAIN ANALYZE).
  // One parameter per column (sql.param): a bare array would become a list of parameters.
  const advisors = sql.param(pairs.map((p) => p.advisorId));
  const ids = sql.param(pairs.map((p) => p.evolutionMessageId));
  const ranks = sql.param(pairs.map((p) => p.rank));
  const result = await db.execute(sql`
    select ${m.advisorId} as advisor_id, ${m.evolutionMessageId} as evolution_message_id, k.rank
    from unnest(${advisors}::text[], ${ids}::text[], ${ranks}::int[]) as k(a, e, rank)
    join ${m} on ${m.advisorId} = k.a and ${m.evolutionMessageId} = k.e
    where not ${receiptMovesTo(sql`k.rank`, proof)}`);
  return rowsOf<{ advisor_id: string; evolution_message_id: string; rank: number }>(result).map((r) => ({
    advisorId: r.advisor_id,
    evolutionMessageId: r.evolution_message_id,
    rank: Number(r.rank),
  }));
}

export function echoKey(advisorId: string, evolutionMessageId: string): string {
  return `${advisorId}\n${evolutionMessageId}`;
}

function receiptStatement(db: DbOrTx, status: 'sent' | 'delivered' | 'read' | 'failed') {
  const name = `ww_apply_receipt_${status}`;
  return preparedOnce(db, name, (d) => {
    const m = whatsappMessage;
    const at = sql`${sql.placeholder('at')}::timestamptz`;
    const now = sql`${sql.placeholder('now')}::timestamptz`;
    const match = and(
      eq(m.advisorId, sql.placeholder('advisorId')),
      eq(m.evolutionMessageId, sql.placeholder('evolutionMessageId')),
    );
    if (status === 'failed') {
      return d
        .update(m)
        .set({
          status: 'failed',
          failedAt: at,
          errorCode: DELIVERY_FAILED,
          errorMessage: 'WhatsApp reported the message as failed.',
          updatedAt: now,
        })
        .where(and(match, inArray(m.status, ['sending', 'sent'])))
        .returning()
        .prepare(name);
    }
    return d
      .update(m)
      .set(receiptSet(status, at, now))
      .where(and(match, receiptMoves(status)))
      .returning()
      .prepare(name);
  });
}

/** What a sent, delivery or read receipt writes into the message it moves (at: when it came). */
function receiptSet(status: 'sent' | 'delivered' | 'read', at: SQL, now: SQL) {
  const m = whatsappMessage;
  const proof = status === 'delivered' || status === 'read';
  const reviving = sql`${m.status} = 'failed'`;
  return {
    status,
    updatedAt: now,
    // Reaching "read" implies delivery: fill the earlier timestamps that were skipped.
    deliveredAt: proof ? sql`coalesce(${m.deliveredAt}, ${at})` : undefined,
    // A receipt proves the message had left by the time it came. One parked before the send's
    // answer was recorded is older than the `sent_at` that record wrote, so the earlier of the two
    // stands: the message is never delivered before it was sent (sent-to-delivered times in the
    // metrics went negative). least() ignores a null sent_at.
    sentAt: sql`least(${m.sentAt}, ${at})`,
    readAt: status === 'read' ? sql`coalesce(${m.readAt}, ${at})` : undefined,
    ...(proof
      ? {
          failedAt: sql`case when ${reviving} then null else ${m.failedAt} end`,
          errorCode: sql`case when ${reviving} then null else ${m.errorCode} end`,
          errorMessage: sql`case when ${reviving} then null else ${m.errorMessage} end`,
        }
      : {}),
  };
}

/** Whether the receipt moves the message: statuses only go forward. */
function receiptMoves(status: 'sent' | 'delivered' | 'read'): SQL {
  return receiptMovesTo(sql.raw(String(RECEIPT_RANK[status])), status !== 'sent');
}

const RECEIPT_RANK = { sent: 3, delivered: 4, read: 5 } as const;

/** receiptMoves for a receipt whose status has this rank (`proof`: a delivery or read receipt). */
function receiptMovesTo(target: SQL, proof: boolean): SQL {
  const m = whatsappMessage;
  // Receipts are about our messages: one naming a client's message ('received', ranked below
  // every outbound status) without saying fromMe false would otherwise mark it delivered or read.
  // In parentheses: unmovedRows negates it, and NOT binds tighter than AND.
  const forward = sql`(${m.direction} = 'outbound' and ${RANK_SQL} < ${target} and ${m.status} not in ('failed','skipped','cancelled'))`;
  if (!proof) return forward;
  // A delivery or read receipt proves the message reached the phone, so it also overrides an
  // ERROR receipt that came first (WhatsApp's receipts arrive in any order): the same two
  // receipts must end in the same status whichever comes first. Only that failure: one the
  // pipeline recorded (attempts exhausted, a permanent refusal) is not WhatsApp's word.
  const revivable = sql`${m.status} = 'failed' and ${m.errorCode} = ${DELIVERY_FAILED}`;
  return sql`((${forward}) or (${revivable}))`;
}

export interface ArrivingReceipt {
  advisorId: string;
  evolutionMessageId: string;
  at: Date;
}

/**
 * applyReceipt for many receipts of one status in one statement (receipts applied on arrival,
 * webhook-event-writer.ts): the rows it moved. A message named twice moves once.
 */
export async function applyReceipts(
  db: DbOrTx,
  status: 'delivered' | 'read',
  receipts: readonly ArrivingReceipt[],
): Promise<MessageRow[]> {
  if (receipts.length === 0) return [];
  const name = `ww_apply_receipts_${status}`;
  const statement = preparedOnce(db, name, (d) => {
    const m = whatsappMessage;
    const p = (key: string) => sql.placeholder(key);
    // Arrays unnested: see settledForSentReceipt.
    const keys = sql`unnest(${p('advisorIds')}::text[], ${p('ids')}::text[], ${p('ats')}::timestamptz[]) as k(a, e, at)`;
    return d
      .update(m)
      .set(receiptSet(status, sql`k.at`, sql`${p('now')}::timestamptz`))
      .from(keys)
      .where(and(sql`${m.advisorId} = k.a and ${m.evolutionMessageId} = k.e`, receiptMoves(status)))
      .returning(getTableColumns(m))
      .prepare(name);
  });
  return (await statement.execute({
    advisorIds: receipts.map((r) => r.advisorId),
    ids: receipts.map((r) => r.evolutionMessageId),
    ats: receipts.map((r) => r.at.toISOString()),
    now: new Date().toISOString(),
  })) as MessageRow[];
}

/**
 * The advisor's messages waiting in the queue, oldest first (resumed in order on reconnect): queued
 * or sending, and scheduled ones already due. A due scheduled message whose job found no
 * connection waits like a queued one (its status stays `scheduled` until a worker claims it); left
 * out, it sat out a whole RECONNECT_POLL_MS after the reconnection, and a settings change did not
 * wake it. One still due later is never woken: nothing else holds it back from being sent early.
 */
export async function listWaitingIds(db: DbOrTx, advisorId: string, now = new Date()): Promise<string[]> {
  const rows = await db
    .select({ id: whatsappMessage.id })
    .from(whatsappMessage)
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        or(
          inArray(whatsappMessage.status, ['queued', 'sending']),
          and(eq(whatsappMessage.status, 'scheduled'), lte(whatsappMessage.scheduledAt, now)),
        ),
      ),
    )
    .orderBy(whatsappMessage.createdAt);
  return rows.map((r) => r.id);
}

/** System scan for the sweeper: unfinished outbound rows not touched for a while. */
export async function listUnfinished(
  db: DbOrTx,
  options: { untouchedBefore: Date; afterId: string | null; limit: number },
): Promise<
  Pick<MessageRow, 'id' | 'advisorId' | 'status' | 'scheduledAt' | 'uncertainUntil' | 'source' | 'purpose'>[]
> {
  return db
    .select({
      id: whatsappMessage.id,
      advisorId: whatsappMessage.advisorId,
      status: whatsappMessage.status,
      source: whatsappMessage.source,
      purpose: whatsappMessage.purpose,
      scheduledAt: whatsappMessage.scheduledAt,
      uncertainUntil: whatsappMessage.uncertainUntil,
    })
    .from(whatsappMessage)
    .where(
      and(
        // The partial index's own predicate, so the planner can use it.
        sql`${whatsappMessage.unfinished}`,
        lt(whatsappMessage.updatedAt, options.untouchedBefore),
        options.afterId ? sql`${whatsappMessage.id} > ${options.afterId}` : undefined,
      ),
    )
    .orderBy(whatsappMessage.id)
    .limit(options.limit);
}
