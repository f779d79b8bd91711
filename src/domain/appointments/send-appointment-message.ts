// The dashboard's buttons: send the confirmation or the reminder now, or a follow-up with the
// advisor's own words. It goes out at once (no quiet hours: the advisor chose the moment), through
// the same send-time checks as automated ones. A pending automated message of the same kind is
// cancelled (reason `replaced_by_manual_send`) so the client does not get it twice. Refusals
// (client opted out, sending disabled…) are the answer, not a recorded row. A repeat with the same
// Idempotency-Key answers the message the first call wrote, even if the appointment has since
// started, been cancelled or changed; another body with that key is 409 `idempotency_conflict`.
import { insertAudit } from '../../db/repositories/audit.repository.js';
import { cancelPendingMessages } from '../../db/repositories/appointment.repository.js';
import { findByIdempotencyKey, type MessageRow } from '../../db/repositories/message.repository.js';
import { AppError } from '../app-error.js';
import { nowOf, type DomainContext } from '../context.js';
import type { MessageQueue } from '../messages/message-queue.js';
import { messageView } from '../messages/message-view.js';
import { requestHash, type SendOptions } from '../messages/send-message.js';
import { writePlannedMessage } from './appointment-messages.js';
import { runAppointmentTransaction } from './appointment-transaction.js';
import { loadAppointmentForChange } from './load-appointment-for-change.js';

export type ManualKind = 'confirmation' | 'reminder' | 'follow_up';

export interface ManualSendRequest {
  kind: ManualKind;
  /** The follow-up's personal message (`mensaje_personalizado`). */
  message?: string;
}

export async function sendAppointmentMessage(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  externalId: string,
  request: ManualSendRequest,
  options: Pick<SendOptions, 'actor' | 'source'> & { idempotencyKey?: string },
): Promise<{ message: MessageRow; created: boolean }> {
  if (request.message !== undefined && request.kind !== 'follow_up') {
    throw new AppError('validation_failed', 'A personal message can only go with a follow-up.', {
      fields: [{ field: 'message', message: 'only allowed when kind is follow_up' }],
    });
  }
  return runAppointmentTransaction(ctx, queue, async (tx, txQueue) => {
    const { advisor, appointment } = await loadAppointmentForChange(tx, advisorId, externalId, {
      sends: true,
    });
    const idempotencyKey = options.idempotencyKey
      ? `appointment:${appointment.id}:manual:${options.idempotencyKey}`
      : undefined;
    // A repeat of a call that already sent answers that message, whatever happened since (the
    // appointment started, was cancelled, or moved): the key stands for the caller's body (kind and
    // personal message), not for the text rendered from the appointment as it was then.
    const repeat = idempotencyKey ? await findByIdempotencyKey(tx.db, advisorId, idempotencyKey) : null;
    const callerBody = { kind: request.kind, message: request.message };
    if (repeat && repeat.requestHash === requestHash(callerBody)) return { message: repeat, created: false };
    const now = nowOf(ctx);
    if (!repeat && appointment.status === 'cancelled') {
      throw new AppError('state_conflict', 'This appointment was cancelled.', { externalId });
    }
    if (!repeat && request.kind !== 'follow_up' && appointment.startsAt <= now) {
      throw new AppError(
        'state_conflict',
        `The appointment has already started: a ${request.kind} would be late.`,
        { externalId },
      );
    }
    const written = await writePlannedMessage(
      tx,
      txQueue,
      advisorId,
      appointment,
      { kind: request.kind, action: 'send', at: null, dueAt: now, adjustment: null },
      {
        advisor,
        actor: options.actor,
        source: options.source,
        onRefusal: 'throw',
        ...(request.message?.trim() ? { personalMessage: request.message } : {}),
        ...(idempotencyKey ? { idempotencyKey } : {}),
        // A row written before keys stood for the caller's body holds the hash of the rendered
        // request: without this, sendMessage compares against that, as it did then.
        ...(idempotencyKey && !repeat ? { idempotencyBody: callerBody } : {}),
      },
    );
    if (!written.created) return written;
    const replaced = await cancelPendingMessages(
      tx.db,
      advisorId,
      appointment.id,
      { code: 'replaced_by_manual_send', message: `The advisor sent this ${request.kind} by hand instead.` },
      // Also one whose attempt awaits its echo: left alone, and with no echo its retry would pass
      // the send-time check (nothing about the appointment changed) and go out a second time.
      { purposes: [request.kind], exceptId: written.message.id, includeUncertain: true },
    );
    for (const message of replaced) {
      await txQueue.remove(message.id);
      await tx.events.publish(advisorId, { type: 'message', data: messageView(message) as never });
    }
    await insertAudit(tx.db, advisorId, {
      actorType: options.actor.type,
      actorId: options.actor.id,
      action: 'appointment.send',
      messageId: written.message.id,
      phone: appointment.clientPhone,
      content: {
        appointmentId: appointment.id,
        externalId,
        kind: request.kind,
        replaced: replaced.map((m) => m.id),
      },
    });
    return written;
  });
}
