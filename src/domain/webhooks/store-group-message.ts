// Group chats are not client conversations: with WEBHOOK_GROUPS=store their messages are kept
// with no phone (so no conversation, unread count or keyword ever sees them) and the group's JID;
// with the default `ignore` they are dropped.
import { insertWebhookMessage } from '../../db/repositories/inbox.repository.js';
import type { MessageEvent } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { applyParkedChanges, applyParkedChangesOfStored } from './apply-message-edit.js';
import { messageContentOf } from './message-content.js';

export async function storeGroupMessage(
  ctx: DomainContext,
  advisorId: string,
  event: MessageEvent,
  at: Date,
) {
  if (ctx.config.webhooks.groups !== 'store' || !event.groupJid) return;
  const row = await insertWebhookMessage(ctx.db, advisorId, {
    direction: event.fromMe ? 'outbound' : 'inbound',
    phone: null,
    chatJid: event.groupJid,
    clientName: event.pushName,
    ...messageContentOf(event),
    status: event.fromMe ? 'sent' : 'received',
    source: 'phone',
    purpose: 'group',
    evolutionMessageId: event.evolutionMessageId,
    readByAdvisor: true,
    createdAt: at,
    sentAt: event.timestamp,
  });
  if (row) await applyParkedChanges(ctx, row);
  else await applyParkedChangesOfStored(ctx, advisorId, event.evolutionMessageId);
}
