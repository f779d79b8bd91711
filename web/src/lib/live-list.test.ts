import { describe, expect, it } from 'vitest';
import type { Message } from './api-types';
import { appendUnique } from './list-items';
import { upsertLive } from './live-list';

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
