// The advisor answers a client from the inbox: an ordinary send (same checks, queue, audit and
// opt-out refusal), only addressed by the conversation.
import { findClient } from '../../db/repositories/client.repository.js';
import { notFound } from '../app-error.js';
import type { DomainContext } from '../context.js';
import type { MessageQueue } from '../messages/message-queue.js';
import { sendMessage, type SendOptions } from '../messages/send-message.js';
import { assertInboxEnabled } from './inbox-feature.js';

export async function replyToConversation(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  phone: string,
  text: string,
  options: Pick<SendOptions, 'actor' | 'source' | 'idempotencyKey' | 'refuseNew'>,
) {
  await assertInboxEnabled(ctx, advisorId);
  const client = await findClient(ctx.db, advisorId, phone);
  if (!client) throw notFound('Conversation');
  // A repeat with the same Idempotency-Key is the same reply when it names the same conversation
  // and words: the client's name, read from their row, may have changed in between (a new
  // WhatsApp name, a booking), and used to make the repeat a 409 idempotency_conflict.
  return sendMessage(
    ctx,
    queue,
    advisorId,
    { to: phone, type: 'text', text, ...(client.name ? { clientName: client.name } : {}) },
    // The name is the row's own, maybe the client's WhatsApp name: not one the advisor gave.
    { ...options, purpose: 'manual', idempotencyBody: { reply: phone, text }, clientNameFromRecord: true },
  );
}
