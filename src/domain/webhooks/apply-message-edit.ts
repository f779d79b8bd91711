// A message's author edited it, or deleted it for everyone, in WhatsApp: the client in their chat,
// or the advisor on the phone (a message sent from the dashboard too). The history and the inbox
// then show what the client's phone shows: the edited words, or "deleted". Keywords already acted
// on (an opt-out, an answer to a reminder) stand: they were read when the message arrived.
//
// An edit or deletion of a message we never stored (a group chat's under WEBHOOK_GROUPS=ignore,
// one written before the number was connected) has nothing to change and is dropped;
// so is one applied before the message itself, which the batch order prevents within a batch
// (process-webhook-batch.ts) and only two batches applied at the same moment can still do.
import { deleteMessageContent, editMessage } from '../../db/repositories/message-edit.repository.js';
import type { MessageDeleteEvent, MessageEditEvent } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { messageView } from '../messages/message-view.js';

export async function applyMessageEdit(
  ctx: DomainContext,
  advisorId: string,
  event: MessageEditEvent,
): Promise<boolean> {
  const row = await editMessage(ctx.db, advisorId, event.evolutionMessageId, {
    text: event.text,
    caption: event.caption,
    at: event.editedAt,
  });
  if (!row) return false;
  await ctx.events.publish(advisorId, { type: 'message', data: messageView(row) as never });
  return true;
}

export async function applyMessageDelete(
  ctx: DomainContext,
  advisorId: string,
  event: MessageDeleteEvent,
): Promise<boolean> {
  const row = await deleteMessageContent(ctx.db, advisorId, event.evolutionMessageId, event.deletedAt);
  if (!row) return false;
  await ctx.events.publish(advisorId, { type: 'message', data: messageView(row) as never });
  return true;
}
