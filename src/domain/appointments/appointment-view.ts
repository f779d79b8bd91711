// The Appointment shape of the API, built from a row (the advisor id stays inside).
import type { AppointmentRow } from '../../db/repositories/appointment.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';

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
}

/** The live event the dashboard hears when an appointment changes. */
export const appointmentEvent = (row: AppointmentRow) => ({
  type: 'appointment' as const,
  data: appointmentView(row) as unknown as Record<string, unknown>,
});
