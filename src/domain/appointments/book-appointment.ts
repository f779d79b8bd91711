// The booking module tells us about a new appointment: store it, confirm it at once, plan the
// reminder and the follow-up (plan-appointment-messages.ts), all in one transaction.
// Idempotent on externalId: a repeat with the same data answers the stored appointment and its
// messages (cancelled, if it was) and plans nothing; a repeat with different data is a 409 that
// points to PATCH, or, for a cancelled appointment, to a new externalId.
import { insertAudit } from '../../db/repositories/audit.repository.js';
import {
  findAppointmentByExternalId,
  insertAppointment,
  type AppointmentRow,
} from '../../db/repositories/appointment.repository.js';
import { AppError } from '../app-error.js';
import { nowOf, type DomainContext } from '../context.js';
import type { AdvisorSettings } from '../instances/advisor-settings.js';
import { assertFeature } from '../instances/features.js';
import type { MessageQueue } from '../messages/message-queue.js';
import type { SendOptions } from '../messages/send-message.js';
import {
  asBooked,
  fieldsOf,
  normalizeAppointmentFields,
  repeatDifferences,
  type AppointmentFieldsInput,
} from './appointment-fields.js';
import { loadAppointmentAdvisor, writeAutomatedPlans } from './appointment-messages.js';
import { runAppointmentTransaction } from './appointment-transaction.js';
import { appointmentEvent, appointmentResult, type AppointmentResult } from './appointment-view.js';
import { planAppointmentMessages } from './plan-appointment-messages.js';

export interface BookingInput extends AppointmentFieldsInput {
  externalId: string;
}

export async function bookAppointment(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  input: BookingInput,
  actor: SendOptions['actor'],
  /** As SendOptions.refuseNew: refuses a new booking, called once the call is known not to be a repeat. */
  refuseNew?: () => void,
): Promise<AppointmentResult> {
  return runAppointmentTransaction(ctx, queue, async (tx, txQueue) => {
    const advisor = await loadAppointmentAdvisor(tx, advisorId);
    assertFeature(advisor.features, 'reminders');
    const now = nowOf(ctx);
    // A repeat is read against the stored appointment before anything else: validated with the
    // advisor's settings of now, its national number could be no number at all in a country the
    // advisor chose since, and the retry of a booking that worked was a 422 `invalid_phone`.
    const stored = await findAppointmentByExternalId(tx.db, advisorId, input.externalId, { lock: true });
    if (stored) return answerRepeat(tx, advisorId, stored, input, advisor.settings, now);
    refuseNew?.();
    const fields = normalizeAppointmentFields(input, advisor.settings, now);

    const inserted = await insertAppointment(tx.db, advisorId, { externalId: input.externalId, ...fields });
    if (!inserted) {
      // Locked, so a concurrent first booking has committed (with its messages) before we read.
      const existing = (await findAppointmentByExternalId(tx.db, advisorId, input.externalId, {
        lock: true,
      }))!;
      return answerRepeat(tx, advisorId, existing, input, advisor.settings, now);
    }

    const plans = planAppointmentMessages(
      ['confirmation', 'reminder', 'follow_up'],
      inserted,
      advisor.settings,
      now,
    );
    await writeAutomatedPlans(tx, txQueue, advisorId, inserted, plans, advisor);
    await insertAudit(tx.db, advisorId, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'appointment.book',
      phone: inserted.clientPhone,
      content: {
        appointmentId: inserted.id,
        externalId: inserted.externalId,
        startsAt: inserted.startsAt.toISOString(),
        endsAt: inserted.endsAt?.toISOString() ?? null,
        timezone: inserted.timezone,
        plan: plans.map((p) =>
          p.action === 'send'
            ? { kind: p.kind, at: p.at?.toISOString() ?? 'now', adjustment: p.adjustment }
            : { kind: p.kind, skipped: p.reason.code },
        ),
      },
    });
    await tx.events.publish(advisorId, appointmentEvent(inserted));
    return appointmentResult(tx, advisorId, inserted, true);
  });
}

/**
 * A booking whose externalId is taken: the stored appointment when the repeat says the same
 * (read as at booking: asBooked, repeatDifferences), else a 409 that points to PATCH or, for a
 * cancelled appointment, to a new externalId.
 */
async function answerRepeat(
  tx: DomainContext,
  advisorId: string,
  existing: AppointmentRow,
  input: BookingInput,
  settings: AdvisorSettings,
  now: Date,
): Promise<AppointmentResult> {
  const stored = fieldsOf(existing);
  const fields = normalizeAppointmentFields(asBooked(stored, input), settings, now);
  const differing = repeatDifferences(stored, input, fields);
  if (differing.length > 0 && existing.status === 'cancelled') {
    // PATCH refuses a cancelled appointment too: say so here instead of pointing there.
    throw new AppError(
      'state_conflict',
      `Appointment "${input.externalId}" was cancelled, and a cancelled appointment is not booked again: book it with a new externalId.`,
      { externalId: input.externalId, status: existing.status, fields: differing },
    );
  }
  if (differing.length > 0) {
    throw new AppError(
      'conflict',
      `Appointment "${input.externalId}" already exists with different ${differing.join(', ')}: change it with PATCH /api/appointments/${encodeURIComponent(input.externalId)}.`,
      { externalId: input.externalId, fields: differing },
    );
  }
  return appointmentResult(tx, advisorId, existing, false);
}
