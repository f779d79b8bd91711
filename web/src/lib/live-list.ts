// Where a live `message` event goes in a list loaded newest first (the Messages screen, a chat):
// the API orders by createdAt, then id, both descending. A message already shown is updated in
// place (or leaves when it no longer matches the filters); one newer than everything shown was
// created after the list loaded and goes on top; one that falls between loaded rows (it did not
// match the filters before) takes its place; one older than the oldest loaded row belongs to a
// page not loaded yet and is left for that page, so it neither jumps to the top nor shows twice.
import type { Message } from './api-types';
import { laterOf } from './message-merge';

/** Negative when `a` comes before `b` in a newest-first list. */
function newestFirst(a: Message, b: Message): number {
  const at = Date.parse(a.createdAt);
  const bt = Date.parse(b.createdAt);
  if (at !== bt) return bt - at;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface LiveListOptions {
  /** Whether the list's filters let the message in (what the server would answer). */
  matches: (m: Message) => boolean;
  /** No more pages to load: every matching message older than the oldest shown is shown. */
  complete: boolean;
}

export function upsertLive(items: Message[], incoming: Message, options: LiveListOptions): Message[] {
  const current = items.find((x) => x.id === incoming.id);
  if (current) {
    const merged = laterOf(current, incoming);
    return options.matches(merged)
      ? items.map((x) => (x.id === merged.id ? merged : x))
      : items.filter((x) => x.id !== merged.id);
  }
  if (!options.matches(incoming)) return items;
  const at = items.findIndex((x) => newestFirst(incoming, x) < 0);
  if (at === -1) return options.complete ? [...items, incoming] : items;
  return [...items.slice(0, at), incoming, ...items.slice(at)];
}
