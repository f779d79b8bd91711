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
  if (was === undefined || now === undefined) return incoming;
  return now < was ? current : incoming;
}
