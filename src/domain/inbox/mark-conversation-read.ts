// The advisor opened the conversation: nothing in it is unread any more.
import { markConversationRead as markRead } from '../../db/repositories/inbox.repository.js';
import { notFound } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { assertInboxEnabled } from './inbox-feature.js';

export async function markConversationRead(ctx: DomainContext, advisorId: string, phone: string) {
  await assertInboxEnabled(ctx, advisorId);
  const row = await ctx.db.transaction((tx) => markRead(tx, advisorId, phone));
  if (!row) throw notFound('Conversation');
  return { phone: row.phone, unread: row.unread };
}
