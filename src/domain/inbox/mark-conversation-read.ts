// The advisor opened the conversation: nothing in it is unread any more. Said live too, so the
// advisor's other tabs and devices clear its count and their Inbox badge at once.
import { markConversationRead as markRead } from '../../db/repositories/inbox.repository.js';
import { notFound } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { assertInboxEnabled } from './inbox-feature.js';

export async function markConversationRead(ctx: DomainContext, advisorId: string, phone: string) {
  await assertInboxEnabled(ctx, advisorId);
  const row = await ctx.db.transaction((tx) => markRead(tx, advisorId, phone));
  if (!row) throw notFound('Conversation');
  const read = { phone: row.phone, unread: row.unread };
  await ctx.events.publish(advisorId, { type: 'conversation_read', data: read });
  return read;
}
