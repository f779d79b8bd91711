// The Inbox badge's number: every unread client message of the advisor, summed in the database.
// The dashboard used to add up the counts of the first 200 conversations, which missed unread ones
// pushed further down by 200 more recently active conversations, and fetched each one's newest
// message to do it.
import { unreadTotals as readUnreadTotals } from '../../db/repositories/inbox.repository.js';
import type { DomainContext } from '../context.js';
import { assertInboxEnabled } from './inbox-feature.js';

export async function unreadTotals(
  ctx: DomainContext,
  advisorId: string,
): Promise<{ unread: number; conversations: number }> {
  await assertInboxEnabled(ctx, advisorId);
  return readUnreadTotals(ctx.db, advisorId);
}
