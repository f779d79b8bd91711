// The two-way inbox: messages that arrive by webhook, the client rows they update (unread count,
// last activity, consent) and the conversation list. Every function is scoped by advisor.
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gt,
  inArray,
  isNotNull,
  isNull,
  lte,
  ne,
  or,
  sql,
} from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { appointment, whatsappClient, whatsappMessage } from '../schema/index.js';
import type { ClientRow } from './client.repository.js';
import type { MessageRow, NewMessage } from './message.repository.js';

export type AppointmentRow = typeof appointment.$inferSelect;

/** The statuses of a message that reached WhatsApp (a client can have seen it). */
export const SENT_STATUSES = ['sent', 'delivered', 'read'] as const;

/** Stores a message learnt from a webhook; null when this Evolution id is already stored. */
export async function insertWebhookMessage(
  db: DbOrTx,
  advisorId: string,
  values: NewMessage & { evolutionMessageId: string },
): Promise<MessageRow | null> {
  const [row] = await db
    .insert(whatsappMessage)
    .values({ ...values, advisorId })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

/** A client wrote: remember their name, when, and one more unread message. */
export async function recordInboundOnClient(
  db: DbOrTx,
  advisorId: string,
  phone: string,
  name: string | null,
  at: Date,
): Promise<void> {
  await db
    .insert(whatsappClient)
    .values({ advisorId, phone, name, lastInboundAt: at, unread: 1, updatedAt: at })
    .onConflictDoUpdate({
      target: [whatsappClient.advisorId, whatsappClient.phone],
      set: {
        // The client's WhatsApp name follows their profile, unless the advisor or the booking named
        // them (nameGiven): then that name stays, as a saved contact's does on a phone.
        name: sql`case when ${whatsappClient.nameGiven} then ${whatsappClient.name}
          else coalesce(${name}, ${whatsappClient.name}) end`,
        lastInboundAt: sql`greatest(${whatsappClient.lastInboundAt}, ${at.toISOString()}::timestamptz)`,
        unread: sql`${whatsappClient.unread} + 1`,
        updatedAt: at,
      },
    });
}

/** This advisor's outbound message to `phone` with this Evolution id: what a client's reply quoted. */
export async function findQuotedMessage(
  db: DbOrTx,
  advisorId: string,
  phone: string,
  evolutionMessageId: string,
): Promise<MessageRow | null> {
  const [row] = await db
    .select()
    .from(whatsappMessage)
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.evolutionMessageId, evolutionMessageId),
        eq(whatsappMessage.phone, phone),
        eq(whatsappMessage.direction, 'outbound'),
      ),
    )
    .limit(1);
  return row ?? null;
}

/**
 * Whether a reply that arrived at `at` comes before the one recorded, if any. Replies are applied
 * in parallel and retried, so a client's second message can be applied before their first: the
 * first to arrive is the reply (the second used to stay, and the time to reply ran to it).
 */
const firstReply = (at: Date) => or(isNull(whatsappMessage.repliedAt), gt(whatsappMessage.repliedAt, at));

/** The first reply to this message (response time, the timeline's "answered"). */
export async function markMessageReplied(db: DbOrTx, advisorId: string, messageId: string, at: Date) {
  await db
    .update(whatsappMessage)
    .set({ repliedAt: at })
    .where(and(eq(whatsappMessage.advisorId, advisorId), eq(whatsappMessage.id, messageId), firstReply(at)));
}

/**
 * Response time: the outbound message most recently SENT by `sentBy` (default `at`: the reply's
 * arrival) gets its first reply time, `at`. Sent, not created: a booking writes its confirmation,
 * reminder and follow-up in one statement, days before the reminder goes out, so creation order
 * says nothing about what the client saw last. (A message learnt from the gateway may lack
 * sent_at; its creation is when it was sent.)
 */
export async function markLatestOutboundReplied(
  db: DbOrTx,
  advisorId: string,
  phone: string,
  at: Date,
  sentBy: Date = at,
) {
  const sentAt = sql`coalesce(${whatsappMessage.sentAt}, ${whatsappMessage.createdAt})`;
  const latest = db
    .select({ id: whatsappMessage.id })
    .from(whatsappMessage)
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.phone, phone),
        eq(whatsappMessage.direction, 'outbound'),
        inArray(whatsappMessage.status, [...SENT_STATUSES]),
        sql`${sentAt} <= ${sentBy.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(desc(sentAt), desc(whatsappMessage.id))
    .limit(1);
  await db
    .update(whatsappMessage)
    .set({ repliedAt: at })
    .where(
      and(eq(whatsappMessage.advisorId, advisorId), inArray(whatsappMessage.id, latest), firstReply(at)),
    );
}

/**
 * Sets a client's consent unless a newer change is already recorded (`at` decides, so a STOP
 * processed after a later START changes nothing). Null when a newer change won.
 */
export async function setOptState(
  db: DbOrTx,
  advisorId: string,
  phone: string,
  optedOut: boolean,
  source: string,
  at: Date,
): Promise<ClientRow | null> {
  const values = { optedOut, optedOutAt: optedOut ? at : null, optSource: source, optChangedAt: at };
  const [row] = await db
    .insert(whatsappClient)
    .values({ advisorId, phone, ...values, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: [whatsappClient.advisorId, whatsappClient.phone],
      set: { ...values, updatedAt: new Date() },
      setWhere: or(
        isNull(whatsappClient.optChangedAt),
        sql`${whatsappClient.optChangedAt} <= ${at.toISOString()}::timestamptz`,
      ),
    })
    .returning();
  return row ?? null;
}

/**
 * What the client typed in the messages dated `sentAt` (WhatsApp dates to the second) that reached
 * us after `arrivedAfter`: how an opt keyword knows whether one written in the same second came
 * after it.
 */
export async function inboundTextsOfSameSecondArrivedAfter(
  db: DbOrTx,
  advisorId: string,
  phone: string,
  sentAt: Date,
  arrivedAfter: Date,
): Promise<string[]> {
  const rows = await db
    .select({ text: whatsappMessage.text })
    .from(whatsappMessage)
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.phone, phone),
        eq(whatsappMessage.direction, 'inbound'),
        eq(whatsappMessage.type, 'text'),
        sql`${whatsappMessage.sentAt} = ${sentAt.toISOString()}::timestamptz`,
        sql`${whatsappMessage.createdAt} > ${arrivedAfter.toISOString()}::timestamptz`,
      ),
    );
  return rows.flatMap((r) => (r.text === null ? [] : [r.text]));
}

/**
 * The reminder a client's "1"/"2" answers when it quotes none: the latest one sent to them since
 * `since` and by `until` (what the client could have read when writing it).
 */
export async function findLatestReminder(
  db: DbOrTx,
  advisorId: string,
  phone: string,
  since: Date,
  until: Date,
): Promise<MessageRow | null> {
  const [row] = await db
    .select()
    .from(whatsappMessage)
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.phone, phone),
        eq(whatsappMessage.direction, 'outbound'),
        eq(whatsappMessage.purpose, 'reminder'),
        isNotNull(whatsappMessage.appointmentId),
        inArray(whatsappMessage.status, [...SENT_STATUSES]),
        sql`${whatsappMessage.sentAt} >= ${since.toISOString()}::timestamptz`,
        sql`${whatsappMessage.sentAt} <= ${until.toISOString()}::timestamptz`,
      ),
    )
    .orderBy(desc(whatsappMessage.sentAt))
    .limit(1);
  return row ?? null;
}

/**
 * Records the client's answer to a reminder written for `reminderVersion` of the appointment,
 * unless the appointment was cancelled, a newer answer is stored, or its time changed after that
 * version (time_version): the reminder named another time. Checked in the UPDATE itself, so a
 * reschedule committing meanwhile (it holds the row's lock) is seen: PostgreSQL evaluates the
 * condition again on the row it left.
 */
export async function recordClientResponse(
  db: DbOrTx,
  advisorId: string,
  appointmentId: string,
  reminderVersion: number,
  response: 'confirmed' | 'cancel_requested',
  at: Date,
): Promise<AppointmentRow | null> {
  const [row] = await db
    .update(appointment)
    .set({ clientResponse: response, clientResponseAt: at, updatedAt: new Date() })
    .where(
      and(
        eq(appointment.advisorId, advisorId),
        eq(appointment.id, appointmentId),
        ne(appointment.status, 'cancelled'),
        lte(appointment.timeVersion, reminderVersion),
        or(
          isNull(appointment.clientResponseAt),
          sql`${appointment.clientResponseAt} <= ${at.toISOString()}::timestamptz`,
        ),
      ),
    )
    .returning();
  return row ?? null;
}

// Must match whatsapp_client_activity_idx for the index to serve the inbox.
const activity = sql`greatest(${whatsappClient.lastInboundAt}, ${whatsappClient.lastOutboundAt})`;

/**
 * Conversations (clients with at least one message), most recent activity first. The phone's
 * NULLS LAST is whatsapp_client_activity_idx's (the column is never null): written as plain DESC,
 * PostgreSQL did not use the index for the order and sorted all of the advisor's clients for every
 * page. Awaited for the rows; the query itself for its plan.
 */
export function listConversations(
  db: DbOrTx,
  advisorId: string,
  page: { limit: number; before?: { at: Date; phone: string } },
) {
  return db
    .select()
    .from(whatsappClient)
    .where(
      and(
        eq(whatsappClient.advisorId, advisorId),
        sql`${activity} is not null`,
        page.before
          ? sql`(${activity}, ${whatsappClient.phone}) < (${page.before.at.toISOString()}::timestamptz, ${page.before.phone})`
          : undefined,
      ),
    )
    .orderBy(sql`${activity} desc`, sql`${whatsappClient.phone} desc nulls last`)
    .limit(page.limit);
}

/**
 * When a message was exchanged: the order of a conversation (its chat, its last message).
 * - Inbound: when it reached the service (created_at). Its sent_at is the client's phone clock to
 *   the second, which would put a quick answer before the message it answers.
 * - Outbound, once sent: when the gateway took it (sent_at). A booking writes its confirmation,
 *   reminder and follow-up in one statement, days before the last two go out; by creation a
 *   reminder sent today sat among the messages of the day it was booked. A message learnt from
 *   the gateway (typed on the advisor's phone, an echo) has WhatsApp's time as sent_at.
 * - Outbound never sent (scheduled, queued, sending, skipped, cancelled, failed before reaching
 *   WhatsApp): when it was written (created_at). One that failed after WhatsApp took it (an
 *   ERROR receipt) keeps its sent_at; a retry clears it, so it is back at its creation until
 *   sent again.
 * A message's time only moves forward (it is sent after it is written), the order between two
 * messages with the same time is by id. Must match whatsapp_message_phone_exchanged_idx.
 */
const EXCHANGED_AT_SQL = sql`(case when ${whatsappMessage.direction} = 'inbound' then ${whatsappMessage.createdAt} else coalesce(${whatsappMessage.sentAt}, ${whatsappMessage.createdAt}) end)`;

/**
 * Where a page of a chat ends: the last row's exchanged time as PostgreSQL holds it (ISO,
 * microseconds: sent_at keeps them, and a cursor rounded to the millisecond would skip the rest
 * of rows within that millisecond) and its id.
 */
export interface ExchangedCursor {
  at: string;
  id: string;
}

/** One conversation's messages, most recently exchanged first (EXCHANGED_AT_SQL), by pages. */
export function listChatMessages(
  db: DbOrTx,
  advisorId: string,
  phone: string,
  page: { limit: number; before?: ExchangedCursor },
) {
  return db
    .select({
      ...getTableColumns(whatsappMessage),
      exchangedAt: sql<string>`to_char(${EXCHANGED_AT_SQL} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(whatsappMessage)
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.phone, phone),
        page.before
          ? sql`(${EXCHANGED_AT_SQL}, ${whatsappMessage.id}) < (${page.before.at}::timestamptz, ${page.before.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(sql`${EXCHANGED_AT_SQL} desc`, desc(whatsappMessage.id))
    .limit(page.limit);
}

/**
 * The newest message of each of these conversations that was exchanged or is on its way (one
 * indexed probe per phone), by the chat's order (EXCHANGED_AT_SQL): a reminder sent today is
 * newer than the messages of the day it was booked. A booking writes its reminder and
 * follow-up, scheduled for days ahead, with the confirmation: those, and messages that never
 * went out (skipped, cancelled), are not the conversation's last message.
 */
export async function lastMessagesOf(db: DbOrTx, advisorId: string, phones: string[]): Promise<MessageRow[]> {
  if (phones.length === 0) return [];
  const list = sql.join(
    phones.map((p) => sql`${p}`),
    sql`, `,
  );
  const newest = sql`(select m.id from unnest(array[${list}]::text[]) as p(phone) cross join lateral (
      select id from whatsapp_message
      where advisor_id = ${advisorId} and phone = p.phone
        and status not in ('scheduled', 'skipped', 'cancelled')
      order by ${EXCHANGED_AT_SQL} desc, id desc limit 1) m)`;
  return db
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, advisorId), sql`${whatsappMessage.id} in ${newest}`));
}

/** Every unread client message of the advisor, and how many conversations hold them. */
export async function unreadTotals(
  db: DbOrTx,
  advisorId: string,
): Promise<{ unread: number; conversations: number }> {
  const [row] = await db
    .select({
      unread: sql<string>`coalesce(sum(${whatsappClient.unread}), 0)`,
      conversations: sql<string>`count(*)`,
    })
    .from(whatsappClient)
    .where(and(eq(whatsappClient.advisorId, advisorId), gt(whatsappClient.unread, 0)));
  return { unread: Number(row?.unread ?? 0), conversations: Number(row?.conversations ?? 0) };
}

/** The advisor read the conversation: unread back to 0. Null when there is no such conversation. */
export async function markConversationRead(
  db: DbOrTx,
  advisorId: string,
  phone: string,
): Promise<ClientRow | null> {
  const [row] = await db
    .update(whatsappClient)
    .set({ unread: 0, updatedAt: new Date() })
    .where(and(eq(whatsappClient.advisorId, advisorId), eq(whatsappClient.phone, phone)))
    .returning();
  if (!row) return null;
  await db
    .update(whatsappMessage)
    .set({ readByAdvisor: true })
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.phone, phone),
        eq(whatsappMessage.direction, 'inbound'),
        eq(whatsappMessage.readByAdvisor, false),
      ),
    );
  return row;
}

/** The advisor's clients by phone, optionally only those opted out (or in). */
export async function listClients(
  db: DbOrTx,
  advisorId: string,
  filter: { optedOut?: boolean; afterPhone?: string; limit: number },
): Promise<ClientRow[]> {
  return db
    .select()
    .from(whatsappClient)
    .where(
      and(
        eq(whatsappClient.advisorId, advisorId),
        filter.optedOut === undefined ? undefined : eq(whatsappClient.optedOut, filter.optedOut),
        filter.afterPhone ? gt(whatsappClient.phone, filter.afterPhone) : undefined,
      ),
    )
    .orderBy(asc(whatsappClient.phone))
    .limit(filter.limit);
}
