// The send-time check for messages about an appointment, run by the send worker right before it
// claims the message (deliverMessage's `mustSkip` hook), after its own opt-out and feature checks.
// Nothing relies on a delayed job having been removed: whatever Redis still holds, a message only
// goes out if, now, the appointment exists, is not cancelled, is still the version the message was
// written for, and (for anything but a follow-up) has not started yet.
//
// Quiet hours are applied again here, with the advisor's current setting in the appointment's
// zone: the planner kept automated reminders and follow-ups out of the window, but a job can be
// released late (worker down, the sweeper restoring it, pacing) or the setting can change. Inside
// the window the message is held, not failed: it is moved to the window's end (row `scheduled`
// for that minute, an `appointment.message_deferred` audit entry for the timeline) and the job
// waits for it. A reminder that would then go out at or after the start is skipped (`quiet_hours`).
// Confirmations, "rescheduled" notices and anything sent by hand ignore quiet hours.
//
// A reschedule that commits between this check and the claim still wins: it cancels the waiting
// row in the same transaction as the version bump, and the claim only takes rows still waiting.
import type { Db } from '../../db/client.js';
import {
  deferAppointmentMessage,
  findAppointment,
  type AppointmentRow,
} from '../../db/repositories/appointment.repository.js';
import { insertAudit } from '../../db/repositories/audit.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import { findConfig, type ConfigRow } from '../../db/repositories/whatsapp-config.repository.js';
import { nowOf, type DomainContext } from '../context.js';
import { readSettings } from '../instances/advisor-settings.js';
import type { SendTimeVerdict } from '../messages/deliver-message.js';
import { messageView } from '../messages/message-view.js';
import { describeQuietHours, nextAllowedInstant } from './quiet-hours.js';

type GuardContext = Pick<DomainContext, 'db' | 'now' | 'bounds' | 'events'>;

/** Automated messages that quiet hours hold back; the rest answer something that just happened. */
const QUIET_HOURS_PURPOSES = new Set(['reminder', 'follow_up']);

/** The hook; `config` is the advisor's row the worker already read (looked up when absent). */
export type AppointmentSendGuard = (
  message: MessageRow,
  config?: ConfigRow | null,
) => Promise<SendTimeVerdict | null>;

export function appointmentSendGuard(ctx: GuardContext): AppointmentSendGuard {
  return async (message, config) => {
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
    const now = nowOf(ctx);
    if (message.purpose !== 'follow_up' && message.purpose !== 'manual' && appointment.startsAt <= now) {
      return {
        code: 'appointment_started',
        message: 'The appointment had already started when this could go out.',
      };
    }
    if (message.source !== 'automation' || !QUIET_HOURS_PURPOSES.has(message.purpose)) return null;
    return quietHoursVerdict(ctx, message, appointment, config, now);
  };
}

async function quietHoursVerdict(
  ctx: GuardContext,
  message: MessageRow,
  appointment: AppointmentRow,
  config: ConfigRow | null | undefined,
  now: Date,
): Promise<SendTimeVerdict | null> {
  const row = config ?? (await findConfig(ctx.db, message.advisorId));
  const quiet = readSettings(row?.settings ?? {}, ctx.bounds).quietHours;
  const allowed = nextAllowedInstant(now, quiet, appointment.timezone);
  if (allowed.getTime() === now.getTime()) return null;
  const window = describeQuietHours(quiet!);
  if (message.purpose === 'reminder' && allowed >= appointment.startsAt) {
    return {
      code: 'quiet_hours',
      message: `The reminder could only go out inside quiet hours (${window}), and the next allowed minute (${allowed.toISOString()}) is not before the appointment starts.`,
    };
  }
  const verdict = {
    code: 'quiet_hours',
    message: `Held back by quiet hours (${window} in ${appointment.timezone}) until ${allowed.toISOString()}.`,
    deferUntil: allowed,
  };
  // Already moved to this minute (a job woken early, or restored by the sweeper): nothing new.
  if (message.scheduledAt?.getTime() === allowed.getTime()) return verdict;
  const moved = await ctx.db.transaction(async (tx) => {
    const db = tx as unknown as Db;
    const updated = await deferAppointmentMessage(db, message.advisorId, message.id, allowed);
    if (!updated) return null;
    await insertAudit(db, message.advisorId, {
      actorType: 'system',
      actorId: null,
      action: 'appointment.message_deferred',
      messageId: message.id,
      phone: message.phone,
      content: {
        appointmentId: appointment.id,
        messageId: message.id,
        purpose: message.purpose,
        from: (message.scheduledAt ?? message.createdAt).toISOString(),
        until: allowed.toISOString(),
        reason: { code: verdict.code, message: verdict.message },
      },
    });
    return updated;
  });
  if (moved) {
    await ctx.events
      .publish(message.advisorId, { type: 'message', data: messageView(moved) as never })
      .catch(() => undefined);
  }
  return verdict;
}
