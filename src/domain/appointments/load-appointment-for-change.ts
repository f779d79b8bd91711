// Every change to a booked appointment (reschedule, cancel, a message sent by hand) starts the same
// way inside its transaction: the advisor's settings, then the appointment row, locked so that two
// changes to one appointment run one after the other and each sees the other's result. What an
// already cancelled appointment means is the caller's to say.
//
// The `reminders` feature is checked only for a change that sends (`sends: true`). A cancel or a
// reschedule takes back or moves messages already promised: refused while an admin had reminders
// off, it left them scheduled, and they went out (for a cancelled appointment, or at the old time)
// as soon as the feature was switched back on. Whatever such a change plans while the feature is
// off is skipped at send time, as the messages already scheduled are.
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
  options: { sends: boolean },
): Promise<AppointmentForChange> {
  const advisor = await loadAppointmentAdvisor(tx, advisorId);
  if (options.sends) assertFeature(advisor.features, 'reminders');
  const appointment = await findAppointmentByExternalId(tx.db, advisorId, externalId, { lock: true });
  if (!appointment) throw notFound('Appointment');
  return { advisor, appointment };
}
