// The advisor's conversations, the most recently active first, each with its newest message.
import {
  lastMessagesOf,
  listConversations as listConversationRows,
} from '../../db/repositories/inbox.repository.js';
import type { DomainContext } from '../context.js';
import { conversationView, lastActivityOf, type ConversationView } from './client-view.js';
import { assertInboxEnabled } from './inbox-feature.js';

export interface ConversationPage {
  items: ConversationView[];
  /** Where the next page starts, or null on the last page. */
  next: { at: Date; phone: string } | null;
}

export async function listConversations(
  ctx: DomainContext,
  advisorId: string,
  page: { limit: number; before?: { at: Date; phone: string } },
): Promise<ConversationPage> {
  await assertInboxEnabled(ctx, advisorId);
  const clients = await listConversationRows(ctx.db, advisorId, page);
  const newest = await lastMessagesOf(
    ctx.db,
    advisorId,
    clients.map((c) => c.phone),
  );
  const byPhone = new Map(newest.map((m) => [m.phone, m]));
  const items = clients.map((c) => conversationView(c, byPhone.get(c.phone) ?? null));
  const last = clients[clients.length - 1];
  const lastAt = last ? lastActivityOf(last) : null;
  return {
    items,
    next: clients.length === page.limit && last && lastAt ? { at: lastAt, phone: last.phone } : null,
  };
}
