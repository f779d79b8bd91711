// Every change to a booked appointment (reschedule, cancel, a message sent by hand) starts the same
// way inside its transaction: the advisor's settings, with reminders on, then the appointment row,
// locked so that two changes to one appointment run one after the other and each sees the other's
// result. What an already cancelled appointment means is the caller's to say.
import {
  findAppointmentByExternalId,
  type AppointmentRow,
} from '../../db/repositories/appointment.repository.js';
import { notFound } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { assertFeature } from '../instances/features.js';
import { loadAppointmentAdvisor, type AppointmentAdvisor } from './appointment-messages.js';

export interface AppointmentForChange {
  advisor: AppointmentAdvisor;
  appointment: AppointmentRow;
}

export async function loadAppointmentForChange(
  tx: DomainContext,
  advisorId: string,
  externalId: string,
): Promise<AppointmentForChange> {
  const advisor = await loadAppointmentAdvisor(tx, advisorId);
  assertFeature(advisor.features, 'reminders');
  const appointment = await findAppointmentByExternalId(tx.db, advisorId, externalId, { lock: true });
  if (!appointment) throw notFound('Appointment');
  return { advisor, appointment };
}
