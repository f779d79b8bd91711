// The appointment is off: mark it cancelled and cancel every message still waiting for it
// (reason `appointment_cancelled`), in one transaction. Dropping the delayed jobs afterwards is
// only tidying: the send-time guard skips anything about a cancelled appointment anyway.
// Cancelling twice changes nothing the second time.
// A message that may already be on its way (`sending`, or waiting for the echo of an attempt that
// got no answer) cannot be called back: it is left as it is, named in the answer's `inFlight`, and
// ends as sent (its answer or echo records it) or skipped by the guard when it is tried again.
import { insertAudit } from '../../db/repositories/audit.repository.js';
import { cancelPendingMessages, updateAppointment } from '../../db/repositories/appointment.repository.js';
import type { DomainContext } from '../context.js';
import type { MessageQueue } from '../messages/message-queue.js';
import { messageView } from '../messages/message-view.js';
import type { SendOptions } from '../messages/send-message.js';
import { runAppointmentTransaction } from './appointment-transaction.js';
import { appointmentEvent, appointmentResult, type AppointmentResult } from './appointment-view.js';
import { loadAppointmentForChange } from './load-appointment-for-change.js';

export async function cancelAppointment(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  externalId: string,
  actor: SendOptions['actor'],
): Promise<AppointmentResult> {
  return runAppointmentTransaction(ctx, queue, async (tx, txQueue) => {
    const { appointment: current } = await loadAppointmentForChange(tx, advisorId, externalId, {
      sends: false,
    });
    if (current.status === 'cancelled') return appointmentResult(tx, advisorId, current, false);
    const updated = await updateAppointment(tx.db, advisorId, current.id, { status: 'cancelled' });
    // One instant for what is cancelled and what is reported in flight: none falls between.
    const now = new Date();
    const cancelled = await cancelPendingMessages(
      tx.db,
      advisorId,
      current.id,
      {
        code: 'appointment_cancelled',
        message: 'The appointment was cancelled before this message went out.',
      },
      { now },
    );
    for (const message of cancelled) {
      await txQueue.remove(message.id);
      await tx.events.publish(advisorId, { type: 'message', data: messageView(message) as never });
    }
    await insertAudit(tx.db, advisorId, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'appointment.cancel',
      phone: current.clientPhone,
      content: { appointmentId: current.id, externalId, cancelledMessages: cancelled.map((m) => m.id) },
    });
    await tx.events.publish(advisorId, appointmentEvent(updated));
    return appointmentResult(tx, advisorId, updated, true, now);
  });
}
