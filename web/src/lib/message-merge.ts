// A message can reach a screen twice, from a live event and from the answer to the request that
// changed it, in either order. The one further along wins, so a late answer (a retry's "queued")
// cannot move a row back behind the "sent" a live event already showed.
import type { Message } from './api-types';

const RANK: Partial<Record<Message['status'], number>> = {
  scheduled: 1,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
};

export function laterOf(current: Message | undefined, incoming: Message): Message {
  if (!current) return incoming;
  const was = RANK[current.status];
  const now = RANK[incoming.status];
  // Failed, skipped, cancelled, received: no order to keep (a retry moves failed back to queued).
  const winner = was === undefined || now === undefined || now >= was ? incoming : current;
  return withAuthorChanges(winner, winner === incoming ? current : incoming);
}

/**
 * The author's edits and deletion only ever move forward too: a copy of the row read before the
 * newest of them (a receipt's event overtaken by the edit's) must not bring the old words back.
 */
function withAuthorChanges(winner: Message, other: Message): Message {
  if (other.deletedAt && !winner.deletedAt) {
    return { ...winner, deletedAt: other.deletedAt, text: null, caption: null, fileName: null };
  }
  if (winner.deletedAt || !other.editedAt) return winner;
  if (winner.editedAt && Date.parse(winner.editedAt) >= Date.parse(other.editedAt)) return winner;
  return { ...winner, editedAt: other.editedAt, text: other.text, caption: other.caption };
}
