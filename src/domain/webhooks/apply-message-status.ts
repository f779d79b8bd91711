// A delivery receipt (MESSAGES_UPDATE) for one of our messages. Statuses only move forward, so a
// duplicate or late receipt changes nothing; a receipt for an id we have not recorded yet (it
// overtook the send response) is parked and applied when the send worker records the id.
import {
  applyReceipt,
  savePendingReceipt,
  takePendingReceipts,
  type MessageRow,
} from '../../db/repositories/message.repository.js';
import type { MessageStatusEvent } from '../../gateway/index.js';
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
    // The send worker may have recorded the id between our two statements, and taken the
    // pending receipts before ours was saved: look once more, so the receipt cannot be stranded.
    applied = await applyReceipt(ctx.db, advisorId, id, status, at);
    if (applied === null) return null;
    applied = (await applyParked(ctx, advisorId, id)) ?? applied;
  }
  if (applied === 'same') return null;
  await ctx.events.publish(advisorId, { type: 'message', data: messageView(applied) as never });
  return applied;
}

/** Applies the receipts parked for this id; the row when one of them changed it. */
async function applyParked(ctx: DomainContext, advisorId: string, id: string): Promise<MessageRow | null> {
  let changed: MessageRow | null = null;
  for (const receipt of await takePendingReceipts(ctx.db, advisorId, id)) {
    const applied = await applyReceipt(ctx.db, advisorId, id, receipt.status as ReceiptStatus, receipt.at);
    if (applied && applied !== 'same') changed = applied;
  }
  return changed;
}

/** Receipts that arrived before a message learnt by webhook was stored (sends from the phone). */
export async function applyParkedReceipts(ctx: DomainContext, message: MessageRow): Promise<MessageRow> {
  if (!message.evolutionMessageId) return message;
  return (await applyParked(ctx, message.advisorId, message.evolutionMessageId)) ?? message;
}
