import { describe, expect, it } from 'vitest';
import type { Conversation } from './api-types';
import { unreadBadgeText, withConversationRead } from './inbox-unread';

describe('unreadBadgeText', () => {
  it('prints the count up to 99, then 99+', () => {
    expect(unreadBadgeText(1)).toBe('1');
    expect(unreadBadgeText(99)).toBe('99');
    expect(unreadBadgeText(100)).toBe('99+');
  });
});

describe('withConversationRead', () => {
  const conversation = (phone: string, unread: number): Conversation => ({
    phone,
    clientName: null,
    lastMessage: null,
    unread,
    optedOut: false,
  });
  const items = [conversation('+34600000001', 3), conversation('+34600000002', 2)];

  it("clears that conversation's count and leaves the others and their order", () => {
    expect(withConversationRead(items, { phone: '+34600000002', unread: 0 })).toEqual([
      conversation('+34600000001', 3),
      conversation('+34600000002', 0),
    ]);
  });

  it('returns the same list for a conversation not loaded or already read', () => {
    expect(withConversationRead(items, { phone: '+34600000009', unread: 0 })).toBe(items);
    const read = withConversationRead(items, { phone: '+34600000001', unread: 0 });
    expect(withConversationRead(read, { phone: '+34600000001', unread: 0 })).toBe(read);
  });
});
