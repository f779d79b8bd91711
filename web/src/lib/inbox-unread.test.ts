import { describe, expect, it } from 'vitest';
import { unreadBadgeText, unreadTotal } from './inbox-unread';

describe('unreadTotal', () => {
  it('adds the unread messages of every conversation', () => {
    expect(unreadTotal([{ unread: 2 }, { unread: 0 }, { unread: 5 }])).toBe(7);
    expect(unreadTotal([])).toBe(0);
  });

  it('ignores a count below zero rather than hiding others', () => {
    expect(unreadTotal([{ unread: -1 }, { unread: 3 }])).toBe(3);
  });
});

describe('unreadBadgeText', () => {
  it('prints the count up to 99, then 99+', () => {
    expect(unreadBadgeText(1)).toBe('1');
    expect(unreadBadgeText(99)).toBe('99');
    expect(unreadBadgeText(100)).toBe('99+');
  });
});
