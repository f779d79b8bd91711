// A client wrote to the advisor. In one transaction: store the message (once per Evolution id, so
// a duplicate webhook does nothing), update the client (name, last contact, unread), note the
// reply time of the message it answers, and act on what the text says: STOP/BAJA/ALTO/SAIR/PARAR
// opt out, START/ALTA/VOLTAR opt back in, 1/SÍ or 2/NO answer a reminder (when it still names the
// appointment's time). Then tell the dashboard. The message a reply answers is the one it quotes
// (WhatsApp's "reply to"), else the last one sent before the client wrote it.
import { insertAudit } from '../../db/repositories/audit.repository.js';
import { findClient } from '../../db/repositories/client.repository.js';
import type { Tx } from '../../db/client.js';
import { logMessageContent } from '../../observability/content-log.js';
import {
  findLatestReminder,
  findQuotedMessage,
  inboundTextsOfSameSecondArrivedAfter,
  insertWebhookMessage,
  markLatestOutboundReplied,
  markMessageReplied,
  recordClientResponse,
  recordInboundOnClient,
  SENT_STATUSES,
  setOptState,
  type AppointmentRow,
} from '../../db/repositories/inbox.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import type { MessageEvent } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { messageView } from '../messages/message-view.js';
import { applyParkedChanges, applyParkedChangesOfStored } from '../webhooks/apply-message-edit.js';
import { messageContentOf } from '../webhooks/message-content.js';
import { appointmentAnswerOf, optKeywordOf, type OptKeyword } from './reply-keywords.js';

/** How long after a reminder a "1" or "2" still answers it. */
export const REMINDER_ANSWER_WINDOW_MS = 7 * 24 * 3_600_000;

/**
 * How long after the client's message (WhatsApp's date of it) a send of ours may be recorded and
 * still count as one they had read when they wrote it. WhatsApp dates to the second, by its own
 * clock, and our `sent_at` is when the gateway's answer reached us, which may come after the
 * phone already shows the message. Generous for those, and far below the minutes by which
 * Evolution's retries bring a webhook after an outage of ours.
 */
export const ANSWER_CLOCK_TOLERANCE_MS = 60_000;

/**
 * The latest send an unquoted reply can answer: one the client could have read when writing it
 * (its date, plus the tolerance above), never one sent after the reply reached us (`at`). Arrival
 * alone is no bound: a webhook retried for minutes, or a stored event applied late, arrives after
 * newer messages of ours the client had not seen.
 */
function latestSendSeen(event: MessageEvent, at: Date): Date {
  return new Date(Math.min(at.getTime(), event.timestamp.getTime() + ANSWER_CLOCK_TOLERANCE_MS));
}

export interface InboundOutcome {
  message: MessageRow;
  optChange: OptKeyword | null;
  appointment: AppointmentRow | null;
}

export function appointmentEventData(row: AppointmentRow): Record<string, unknown> {
  return {
    id: row.id,
    externalId: row.externalId,
    clientName: row.clientName,
    clientPhone: row.clientPhone,
    startsAt: row.startsAt,
    status: row.status,
    clientResponse: row.clientResponse,
    clientResponseAt: row.clientResponseAt,
  };
}

/**
 * What the client typed, the only text a keyword is read in. A shared contact or poll has a text
 * too, but it is our description of it: a contact card named "Stop" or a poll asking "¿Confirmo?"
 * is no answer.
 */
function typedText(event: MessageEvent): string | null {
  return event.kind === 'text' ? event.text : null;
}

/**
 * Whether a keyword of the client's, dated the same second as this one (WhatsApp's timestamps
 * have no finer grain), reached us after it and is already applied. Arrival is the only order
 * left within a second: Evolution posts a chat's messages in the order WhatsApp gave them, while
 * we may apply them in any order (parallel lanes, a retry, the sweeper). The caller holds the
 * client's row lock (recordInboundOnClient), so a keyword applied by a transaction that committed
 * meanwhile is seen here.
 */
async function laterKeywordInSameSecond(
  tx: Tx,
  advisorId: string,
  phone: string,
  event: MessageEvent,
  arrivedAt: Date,
): Promise<boolean> {
  const texts = await inboundTextsOfSameSecondArrivedAfter(tx, advisorId, phone, event.timestamp, arrivedAt);
  return texts.some((text) => optKeywordOf(text) !== null);
}

async function applyOptKeyword(
  tx: Tx,
  advisorId: string,
  phone: string,
  event: MessageEvent,
  arrivedAt: Date,
): Promise<OptKeyword | null> {
  const keyword = optKeywordOf(typedText(event));
  if (!keyword) return null;
  const before = await findClient(tx, advisorId, phone);
  // A STOP and a START in the same second: the one that came second wins, whichever is applied
  // last (setOptState alone lets the last one applied win a tie).
  if (
    before?.optChangedAt?.getTime() === event.timestamp.getTime() &&
    (await laterKeywordInSameSecond(tx, advisorId, phone, event, arrivedAt))
  ) {
    return null;
  }
  const optedOut = keyword === 'opt_out';
  // The client's own send time orders STOP and START, whatever order the webhooks came in.
  const row = await setOptState(tx, advisorId, phone, optedOut, 'keyword', event.timestamp);
  if (!row || before?.optedOut === optedOut) return null;
  await insertAudit(tx, advisorId, {
    actorType: 'system',
    actorId: null,
    action: optedOut ? 'client.opt_out' : 'client.opt_in',
    phone,
    content: { source: 'keyword', text: event.text },
  });
  return keyword;
}

/** Whether a "1"/"2" received at `at` can still answer this reminder (sent since `since`). */
function isAnswerable(reminder: MessageRow, since: Date, at: Date): boolean {
  const { status, sentAt } = reminder;
  return (SENT_STATUSES as readonly string[]).includes(status) && !!sentAt && sentAt >= since && sentAt <= at;
}

async function applyAppointmentAnswer(
  tx: Tx,
  advisorId: string,
  phone: string,
  event: MessageEvent,
  quoted: MessageRow | null,
  at: Date,
): Promise<AppointmentRow | null> {
  const answer = appointmentAnswerOf(typedText(event));
  if (!answer) return null;
  // Seven days from the reminder to when the client wrote, however late the webhook came.
  const since = new Date(event.timestamp.getTime() - REMINDER_ANSWER_WINDOW_MS);
  // A quoted reminder is the one answered, even when it can no longer take the answer: the
  // client named it, so no other appointment gets it. Quoting anything else (a confirmation, a
  // message of theirs) says nothing about which appointment: the latest reminder, as unquoted.
  // That is the latest one sent before the client wrote (latestSendSeen), even when it named a
  // time the appointment has since left (the new reminder not sent yet, or sent after the client
  // wrote): it is what the client read last, so it is what they answered, and the answer counts
  // for nothing rather than for a newer reminder they had not seen or an older one of another
  // appointment.
  const reminder =
    quoted?.purpose === 'reminder'
      ? quoted
      : await findLatestReminder(tx, advisorId, phone, since, latestSendSeen(event, at));
  if (!reminder?.appointmentId || !isAnswerable(reminder, since, at)) return null;
  // A reminder with no version predates versions (migration 0002): it belongs to the first one.
  const version = reminder.appointmentVersion ?? 1;
  return recordClientResponse(tx, advisorId, reminder.appointmentId, version, answer, event.timestamp);
}

export async function receiveInboundMessage(
  ctx: DomainContext,
  advisorId: string,
  event: MessageEvent,
  at: Date,
): Promise<InboundOutcome | null> {
  const outcome = await ctx.db.transaction(async (tx): Promise<InboundOutcome | null> => {
    const message = await insertWebhookMessage(tx, advisorId, {
      direction: 'inbound',
      phone: event.phone,
      chatJid: event.chatJid,
      clientName: event.pushName,
      ...messageContentOf(event),
      status: 'received',
      source: 'phone',
      purpose: 'manual',
      evolutionMessageId: event.evolutionMessageId,
      readByAdvisor: false,
      createdAt: at,
      sentAt: event.timestamp,
    });
    if (!message) return null; // already stored: a duplicate delivery
    // Hidden numbers (@lid with no phone) are kept, but belong to no conversation.
    if (!event.phone) return { message, optChange: null, appointment: null };
    await recordInboundOnClient(tx, advisorId, event.phone, event.pushName, at);
    // Only this advisor's own message to this client: an id from elsewhere quotes nothing here.
    const quoted = event.quotedMessageId
      ? await findQuotedMessage(tx, advisorId, event.phone, event.quotedMessageId)
      : null;
    if (quoted) await markMessageReplied(tx, advisorId, quoted.id, at);
    else await markLatestOutboundReplied(tx, advisorId, event.phone, at, latestSendSeen(event, at));
    const optChange = await applyOptKeyword(tx, advisorId, event.phone, event, at);
    const appointment = optChange
      ? null
      : await applyAppointmentAnswer(tx, advisorId, event.phone, event, quoted, at);
    return { message, optChange, appointment };
  });
  if (!outcome) {
    await applyParkedChangesOfStored(ctx, advisorId, event.evolutionMessageId);
    return null;
  }
  const { message } = outcome;
  logMessageContent(ctx, advisorId, {
    messageId: message.id,
    direction: 'inbound',
    phone: message.phone,
    type: message.type,
    text: message.text,
    caption: message.caption,
  });
  // An edit or deletion of this message that came before it: applied now that it is stored.
  // An edit into STOP among them opts the client out (edit-keywords.ts): made after the message, it
  // is the latest word on consent.
  const { row: current, optedOut: optedOutByEdit } = await applyParkedChanges(ctx, message);
  // The client's consent as this message left it, when it changed it: the dashboard's badge reads
  // it here instead of guessing from the words (a STOP older than the client's START changes
  // nothing, and only the server knows the order).
  const optChange = optedOutByEdit ? 'opt_out' : outcome.optChange;
  const optedOut = optChange ? { clientOptedOut: optChange === 'opt_out' } : {};
  await ctx.events.publish(advisorId, {
    type: 'inbound',
    data: { ...messageView(current), ...optedOut } as never,
  });
  if (outcome.appointment) {
    await ctx.events.publish(advisorId, {
      type: 'appointment',
      data: appointmentEventData(outcome.appointment),
    });
  }
  return { ...outcome, message: current, optChange };
}
