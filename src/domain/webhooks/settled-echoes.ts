// Evolution echoes every send of ours (SEND_MESSAGE) a moment after the send answered, so by the
// time the echo is processed the worker has nearly always recorded the message as sent, and the
// echo changes nothing. Found here for a whole batch in one read, those rows skip the per-event
// path (two statements per echo: the receipt update that matches nothing, then the existence
// check). In the send pipeline that was about a sixth of all statements per message. Echoes of
// messages not sent yet, or unknown (a lost send answer, to adopt), go the full way.
import { echoKey, settledForSentReceipt } from '../../db/repositories/message.repository.js';
import type { WebhookEventRow } from '../../db/repositories/webhook-event.repository.js';
import type { MessageEvent, WebhookEvent } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { isSendEcho } from './process-webhook-event.js';

/** The ids of the rows made only of echoes that change nothing. */
export async function settledEchoRows(
  ctx: DomainContext,
  rows: readonly WebhookEventRow[],
  parsed: ReadonlyMap<number, WebhookEvent[] | string>,
): Promise<Set<number>> {
  const echoes = new Map<WebhookEventRow, MessageEvent[]>();
  for (const row of rows) {
    const events = parsed.get(row.id);
    if (Array.isArray(events) && events.length > 0 && events.every(isSendEcho)) echoes.set(row, events);
  }
  if (echoes.size === 0) return new Set();
  const settled = await settledForSentReceipt(
    ctx.db,
    [...echoes].flatMap(([row, events]) =>
      events.map((event) => ({ advisorId: row.advisorId, evolutionMessageId: event.evolutionMessageId })),
    ),
  );
  const ids = new Set<number>();
  for (const [row, events] of echoes) {
    if (events.every((event) => settled.has(echoKey(row.advisorId, event.evolutionMessageId))))
      ids.add(row.id);
  }
  return ids;
}
