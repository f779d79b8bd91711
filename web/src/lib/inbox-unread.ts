// The Inbox badge in the navigation: how many client messages wait unread. The server keeps the
// count per conversation (opening a chat marks it read) and sums it over all of them
// (GET /api/whatsapp/conversations/unread), so the badge survives a reload and counts unread
// conversations however far down the list they are.
import { useEffect, useRef, useState } from 'react';
import { api } from './api-client';
import type { Conversation, ConversationReadEvent, UnreadTotals } from './api-types';
import { useLiveEvent, useLiveResync } from './live-events';

/** What the badge prints: the count, or "99+" past that, so the badge keeps its size. */
export function unreadBadgeText(count: number): string {
  return count > 99 ? '99+' : String(count);
}

/**
 * The conversation list once a conversation was marked read, here or in another tab or device of
 * the advisor (the live `conversation_read` event): its count becomes the server's (0), the rest
 * stay. The same list when nothing changes, so a repeated event renders nothing.
 */
export function withConversationRead(items: Conversation[], read: ConversationReadEvent): Conversation[] {
  if (!items.some((c) => c.phone === read.phone && c.unread !== read.unread)) return items;
  return items.map((c) => (c.phone === read.phone ? { ...c, unread: read.unread } : c));
}

/**
 * The unread count while the advisor is elsewhere than the Inbox (0 on it: the conversation list
 * shows each count there). Counted up at once when a client writes, then read again from the
 * server; read again too when the advisor leaves the Inbox, where opening chats marked them read,
 * and when a conversation is marked read in another tab or on another device.
 */
export function useInboxUnread(onInbox: boolean): number {
  const [count, setCount] = useState(0);
  const [version, setVersion] = useState(0);
  const elsewhere = useRef(!onInbox);
  elsewhere.current = !onInbox;

  useLiveEvent('inbound', (m) => {
    if (!elsewhere.current || m.direction !== 'inbound') return;
    setCount((c) => c + 1);
    setVersion((v) => v + 1);
  });
  // Read elsewhere: how many that conversation held is not known here, the server's total is.
  useLiveEvent('conversation_read', () => {
    if (elsewhere.current) setVersion((v) => v + 1);
  });
  // A client message published before the stream opened (or while it was down) was missed.
  useLiveResync(() => {
    if (elsewhere.current) setVersion((v) => v + 1);
  });

  useEffect(() => {
    if (onInbox) return;
    const controller = new AbortController();
    api
      .get<UnreadTotals>('/api/whatsapp/conversations/unread', { signal: controller.signal })
      .then((totals) => setCount(Math.max(0, totals.unread)))
      // No inbox (the feature is off) or no answer: the badge counts what arrives live.
      .catch(() => undefined);
    return () => controller.abort();
  }, [onInbox, version]);

  return onInbox ? 0 : count;
}
