// A message's author edited it, or deleted it for everyone, in WhatsApp: the client in their chat,
// or the advisor on the phone (a message sent from the dashboard too). The history and the inbox
// then show what the client's phone shows: the edited words, or "deleted". Keywords already acted
// on (an opt-out, an answer to a reminder) stand: they were read when the message arrived. A
// client's edit into an opt-out word opts them out, as a new STOP would (edit-keywords.ts), also
// when the edit is applied from parking.
//
// A change that arrives before the message it names is parked and applied when the message is
// stored (applyParkedChanges). Evolution retries each delivery on its own backoff, so after an
// outage of ours a client's edit or deletion, made later but retried sooner, can land first; it
// used to be dropped, and the inbox showed words the client had taken back. A change whose message
// never comes (a group chat's under WEBHOOK_GROUPS=ignore, one written before the number was
// connected) waits a day and is dropped (sweep-webhook-events.ts). A parked change is deleted
// only after it is applied: a failure in between leaves it for the next attempt (a redelivery of
// the message, the event's retry, the webhook sweep), which applies it again harmlessly (both
// writes are conditional). Taken before being applied, such a failure lost it for good.
import {
  deleteMessageChanges,
  deleteMessageContent,
  editMessage,
  findMessageChanges,
  hasMessage,
  parkMessageChange,
  type PendingMessageChange,
} from '../../db/repositories/message-edit.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import type { MessageDeleteEvent, MessageEditEvent } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { optOutByEdit } from '../inbox/edit-keywords.js';
import { messageView } from '../messages/message-view.js';

/** A message as one or more changes left it, and whether an edit's STOP opted the client out. */
export interface ChangesApplied {
  row: MessageRow | null;
  optedOut: boolean;
}

export async function applyMessageEdit(
  ctx: DomainContext,
  advisorId: string,
  event: MessageEditEvent,
): Promise<boolean> {
  const change = { kind: 'edit', text: event.text, caption: event.caption, at: event.editedAt } as const;
  return applyOrPark(ctx, advisorId, event.evolutionMessageId, change);
}

export async function applyMessageDelete(
  ctx: DomainContext,
  advisorId: string,
  event: MessageDeleteEvent,
): Promise<boolean> {
  return applyOrPark(ctx, advisorId, event.evolutionMessageId, { kind: 'delete', at: event.deletedAt });
}

function applyChange(
  ctx: DomainContext,
  advisorId: string,
  evolutionMessageId: string,
  change: PendingMessageChange,
): Promise<MessageRow | null> {
  return change.kind === 'edit'
    ? editMessage(ctx.db, advisorId, evolutionMessageId, change)
    : deleteMessageContent(ctx.db, advisorId, evolutionMessageId, change.at);
}

/** An edit's words read for an opt-out (edit-keywords.ts); a deletion says nothing. */
function readOptOut(
  ctx: DomainContext,
  advisorId: string,
  evolutionMessageId: string,
  change: PendingMessageChange,
): Promise<MessageRow | null> {
  return change.kind === 'edit'
    ? optOutByEdit(ctx, advisorId, evolutionMessageId, change)
    : Promise.resolve(null);
}

/**
 * The live `message` event of a changed message; with `clientOptedOut` when an edit's STOP opted
 * the client out, as the `inbound` event of a new STOP carries it.
 */
function publishChanged(ctx: DomainContext, advisorId: string, { row, optedOut }: ChangesApplied) {
  if (!row) return Promise.resolve();
  const consent = optedOut ? { clientOptedOut: true } : {};
  return ctx.events.publish(advisorId, {
    type: 'message',
    data: { ...messageView(row), ...consent } as never,
  });
}

async function applyOrPark(
  ctx: DomainContext,
  advisorId: string,
  evolutionMessageId: string,
  change: PendingMessageChange,
): Promise<boolean> {
  const row = await applyChange(ctx, advisorId, evolutionMessageId, change);
  if (row || (await hasMessage(ctx.db, advisorId, evolutionMessageId))) {
    // Stored: changed, or not (deleted already, a newer edit stands). Either way the client did
    // write these words, so an opt-out in them is honoured; a retry reads them again harmlessly.
    const optedOutBy = await readOptOut(ctx, advisorId, evolutionMessageId, change);
    await publishChanged(ctx, advisorId, { row: row ?? optedOutBy, optedOut: optedOutBy !== null });
    return row !== null;
  }
  await parkMessageChange(ctx.db, advisorId, evolutionMessageId, change);
  // The message may have been stored between the two statements, its parked changes read
  // before this one was parked: look once more, so the change cannot be stranded.
  if (!(await hasMessage(ctx.db, advisorId, evolutionMessageId))) return false;
  const applied = await applyPendingChanges(ctx, advisorId, evolutionMessageId);
  await publishChanged(ctx, advisorId, applied);
  return applied.row !== null;
}

/**
 * Applies the changes parked for this message (an edit's words read for an opt-out too), then
 * deletes them: the row when one of them changed it or opted the client out.
 */
async function applyPendingChanges(
  ctx: DomainContext,
  advisorId: string,
  evolutionMessageId: string,
): Promise<ChangesApplied> {
  const parked = await findMessageChanges(ctx.db, advisorId, evolutionMessageId);
  if (parked.length === 0) return { row: null, optedOut: false };
  let changed: MessageRow | null = null;
  let optedOutBy: MessageRow | null = null;
  for (const change of parked) {
    changed = (await applyChange(ctx, advisorId, evolutionMessageId, change)) ?? changed;
    optedOutBy = (await readOptOut(ctx, advisorId, evolutionMessageId, change)) ?? optedOutBy;
  }
  await deleteMessageChanges(ctx.db, advisorId, evolutionMessageId, parked);
  return { row: changed ?? optedOutBy, optedOut: optedOutBy !== null };
}

/**
 * For a delivery of a message that is already stored (a duplicate, or the retry of an event whose
 * first run stored the message and then stopped, a crash or a failed statement, before it applied
 * the changes parked for it): applies them now and publishes the changed row. Without this they
 * waited a day and were dropped, and the inbox kept words the client had deleted for everyone.
 */
export async function applyParkedChangesOfStored(
  ctx: DomainContext,
  advisorId: string,
  evolutionMessageId: string,
): Promise<void> {
  await publishChanged(ctx, advisorId, await applyPendingChanges(ctx, advisorId, evolutionMessageId));
}

/**
 * Edits and deletions that arrived before a message learnt by webhook was stored: call once its
 * row is committed. Returns the row as it is now, and whether an edit opted the client out (the
 * caller publishes both).
 */
export async function applyParkedChanges(
  ctx: DomainContext,
  message: MessageRow,
): Promise<{ row: MessageRow; optedOut: boolean }> {
  if (!message.evolutionMessageId) return { row: message, optedOut: false };
  const applied = await applyPendingChanges(ctx, message.advisorId, message.evolutionMessageId);
  return { row: applied.row ?? message, optedOut: applied.optedOut };
}
