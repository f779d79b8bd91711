// What the appointment use cases hand out: the Appointment shape of the API, built from a row (the
// advisor id stays inside), their result, and the live event.
import {
  listAppointmentMessages,
  type AppointmentRow,
} from '../../db/repositories/appointment.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import type { DomainContext } from '../context.js';
import { mayBeInFlight } from '../messages/message-status.js';

export function appointmentView(row: AppointmentRow) {
  return {
    id: row.id,
    externalId: row.externalId,
    clientName: row.clientName,
    clientPhone: row.clientPhone,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    timezone: row.timezone,
    address: row.address,
    notes: row.notes,
    status: row.status as 'scheduled' | 'cancelled',
    clientResponse: row.clientResponse,
    clientResponseAt: row.clientResponseAt,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export type AppointmentView = ReturnType<typeof appointmentView>;

/** What the use cases answer: the appointment and every message about it. */
export interface AppointmentResult {
  appointment: AppointmentRow;
  messages: MessageRow[];
  /** False when the call changed nothing (an idempotent repeat, a no-op reschedule). */
  changed: boolean;
  /**
   * The messages that may be reaching the client now and that no cancel can stop (mayBeInFlight):
   * a cancel or reschedule leaves them, and each ends as sent (its answer or echo) or skipped by
   * the send-time check.
   */
  inFlight: string[];
}

/** The result as the transaction now sees it: messages planned or cancelled by the call included. */
export async function appointmentResult(
  tx: DomainContext,
  advisorId: string,
  appointment: AppointmentRow,
  changed: boolean,
  now = new Date(),
): Promise<AppointmentResult> {
  const messages = await listAppointmentMessages(tx.db, advisorId, appointment.id);
  return {
    appointment,
    messages,
    changed,
    inFlight: messages.filter((m) => mayBeInFlight(m, now)).map((m) => m.id),
  };
}

/** The live event the dashboard hears when an appointment changes. */
export const appointmentEvent = (row: AppointmentRow) => ({
  type: 'appointment' as const,
  data: appointmentView(row) as unknown as Record<string, unknown>,
});
