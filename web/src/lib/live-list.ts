// Where a live `message` event goes in a list loaded newest first, in the API's order: the
// Messages screen by createdAt, a chat by when each message was exchanged (exchangedAt), then id,
// both descending. A message already shown is updated in place, or moves when its time changed
// (a chat's reminder that was scheduled and is now sent goes to the bottom), or leaves when it no
// longer matches the filters; one newer than everything shown goes on top; one that falls
// between loaded rows (it did not match the filters before) takes its place; one older than the
// oldest loaded row belongs to a page not loaded yet and is left for that page, so it neither
// jumps to the top nor shows twice.
import type { Message } from './api-types';
import { laterOf } from './message-merge';

/**
 * When a message was exchanged, as the server orders a chat (EXCHANGED_AT_SQL in
 * src/db/repositories/inbox.repository.ts): an inbound one when it reached the service, an
 * outbound one when it was sent, or when it was written while it has not been.
 */
export function exchangedAt(m: Message): string {
  return m.direction === 'inbound' ? m.createdAt : (m.sentAt ?? m.createdAt);
}

/** The instant a list is ordered by. */
export type ListTime = (m: Message) => string;

const createdAt: ListTime = (m) => m.createdAt;

/** Negative when `a` comes before `b` in a newest-first list. */
function newestFirst(a: Message, b: Message, time: ListTime): number {
  const at = Date.parse(time(a));
  const bt = Date.parse(time(b));
  if (at !== bt) return bt - at;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface LiveListOptions {
  /** Whether the list's filters let the message in (what the server would answer). */
  matches: (m: Message) => boolean;
  /** No more pages to load: every matching message older than the oldest shown is shown. */
  complete: boolean;
  /** What the list is ordered by; default createdAt. */
  time?: ListTime;
}

export function upsertLive(items: Message[], incoming: Message, options: LiveListOptions): Message[] {
  const time = options.time ?? createdAt;
  const current = items.find((x) => x.id === incoming.id);
  if (current) {
    const merged = laterOf(current, incoming);
    if (!options.matches(merged)) return items.filter((x) => x.id !== merged.id);
    if (newestFirst(merged, current, time) === 0) return items.map((x) => (x.id === merged.id ? merged : x));
    return place(
      items.filter((x) => x.id !== merged.id),
      merged,
      options.complete,
      time,
    );
  }
  if (!options.matches(incoming)) return items;
  return place(items, incoming, options.complete, time);
}

function place(items: Message[], m: Message, complete: boolean, time: ListTime): Message[] {
  const at = items.findIndex((x) => newestFirst(m, x, time) < 0);
  if (at === -1) return complete ? [...items, m] : items;
  return [...items.slice(0, at), m, ...items.slice(at)];
}
