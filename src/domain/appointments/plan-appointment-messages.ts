// When each automated message about an appointment goes out, from the appointment, the advisor's
// settings and the current instant. Pure: the same input always gives the same plan, so every rule
// below is unit-tested with fixed instants (plan-appointment-messages.test.ts).
//
// Rules:
//   - confirmation and "rescheduled" notice: at once. They answer something that just happened
//     (a booking, a change), so quiet hours do not hold them back; none for an appointment that
//     has already started (`appointment_in_past`).
//   - reminder: at startsAt − reminderOffsetMinutes. A whole number of days is counted in calendar
//     days in the appointment's zone, so "1440" stays "the day before at the same time" across a
//     daylight-saving change; any other offset is an exact duration.
//     Already past when planned (booked less than the offset ahead): per `lateReminder`, skipped
//     (`reminder_time_passed`, kept as a skipped row for the timeline) or sent at once. Never
//     after the appointment has started.
//   - follow-up: at (endsAt ?? startsAt) + followUpDelayMinutes (same day rule); skipped when that
//     is already past (`follow_up_time_passed`).
//   - quiet hours (quiet-hours.ts) move a reminder or follow-up to the first minute after the
//     window. A reminder that this would push to or past the start goes out instead in the last
//     minute before the window began; if that is already past it is skipped (`quiet_hours`).
import type { AdvisorSettings } from '../instances/advisor-settings.js';
import { describeQuietHours, nextAllowedInstant, quietWindowAt } from './quiet-hours.js';
import { shiftByMinutes } from './wall-clock.js';

export const APPOINTMENT_MESSAGE_KINDS = ['confirmation', 'reminder', 'follow_up', 'rescheduled'] as const;
export type AppointmentMessageKind = (typeof APPOINTMENT_MESSAGE_KINDS)[number];

export type PlanSettings = Pick<
  AdvisorSettings,
  'reminderOffsetMinutes' | 'followUpDelayMinutes' | 'lateReminder' | 'quietHours'
>;

export interface AppointmentTimes {
  startsAt: Date;
  endsAt: Date | null;
  /** The client's IANA zone: quiet hours and calendar days are counted in it. */
  timezone: string;
}

/** Why a planned time was moved. */
export type PlanAdjustment = 'late_sent_now' | 'moved_out_of_quiet_hours' | 'moved_before_quiet_hours';

export type PlannedMessage =
  | {
      kind: AppointmentMessageKind;
      action: 'send';
      /** null: at once. */
      at: Date | null;
      /** The time the rule gives before any adjustment. */
      dueAt: Date;
      adjustment: PlanAdjustment | null;
    }
  | {
      kind: AppointmentMessageKind;
      action: 'skip';
      dueAt: Date;
      reason: { code: string; message: string };
    };

const skip = (kind: AppointmentMessageKind, dueAt: Date, code: string, message: string): PlannedMessage => ({
  kind,
  action: 'skip',
  dueAt,
  reason: { code, message },
});

const send = (
  kind: AppointmentMessageKind,
  dueAt: Date,
  at: Date,
  now: Date,
  adjustment: PlanAdjustment | null,
): PlannedMessage => ({ kind, action: 'send', at: at > now ? at : null, dueAt, adjustment });

function planImmediate(kind: AppointmentMessageKind, appt: AppointmentTimes, now: Date): PlannedMessage {
  if (appt.startsAt <= now) {
    return skip(
      kind,
      now,
      'appointment_in_past',
      'The appointment had already started when this was planned.',
    );
  }
  return send(kind, now, now, now, null);
}

function planReminder(appt: AppointmentTimes, settings: PlanSettings, now: Date): PlannedMessage {
  const zone = appt.timezone;
  const dueAt = shiftByMinutes(appt.startsAt, -settings.reminderOffsetMinutes, zone);
  if (appt.startsAt <= now) {
    return skip('reminder', dueAt, 'reminder_time_passed', 'The appointment had already started.');
  }
  let at = dueAt;
  let adjustment: PlanAdjustment | null = null;
  if (dueAt <= now) {
    if (settings.lateReminder === 'skip') {
      return skip(
        'reminder',
        dueAt,
        'reminder_time_passed',
        `The reminder time (${dueAt.toISOString()}) had already passed when the appointment was booked, and late reminders are set to be skipped.`,
      );
    }
    at = now;
    adjustment = 'late_sent_now';
  }
  const allowed = nextAllowedInstant(at, settings.quietHours, zone);
  if (allowed.getTime() === at.getTime()) return send('reminder', dueAt, at, now, adjustment);
  if (allowed < appt.startsAt) return send('reminder', dueAt, allowed, now, 'moved_out_of_quiet_hours');
  // After the quiet hours the appointment has begun: remind before they start instead.
  const window = quietWindowAt(at, settings.quietHours, zone)!;
  const before = new Date(window.start.getTime() - 60_000);
  if (before > now) return send('reminder', dueAt, before, now, 'moved_before_quiet_hours');
  return skip(
    'reminder',
    dueAt,
    'quiet_hours',
    `The reminder falls in quiet hours (${describeQuietHours(settings.quietHours!)}) and the next allowed minute is after the appointment starts.`,
  );
}

function planFollowUp(appt: AppointmentTimes, settings: PlanSettings, now: Date): PlannedMessage {
  const dueAt = shiftByMinutes(appt.endsAt ?? appt.startsAt, settings.followUpDelayMinutes, appt.timezone);
  if (dueAt <= now) {
    return skip(
      'follow_up',
      dueAt,
      'follow_up_time_passed',
      `The follow-up time (${dueAt.toISOString()}) had already passed when it was planned.`,
    );
  }
  const at = nextAllowedInstant(dueAt, settings.quietHours, appt.timezone);
  return send('follow_up', dueAt, at, now, at > dueAt ? 'moved_out_of_quiet_hours' : null);
}

export function planAppointmentMessage(
  kind: AppointmentMessageKind,
  appointment: AppointmentTimes,
  settings: PlanSettings,
  now: Date,
): PlannedMessage {
  switch (kind) {
    case 'confirmation':
    case 'rescheduled':
      return planImmediate(kind, appointment, now);
    case 'reminder':
      return planReminder(appointment, settings, now);
    case 'follow_up':
      return planFollowUp(appointment, settings, now);
  }
}

export function planAppointmentMessages(
  kinds: readonly AppointmentMessageKind[],
  appointment: AppointmentTimes,
  settings: PlanSettings,
  now: Date,
): PlannedMessage[] {
  return kinds.map((kind) => planAppointmentMessage(kind, appointment, settings, now));
}
