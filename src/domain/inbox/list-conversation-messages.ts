// One conversation's messages, both directions, newest first.
import { findClient } from '../../db/repositories/client.repository.js';
import { listMessages, type MessageRow } from '../../db/repositories/message.repository.js';
import { notFound } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { assertInboxEnabled } from './inbox-feature.js';

export async function listConversationMessages(
  ctx: DomainContext,
  advisorId: string,
  phone: string,
  page: { limit: number; before?: { createdAt: Date; id: string } },
): Promise<MessageRow[]> {
  await assertInboxEnabled(ctx, advisorId);
  if (!(await findClient(ctx.db, advisorId, phone))) throw notFound('Conversation');
  return listMessages(ctx.db, advisorId, { phone }, page);
}
