// The Inbox badge in the navigation: how many client messages wait unread. The server keeps the
// count per conversation (GET /api/whatsapp/conversations, `unread`; opening a chat marks it
// read), so the badge is the sum of it and survives a reload. The conversations come most
// recently active first, so one page of the largest size holds every conversation a client has
// written to lately.
import { useEffect, useRef, useState } from 'react';
import { api } from './api-client';
import type { Conversation } from './api-types';
import { useLiveEvent } from './live-events';

/** The largest page the conversations route gives. */
export const UNREAD_PAGE = 200;

export function unreadTotal(conversations: Pick<Conversation, 'unread'>[]): number {
  return conversations.reduce((sum, c) => sum + (c.unread > 0 ? c.unread : 0), 0);
}

/** What the badge prints: the count, or "99+" past that, so the badge keeps its size. */
export function unreadBadgeText(count: number): string {
  return count > 99 ? '99+' : String(count);
}

/**
 * The unread count while the advisor is elsewhere than the Inbox (0 on it: the conversation list
 * shows each count there). Counted up at once when a client writes, then read again from the
 * server; read again too when the advisor leaves the Inbox, where opening chats marked them read.
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

  useEffect(() => {
    if (onInbox) return;
    const controller = new AbortController();
    api
      .get<{ items: Conversation[] }>(`/api/whatsapp/conversations?limit=${UNREAD_PAGE}`, {
        signal: controller.signal,
      })
      .then((page) => setCount(unreadTotal(page.items)))
      // No inbox (the feature is off) or no answer: the badge counts what arrives live.
      .catch(() => undefined);
    return () => controller.abort();
  }, [onInbox, version]);

  return onInbox ? 0 : count;
}
