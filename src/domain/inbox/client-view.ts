// The inbox's shapes: a client (consent, last contact, unread) and a conversation (a client with
// their newest message).
import type { ClientRow } from '../../db/repositories/client.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import { messageView, type MessageView } from '../messages/message-view.js';

export function clientView(row: ClientRow) {
  return {
    phone: row.phone,
    name: row.name,
    optedOut: row.optedOut,
    optedOutAt: row.optedOutAt,
    optSource: row.optSource,
    lastInboundAt: row.lastInboundAt,
    lastOutboundAt: row.lastOutboundAt,
    unread: row.unread,
  };
}
export type ClientView = ReturnType<typeof clientView>;

/** When the conversation last moved: the later of the client's last message and ours. */
export function lastActivityOf(row: ClientRow): Date | null {
  const times = [row.lastInboundAt, row.lastOutboundAt].filter((t): t is Date => t !== null);
  return times.length === 0 ? null : new Date(Math.max(...times.map((t) => t.getTime())));
}

export interface ConversationView {
  phone: string;
  clientName: string | null;
  lastMessage: MessageView | null;
  unread: number;
  optedOut: boolean;
  lastActivityAt: Date | null;
}

export function conversationView(client: ClientRow, last: MessageRow | null): ConversationView {
  return {
    phone: client.phone,
    clientName: client.name ?? last?.clientName ?? null,
    lastMessage: last ? messageView(last) : null,
    unread: client.unread,
    optedOut: client.optedOut,
    lastActivityAt: lastActivityOf(client),
  };
}
