import { describe, expect, it } from 'vitest';
import type { Message } from './api-types';
import { appendUnique } from './list-items';
import { exchangedAt, upsertLive } from './live-list';

const at = (id: string, minute: number, status: Message['status'] = 'sent', phone = '+34600000001') =>
  ({ id, status, phone, createdAt: new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString() }) as Message;
const ids = (items: Message[]) => items.map((m) => m.id);
const all = { matches: () => true, complete: false };

describe('upsertLive', () => {
  // Newest first, as the API pages: 30, 20, 10 loaded; 5 is on a page not loaded yet.
  const loaded = [at('c', 30), at('b', 20), at('a', 10)];

  it('updates a message already shown in place', () => {
    const out = upsertLive(loaded, at('b', 20, 'read'), all);
    expect(ids(out)).toEqual(['c', 'b', 'a']);
    expect(out[1]?.status).toBe('read');
  });

  it('puts a message created after the list loaded on top', () => {
    expect(ids(upsertLive(loaded, at('d', 40), all))).toEqual(['d', 'c', 'b', 'a']);
  });

  it('ignores an update for an older message on a page not loaded yet', () => {
    expect(upsertLive(loaded, at('old', 5, 'delivered'), all)).toBe(loaded);
  });

  it('adds an older message only when every page is loaded, at its place', () => {
    expect(ids(upsertLive(loaded, at('old', 5), { ...all, complete: true }))).toEqual(['c', 'b', 'a', 'old']);
    expect(ids(upsertLive(loaded, at('mid', 15), all))).toEqual(['c', 'b', 'mid', 'a']);
  });

  it('respects the filters: a new message they exclude stays out, a shown one that stops matching leaves', () => {
    const onlySent = { matches: (m: Message) => m.status === 'sent', complete: false };
    expect(upsertLive(loaded, at('d', 40, 'failed'), onlySent)).toBe(loaded);
    expect(ids(upsertLive(loaded, at('b', 20, 'read'), onlySent))).toEqual(['c', 'a']);
  });

  it('does not move a shown message back behind a later status', () => {
    expect(upsertLive([at('a', 10, 'read')], at('a', 10, 'sent'), all)[0]?.status).toBe('read');
  });

  describe('in a chat, by when each message was exchanged', () => {
    const chat = { ...all, time: exchangedAt };
    const sentAt = (m: Message, minute: number): Message => ({
      ...m,
      direction: 'outbound',
      sentAt: new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString(),
    });
    // A reminder written with the booking (minute 10), the client's answer at 20, then 30.
    const reminder = { ...at('r', 10, 'scheduled'), direction: 'outbound', sentAt: null } as Message;
    const shown = [at('c', 30), { ...at('b', 20, 'received'), direction: 'inbound' } as Message, reminder];

    it('moves a scheduled reminder that is now sent to the newest place', () => {
      const out = upsertLive(shown, sentAt({ ...reminder, status: 'sent' }, 40), chat);
      expect(ids(out)).toEqual(['r', 'c', 'b']);
      expect(out[0]?.status).toBe('sent');
    });

    it('places it between the messages exchanged before and after it went out', () => {
      expect(ids(upsertLive(shown, sentAt({ ...reminder, status: 'sent' }, 25), chat))).toEqual([
        'c',
        'r',
        'b',
      ]);
    });

    it('orders a received message by when it arrived, not by the phone clock', () => {
      const late = {
        ...at('in', 35, 'received'),
        direction: 'inbound',
        sentAt: at('x', 1).createdAt,
      } as Message;
      expect(ids(upsertLive(shown, late, chat))).toEqual(['in', 'c', 'b', 'r']);
    });
  });
});

describe('appendUnique', () => {
  it('never appends an id the list already holds', () => {
    const shown = [at('d', 40, 'read'), at('c', 30)];
    const page = [at('d', 40, 'sent'), at('b', 20), at('b', 20)];
    const out = appendUnique(shown, page, (m) => m.id);
    expect(ids(out)).toEqual(['d', 'c', 'b']);
    expect(out[0]?.status).toBe('read');
  });
});
