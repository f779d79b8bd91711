// Evolution echoes every send of ours (SEND_MESSAGE) a moment after the send answered, so by the
// time the echo arrives the worker has nearly always recorded the message as sent, and the echo
// changes nothing. WhatsApp's server acknowledgement (MESSAGES_UPDATE `SERVER_ACK`, our `sent`
// receipt) follows each send just as closely and says the same, so it is treated the same way: in
// production, with receipts on, it cost an update and a read per message. Both are called "echoes"
// below. Such echoes are found for a whole batch in one read, in two places:
// - on arrival (webhook-event-writer.ts): acknowledged without being stored, so they cost no
//   insert, no job and no worker statements. In the send pipeline that took 0.6 of 6 commits
//   and about a sixth of all CPU per message (docs/BENCHMARKS.md, 2026-12-01);
// - in the worker's batch (process-webhook-batch.ts), for those that were stored because the
//   message was not recorded as sent yet when they arrived, and were overtaken by the send
//   answer since: closed without the per-event path (two statements per echo).
// Echoes of messages not sent yet, or unknown (a lost send answer, to adopt), go the full way.
import { echoKey, settledForSentReceipt } from '../../db/repositories/message.repository.js';
import type { WebhookEventRow } from '../../db/repositories/webhook-event.repository.js';
import type { DbOrTx } from '../../db/client.js';
import type { MessageStatusEvent, WebhookEvent } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { isSendEcho } from './process-webhook-event.js';

/** One webhook's echoes: its advisor and the Evolution ids of the messages it echoes. */
export interface SendEchoes {
  advisorId: string;
  evolutionMessageIds: readonly string[];
}

/**
 * A `sent` receipt of one of our messages (SERVER_ACK): applyMessageStatus changes nothing with it
 * once the message is sent or further along, exactly the rows settledForSentReceipt finds.
 */
function isSentReceipt(event: WebhookEvent): event is MessageStatusEvent {
  return event.type === 'message_status' && event.status === 'sent' && event.fromMe !== false;
}

/**
 * The Evolution ids of a webhook's events when every one confirms a send of ours (a SEND_MESSAGE
 * echo or a SERVER_ACK receipt), else null.
 */
export function sentConfirmationIds(events: readonly WebhookEvent[]): string[] | null {
  if (events.length === 0) return null;
  const ids: string[] = [];
  for (const event of events) {
    if (isSendEcho(event) || isSentReceipt(event)) ids.push(event.evolutionMessageId);
    else return null;
  }
  return ids;
}

/** For each webhook, whether every echo in it changes nothing. One read for all of them. */
export async function settledEchoes(db: DbOrTx, webhooks: readonly SendEchoes[]): Promise<boolean[]> {
  const settled = await settledForSentReceipt(
    db,
    webhooks.flatMap(({ advisorId, evolutionMessageIds }) =>
      evolutionMessageIds.map((evolutionMessageId) => ({ advisorId, evolutionMessageId })),
    ),
  );
  return webhooks.map(({ advisorId, evolutionMessageIds }) =>
    evolutionMessageIds.every((id) => settled.has(echoKey(advisorId, id))),
  );
}

/** The ids of the stored rows made only of echoes that change nothing. */
export async function settledEchoRows(
  ctx: DomainContext,
  rows: readonly WebhookEventRow[],
  parsed: ReadonlyMap<number, WebhookEvent[] | string>,
): Promise<Set<number>> {
  const echoing: { row: WebhookEventRow; echoes: SendEchoes }[] = [];
  for (const row of rows) {
    const events = parsed.get(row.id);
    const ids = Array.isArray(events) ? sentConfirmationIds(events) : null;
    if (ids) echoing.push({ row, echoes: { advisorId: row.advisorId, evolutionMessageIds: ids } });
  }
  if (echoing.length === 0) return new Set();
  const settled = await settledEchoes(
    ctx.db,
    echoing.map((e) => e.echoes),
  );
  return new Set(echoing.filter((_, i) => settled[i]).map((e) => e.row.id));
}
