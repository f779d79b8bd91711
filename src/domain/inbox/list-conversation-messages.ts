// One conversation's messages, both directions, newest first by when they were exchanged (the
// rule is EXCHANGED_AT_SQL in inbox.repository.ts): a reminder sent today is today's message,
// not one of the day it was booked.
import { findClient } from '../../db/repositories/client.repository.js';
import { listChatMessages, type ExchangedCursor } from '../../db/repositories/inbox.repository.js';
import { listMessages, type MessageRow } from '../../db/repositories/message.repository.js';
import { notFound } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { assertInboxEnabled } from './inbox-feature.js';

/**
 * Where the next page starts. `created`: a cursor made before the chat followed the exchange
 * (by creation, as the message history still is). A client that read its first page then goes
 * on in that order, with cursors of that kind, so its listing has no gap; its next first page
 * is in the exchange order.
 */
export type ChatCursor =
  ({ order: 'exchanged' } & ExchangedCursor) | { order: 'created'; createdAt: Date; id: string };

export interface ChatPage {
  items: MessageRow[];
  next: ChatCursor | null;
}

export async function listConversationMessages(
  ctx: DomainContext,
  advisorId: string,
  phone: string,
  page: { limit: number; before?: ChatCursor },
): Promise<ChatPage> {
  await assertInboxEnabled(ctx, advisorId);
  if (!(await findClient(ctx.db, advisorId, phone))) throw notFound('Conversation');
  const { limit, before } = page;
  if (before?.order === 'created') {
    const rows = await listMessages(ctx.db, advisorId, { phone }, { limit, before });
    const last = rows[rows.length - 1];
    return {
      items: rows,
      next:
        rows.length === limit && last ? { order: 'created', createdAt: last.createdAt, id: last.id } : null,
    };
  }
  const rows = await listChatMessages(ctx.db, advisorId, phone, { limit, ...(before ? { before } : {}) });
  const last = rows[rows.length - 1];
  return {
    items: rows.map(({ exchangedAt: _, ...row }) => row),
    next: rows.length === limit && last ? { order: 'exchanged', at: last.exchangedAt, id: last.id } : null,
  };
}
