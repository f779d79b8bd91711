// The webhook's worker half: read a stored event, apply what it says, mark it processed. Every
// step is idempotent (conditional status writes, one message per Evolution id, monotonic
// connection rules), so a retry, a duplicate delivery or a re-enqueue by the sweeper is harmless,
// and events may be applied in any order.
import {
  findWebhookEvent,
  markWebhookEventDone,
  recordWebhookEventError,
  type WebhookEventRow,
} from '../../db/repositories/webhook-event.repository.js';
import {
  parseWebhook,
  WebhookParseError,
  type MessageEvent,
  type WebhookEvent,
} from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { receiveInboundMessage } from '../inbox/receive-inbound-message.js';
import { applyConnectionEvent } from '../instances/apply-connection-event.js';
import { applyMessageDelete, applyMessageEdit } from './apply-message-edit.js';
import { applyMessageStatus } from './apply-message-status.js';
import { confirmApiSend, recordPhoneMessage } from './record-own-message.js';
import { storeGroupMessage } from './store-group-message.js';
import { webhookStats } from './webhook-stats.js';

export type ProcessOutcome = 'processed' | 'already_processed' | 'missing' | 'given_up';

// Broadcast lists, status updates and channels are not chats with a client.
const NOT_A_CHAT = /@(broadcast|newsletter)$/;

/** Evolution's SEND_MESSAGE echo of a send of ours, to a chat: all confirmApiSend looks at. */
export function isSendEcho(event: WebhookEvent): event is MessageEvent & { source: 'send' } {
  return event.type === 'message' && event.source === 'send' && !NOT_A_CHAT.test(event.chatJid);
}

async function applyEvent(
  ctx: DomainContext,
  advisorId: string,
  event: WebhookEvent,
  at: Date,
): Promise<void> {
  switch (event.type) {
    case 'qr':
    case 'qr_limit':
    case 'connection':
    case 'logout':
      return applyConnectionEvent(ctx, advisorId, event);
    case 'message_status':
      await applyMessageStatus(ctx, advisorId, event, at);
      return;
    case 'message_edit':
      await applyMessageEdit(ctx, advisorId, event);
      return;
    case 'message_delete':
      await applyMessageDelete(ctx, advisorId, event);
      return;
    case 'message':
      if (isSendEcho(event)) return confirmApiSend(ctx, advisorId, event, at);
      if (NOT_A_CHAT.test(event.chatJid)) return;
      if (event.groupJid) return storeGroupMessage(ctx, advisorId, event, at);
      if (event.fromMe) return recordPhoneMessage(ctx, advisorId, event, at);
      await receiveInboundMessage(ctx, advisorId, event, at);
      return;
    case 'ignored':
      return;
  }
}

export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 1_000) : String(err);
}

/**
 * Applies one stored event. Returns why it can never be applied (its payload no longer parses: a
 * parser change, so retrying cannot help), or null when applied; throws when applying failed and
 * a retry may succeed.
 */
export async function applyStoredEvent(
  ctx: DomainContext,
  row: WebhookEventRow,
  parsed: WebhookEvent[] | string = parseStoredEvent(row),
): Promise<string | null> {
  if (typeof parsed === 'string') return parsed;
  for (const event of parsed) await applyEvent(ctx, row.advisorId, event, row.receivedAt);
  return null;
}

/** A stored event's payload as events, or why it can never be applied (it no longer parses). */
export function parseStoredEvent(row: WebhookEventRow): WebhookEvent[] | string {
  try {
    return parseWebhook(row.payload, { pathEvent: row.event, receivedAt: row.receivedAt }).events;
  } catch (err) {
    if (!(err instanceof WebhookParseError)) throw err;
    return describeError(err);
  }
}

export async function processWebhookEvent(
  ctx: DomainContext,
  advisorId: string,
  eventId: number,
  options: { finalAttempt: boolean },
): Promise<ProcessOutcome> {
  const row = await findWebhookEvent(ctx.db, advisorId, eventId);
  if (!row) return 'missing';
  if (row.processedAt) return 'already_processed';

  let unusable: string | null;
  try {
    unusable = await applyStoredEvent(ctx, row);
  } catch (err) {
    if (!options.finalAttempt) {
      await recordWebhookEventError(ctx.db, advisorId, eventId, describeError(err)).catch(() => undefined);
      throw err;
    }
    // Kept with its error for inspection; the sweeper leaves processed rows alone.
    ctx.logger.error(
      { err, eventId, advisorId, event: row.event },
      'webhook event given up after its last attempt',
    );
    await markWebhookEventDone(ctx.db, advisorId, eventId, describeError(err));
    webhookStats.failed += 1;
    return 'given_up';
  }
  if (unusable !== null) {
    await markWebhookEventDone(ctx.db, advisorId, eventId, unusable);
    webhookStats.failed += 1;
    return 'given_up';
  }
  await markWebhookEventDone(ctx.db, advisorId, eventId, null);
  webhookStats.processed += 1;
  return 'processed';
}
