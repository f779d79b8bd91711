// The send-time check for messages about an appointment, run by the send worker right before it
// claims the message (deliverMessage's `mustSkip` hook), after its own opt-out and feature checks.
// Nothing relies on a delayed job having been removed: whatever Redis still holds, a message only
// goes out if, now, the appointment exists, is not cancelled, is still the version the message was
// written for, and (for anything but a follow-up) has not started yet.
//
// A reschedule that commits between this check and the claim still wins: it cancels the waiting
// row in the same transaction as the version bump, and the claim only takes rows still waiting.
import { findAppointment } from '../../db/repositories/appointment.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import { nowOf, type DomainContext } from '../context.js';
import type { DeliveryHooks } from '../messages/deliver-message.js';

export function appointmentSendGuard(
  ctx: Pick<DomainContext, 'db' | 'now'>,
): NonNullable<DeliveryHooks['mustSkip']> {
  return async (message: MessageRow) => {
    if (!message.appointmentId) return null;
    const appointment = await findAppointment(ctx.db, message.advisorId, message.appointmentId);
    if (!appointment) {
      return {
        code: 'appointment_missing',
        message: 'The appointment this message is about no longer exists.',
      };
    }
    if (appointment.status === 'cancelled') {
      return { code: 'appointment_cancelled', message: 'The appointment was cancelled.' };
    }
    if (message.appointmentVersion !== null && message.appointmentVersion !== appointment.version) {
      return {
        code: 'appointment_rescheduled',
        message: `The appointment changed after this message was written (version ${message.appointmentVersion}, now ${appointment.version}).`,
      };
    }
    if (
      message.purpose !== 'follow_up' &&
      message.purpose !== 'manual' &&
      appointment.startsAt <= nowOf(ctx)
    ) {
      return {
        code: 'appointment_started',
        message: 'The appointment had already started when this could go out.',
      };
    }
    return null;
  };
}
