// Messages the advisor's own number sent. Typed on the phone (MESSAGES_UPSERT with fromMe): they
// join the conversation as outbound, source "phone". Sent through the API (SEND_MESSAGE): that is
// the echo of our own send, already a row (or about to be, when the send response is still on its
// way), so it is never stored again: it only confirms "sent" for an id we know, or gives its id
// to the attempt whose answer was lost (a worker killed mid-send), so the retry does not resend it.
import { touchClientOutbound } from '../../db/repositories/client.repository.js';
import { insertWebhookMessage } from '../../db/repositories/inbox.repository.js';
import { adoptLostSend, applyReceipt } from '../../db/repositories/message.repository.js';
import type { MessageEvent } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { messageView } from '../messages/message-view.js';
import { applyParkedChanges, applyParkedChangesOfStored } from './apply-message-edit.js';
import { applyParkedReceipts, applyParkedReceiptsOfStored } from './apply-message-status.js';
import { messageContentOf } from './message-content.js';

export async function confirmApiSend(ctx: DomainContext, advisorId: string, event: MessageEvent, at: Date) {
  let applied = await applyReceipt(ctx.db, advisorId, event.evolutionMessageId, 'sent', at);
  if (applied === null && event.phone) {
    // An id we never recorded: the worker that sent it died (or timed out) before the answer.
    const adopted = await adoptLostSend(ctx.db, advisorId, {
      evolutionMessageId: event.evolutionMessageId,
      phone: event.phone,
      chatJid: event.chatJid,
      type: event.kind,
      text: event.text,
      caption: event.caption,
      at: event.timestamp,
    });
    if (adopted) {
      ctx.logger.info(
        { advisorId, messageId: adopted.id, evolutionMessageId: event.evolutionMessageId },
        'a send whose answer was lost was confirmed by its echo; it will not be sent again',
      );
      applied = await applyParkedReceipts(ctx, adopted);
    }
  }
  if (applied && applied !== 'same') {
    await ctx.events.publish(advisorId, { type: 'message', data: messageView(applied) as never });
  }
}

export async function recordPhoneMessage(
  ctx: DomainContext,
  advisorId: string,
  event: MessageEvent,
  at: Date,
) {
  const row = await ctx.db.transaction(async (tx) => {
    const inserted = await insertWebhookMessage(tx, advisorId, {
      direction: 'outbound',
      phone: event.phone,
      chatJid: event.chatJid,
      ...messageContentOf(event),
      status: 'sent',
      source: 'phone',
      purpose: 'manual',
      evolutionMessageId: event.evolutionMessageId,
      readByAdvisor: true,
      createdAt: at,
      sentAt: event.timestamp,
    });
    if (inserted?.phone) await touchClientOutbound(tx, advisorId, inserted.phone, null, at);
    return inserted;
  });
  // Already recorded: a duplicate, or a retry after a run that stopped before the lines below
  // (what it had not applied is still parked).
  if (!row) {
    await applyParkedReceiptsOfStored(ctx, advisorId, event.evolutionMessageId);
    return applyParkedChangesOfStored(ctx, advisorId, event.evolutionMessageId);
  }
  const { row: current } = await applyParkedChanges(ctx, await applyParkedReceipts(ctx, row));
  await ctx.events.publish(advisorId, { type: 'message', data: messageView(current) as never });
}
