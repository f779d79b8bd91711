// A delivery receipt (MESSAGES_UPDATE) for one of our messages. Statuses only move forward, so a
// duplicate or late receipt changes nothing; a receipt for an id we have not recorded yet (it
// overtook the send response) is parked and applied when the send worker records the id. Parked
// receipts are deleted only after they are applied (pending-receipt.repository.ts).
import {
  applyReceipt,
  applyReceipts,
  echoKey,
  receiptKey,
  settledReceiptKeys,
  type MessageRow,
} from '../../db/repositories/message.repository.js';
import {
  deletePendingReceipts,
  findPendingReceipts,
  savePendingReceipt,
} from '../../db/repositories/pending-receipt.repository.js';
import type { MessageStatusEvent, WebhookEvent } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { messageView } from '../messages/message-view.js';

type ReceiptStatus = 'sent' | 'delivered' | 'read' | 'failed';

function receiptStatusOf(event: MessageStatusEvent): ReceiptStatus | null {
  const s = event.status;
  return s === 'sent' || s === 'delivered' || s === 'read' || s === 'failed' ? s : null;
}

export async function applyMessageStatus(
  ctx: DomainContext,
  advisorId: string,
  event: MessageStatusEvent,
  at: Date,
): Promise<MessageRow | null> {
  // PENDING and unknown words say nothing about delivery (edits and deletions never come here:
  // apply-message-edit.ts); receipts of the client's own messages (fromMe false) are not about
  // anything we sent.
  const status = receiptStatusOf(event);
  if (!status || event.fromMe === false) return null;
  const id = event.evolutionMessageId;

  let applied = await applyReceipt(ctx.db, advisorId, id, status, at);
  if (applied === null) {
    await savePendingReceipt(ctx.db, advisorId, id, status, at);
    // The send worker may have recorded the id between our two statements, and read the
    // pending receipts before ours was saved: look once more, so the receipt cannot be stranded.
    applied = await applyReceipt(ctx.db, advisorId, id, status, at);
    if (applied === null) return null;
    applied = (await applyPendingReceipts(ctx, advisorId, id)) ?? applied;
  }
  if (applied === 'same') return null;
  await ctx.events.publish(advisorId, { type: 'message', data: messageView(applied) as never });
  return applied;
}

/** A delivery or read receipt of one of our messages: what may be applied at arrival. */
export type ArrivalReceipt = MessageStatusEvent & { status: 'delivered' | 'read' };

function isArrivalReceipt(event: WebhookEvent): event is ArrivalReceipt {
  return (
    event.type === 'message_status' &&
    event.fromMe !== false &&
    (event.status === 'delivered' || event.status === 'read')
  );
}

/**
 * A webhook's receipts when it holds nothing else and each is a delivery or read receipt of one of
 * our messages: what applyReceiptsOnArrival may apply before anything is stored. Null otherwise.
 */
export function arrivalReceipts(events: readonly WebhookEvent[]): ArrivalReceipt[] | null {
  if (events.length === 0) return null;
  const receipts: ArrivalReceipt[] = [];
  for (const event of events) {
    if (!isArrivalReceipt(event)) return null;
    receipts.push(event);
  }
  return receipts;
}

/** The receipts of one webhook, as the writer hands them over. */
export interface ArrivingWebhookReceipts {
  advisorId: string;
  receipts: readonly ArrivalReceipt[];
  at: Date;
}

/**
 * Applies the arrivalReceipts of many webhooks to messages already recorded, at their arrival: no
 * event row, no job. Two statements for all of them (delivery receipts, then read receipts, so a
 * message named by both ends as read) and one read for those that moved nothing; every moved
 * message is published live. For each webhook, whether each of its receipts was applied or found
 * settled (its message already at or past its status). One that was not (a receipt overtook the
 * send's answer, or the send was recorded meanwhile) must be stored: its processing parks or
 * applies that receipt and applies the others again, which changes nothing (statuses only move
 * forward).
 */
export async function applyReceiptsOnArrival(
  ctx: Pick<DomainContext, 'db' | 'events'>,
  webhooks: readonly ArrivingWebhookReceipts[],
): Promise<boolean[]> {
  const all = webhooks.flatMap((w) =>
    w.receipts.map((r) => ({
      advisorId: w.advisorId,
      evolutionMessageId: r.evolutionMessageId,
      at: w.at,
      status: r.status,
    })),
  );
  const known = new Set<string>();
  for (const status of ['delivered', 'read'] as const) {
    const moved = await applyReceipts(
      ctx.db,
      status,
      all.filter((r) => r.status === status),
    );
    // Published as soon as committed, without holding the acknowledgements: live events are best
    // effort (publish never throws; a dashboard reads again whenever its stream opens). Sent in
    // this order on one connection, so a message moved by both statements ends as read on screen,
    // and rows already moved are shown even if the next statement fails.
    for (const row of moved) {
      known.add(echoKey(row.advisorId, row.evolutionMessageId!));
      void ctx.events.publish(row.advisorId, { type: 'message', data: messageView(row) as never });
    }
  }
  // A receipt that moved nothing counts only if its message is already where it would take it (a
  // duplicate, or overtaken): not merely recorded, which a send recorded since would be.
  const unmoved = all.filter((r) => !known.has(echoKey(r.advisorId, r.evolutionMessageId)));
  const settled = await settledReceiptKeys(ctx.db, unmoved);
  return webhooks.map((w) =>
    w.receipts.every(
      (r) =>
        known.has(echoKey(w.advisorId, r.evolutionMessageId)) ||
        settled.has(receiptKey(w.advisorId, r.evolutionMessageId, r.status)),
    ),
  );
}

/**
 * Applies the receipts parked for this id, then deletes them: a failure in between leaves them
 * parked, and the next attempt (the send job's retry, the event's, the webhook sweep) applies them
 * again, which changes nothing more. The row when one of them changed it.
 */
export async function applyPendingReceipts(
  ctx: Pick<DomainContext, 'db'>,
  advisorId: string,
  id: string,
): Promise<MessageRow | null> {
  const parked = await findPendingReceipts(ctx.db, advisorId, id);
  if (parked.length === 0) return null;
  let changed: MessageRow | null = null;
  for (const receipt of parked) {
    const applied = await applyReceipt(ctx.db, advisorId, id, receipt.status as ReceiptStatus, receipt.at);
    if (applied && applied !== 'same') changed = applied;
  }
  await deletePendingReceipts(ctx.db, parked);
  return changed;
}

/** Receipts that arrived before a message learnt by webhook was stored (sends from the phone). */
export async function applyParkedReceipts(ctx: DomainContext, message: MessageRow): Promise<MessageRow> {
  if (!message.evolutionMessageId) return message;
  return (await applyPendingReceipts(ctx, message.advisorId, message.evolutionMessageId)) ?? message;
}

/**
 * For a message stored earlier whose parked receipts were not applied (the run that stored it
 * stopped first, or it was stored by a path that looks for none): applies them now and publishes
 * the moved row.
 */
export async function applyParkedReceiptsOfStored(
  ctx: DomainContext,
  advisorId: string,
  evolutionMessageId: string,
): Promise<void> {
  const row = await applyPendingReceipts(ctx, advisorId, evolutionMessageId);
  if (row) await ctx.events.publish(advisorId, { type: 'message', data: messageView(row) as never });
}
