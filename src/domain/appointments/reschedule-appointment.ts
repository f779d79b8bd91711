// PATCH: the appointment changed (time, place, client's name or number). In one transaction, with
// the appointment row locked: bump its version, cancel every message still waiting for the old
// version (reason `rescheduled`), and plan what the new version needs. A message already in the
// gateway's hands (`sending`), or waiting for the echo of an attempt that got no answer (it may be
// on the client's phone), cannot be recalled: it is left to end as sent, named in the answer's
// `inFlight`, and counts as handed over below; if it is tried again, the send-time guard sees the
// old version and skips it.
//
// What the new version gets (to the client's current number):
//   - a confirmation, if the client has not yet received anything naming a time;
//   - else, when the time changed, a "rescheduled" notice if the advisor's setting asks for it,
//     or whatever the setting when an old reminder is going out right now (it can't be stopped,
//     so the notice is what corrects it); and whenever this change cancelled the notice of an
//     earlier one before it went out (two changes in a row: the client has not heard of the new
//     time yet);
//   - a reminder, when the time changed or no reminder has gone out yet;
//   - a follow-up, when the end time changed or no follow-up has gone out yet.
// A new start without an end moves the end along (withEndMovedAlong: the appointment keeps its
// length). A change to the notes only is saved without touching any message; no change at all is a
// no-op.
import { insertAudit } from '../../db/repositories/audit.repository.js';
import {
  cancelPendingMessages,
  listAppointmentMessages,
  updateAppointment,
} from '../../db/repositories/appointment.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import { AppError } from '../app-error.js';
import { nowOf, type DomainContext } from '../context.js';
import type { MessageQueue } from '../messages/message-queue.js';
import { mayBeInFlight } from '../messages/message-status.js';
import { messageView } from '../messages/message-view.js';
import type { SendOptions } from '../messages/send-message.js';
import {
  differingFields,
  fieldsOf,
  normalizeAppointmentFields,
  withEndMovedAlong,
  type AppointmentFieldsInput,
} from './appointment-fields.js';
import { writeAutomatedPlans } from './appointment-messages.js';
import { runAppointmentTransaction } from './appointment-transaction.js';
import { appointmentEvent, appointmentResult, type AppointmentResult } from './appointment-view.js';
import { loadAppointmentForChange } from './load-appointment-for-change.js';
import { planAppointmentMessages, type AppointmentMessageKind } from './plan-appointment-messages.js';

export type AppointmentChanges = Partial<AppointmentFieldsInput>;

const HANDED_OVER = new Set(['sending', 'sent', 'delivered', 'read']);

export async function rescheduleAppointment(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  externalId: string,
  changes: AppointmentChanges,
  actor: SendOptions['actor'],
): Promise<AppointmentResult> {
  return runAppointmentTransaction(ctx, queue, async (tx, txQueue) => {
    const { advisor, appointment: current } = await loadAppointmentForChange(tx, advisorId, externalId, {
      sends: false,
    });
    if (current.status === 'cancelled') {
      throw new AppError(
        'state_conflict',
        'This appointment was cancelled; book a new one, with a new externalId, instead.',
        {
          externalId,
        },
      );
    }
    const now = nowOf(ctx);
    const before = fieldsOf(current);
    const defined = Object.fromEntries(
      Object.entries(withEndMovedAlong(before, changes)).filter(([, v]) => v !== undefined),
    );
    const after = normalizeAppointmentFields({ ...before, ...defined }, advisor.settings, now);
    const differing = differingFields(before, after);
    if (differing.length === 0) return appointmentResult(tx, advisorId, current, false);

    const timeChanged = differing.includes('startsAt') || differing.includes('timezone');
    // The client's "1" or "2" answered a reminder naming the old time: it says nothing about the
    // new one (a "2" is usually what led to this change). Kept, the agenda showed the moved
    // appointment as confirmed, or as one the client asks to change. The audit entry keeps it. So
    // does an answer to that old reminder that arrives after this change: it is not recorded.
    const clearedClientResponse =
      timeChanged && current.clientResponse
        ? { response: current.clientResponse, at: current.clientResponseAt?.toISOString() ?? null }
        : null;
    const audit = (version: number) =>
      insertAudit(tx.db, advisorId, {
        actorType: actor.type,
        actorId: actor.id,
        action: 'appointment.reschedule',
        phone: after.clientPhone,
        content: {
          appointmentId: current.id,
          externalId,
          version,
          changed: differing,
          from: Object.fromEntries(differing.map((f) => [f, before[f]])),
          to: Object.fromEntries(differing.map((f) => [f, after[f]])),
          ...(clearedClientResponse ? { clearedClientResponse } : {}),
        },
      });
    if (differing.every((f) => f === 'notes')) {
      const updated = await updateAppointment(tx.db, advisorId, current.id, { notes: after.notes });
      await audit(updated.version);
      await tx.events.publish(advisorId, appointmentEvent(updated));
      return appointmentResult(tx, advisorId, updated, true);
    }

    const updated = await updateAppointment(tx.db, advisorId, current.id, {
      ...after,
      version: current.version + 1,
      // From this version on the reminders name the new time: an answer to an older one, arriving
      // after this commit, is refused by recordClientResponse (it checks under this row's lock).
      ...(timeChanged
        ? { timeVersion: current.version + 1, clientResponse: null, clientResponseAt: null }
        : {}),
    });
    // The wall clock, not the planning clock: an attempt's uncertain wait is set by the worker's.
    const at = new Date();
    const cancelled = await cancelPendingMessages(
      tx.db,
      advisorId,
      current.id,
      {
        code: 'rescheduled',
        message: `Replaced: the appointment changed (${differing.join(', ')}) before this message went out.`,
      },
      { now: at },
    );
    for (const message of cancelled) {
      await txQueue.remove(message.id);
      await tx.events.publish(advisorId, { type: 'message', data: messageView(message) as never });
    }

    // Read after the cancel, not before: the appointment row lock does not stop the worker, so a
    // reminder it claimed in between is `sending` (left alone by the cancel) and must be seen as
    // such, or the notice that corrects its old time would not be planned.
    const history = await listAppointmentMessages(tx.db, advisorId, current.id);
    const kinds = kindsToPlan(history, at, {
      phone: after.clientPhone,
      timeChanged,
      endChanged:
        (before.endsAt ?? before.startsAt).getTime() !== (after.endsAt ?? after.startsAt).getTime() ||
        differing.includes('timezone'),
      noticeWanted: advisor.settings.rescheduleNotice,
      // A notice of an earlier change that this one cancelled before it went out: the client has
      // not heard of that time yet, whether or not this change moves it again.
      noticeReplaced: cancelled.some((m) => m.purpose === 'rescheduled'),
    });
    const plans = planAppointmentMessages(kinds, updated, advisor.settings, now);
    await writeAutomatedPlans(tx, txQueue, advisorId, updated, plans, advisor);
    await audit(updated.version);
    await tx.events.publish(advisorId, appointmentEvent(updated));
    return appointmentResult(tx, advisorId, updated, true, at);
  });
}

/**
 * Which messages the new version needs, from what the client's number has already been given. A
 * message that may be in flight (`sending`, or an attempt awaiting its echo) counts as given.
 */
export function kindsToPlan(
  history: Pick<MessageRow, 'purpose' | 'status' | 'phone' | 'uncertainUntil'>[],
  now: Date,
  change: {
    phone: string;
    timeChanged: boolean;
    endChanged: boolean;
    noticeWanted: boolean;
    noticeReplaced: boolean;
  },
): AppointmentMessageKind[] {
  const handedOver = (...purposes: string[]) =>
    history.some(
      (m) =>
        m.phone === change.phone &&
        purposes.includes(m.purpose) &&
        (HANDED_OVER.has(m.status) || mayBeInFlight(m, now)),
    );
  const reminderInFlight = history.some(
    (m) => m.phone === change.phone && m.purpose === 'reminder' && mayBeInFlight(m, now),
  );
  const kinds: AppointmentMessageKind[] = [];
  if (!handedOver('confirmation', 'reminder', 'rescheduled')) kinds.push('confirmation');
  else if (change.noticeReplaced || (change.timeChanged && (change.noticeWanted || reminderInFlight))) {
    kinds.push('rescheduled');
  }
  if (change.timeChanged || !handedOver('reminder')) kinds.push('reminder');
  if (change.endChanged || !handedOver('follow_up')) kinds.push('follow_up');
  return kinds;
}
