import { describe, expect, it } from 'vitest';
import { unreadBadgeText } from './inbox-unread';

describe('unreadBadgeText', () => {
  it('prints the count up to 99, then 99+', () => {
    expect(unreadBadgeText(1)).toBe('1');
    expect(unreadBadgeText(99)).toBe('99');
    expect(unreadBadgeText(100)).toBe('99+');
  });
});
