// One appointment's story, oldest first: booked, changed, cancelled (from the audit log), and for
// every message: planned (for when), sent, delivered, read, answered, or skipped / cancelled /
// failed with the reason; and the client's answer to the reminder. Built from rows only, so it is
// the same whichever process did the work.
import {
  findAppointmentByExternalId,
  listAppointmentAudit,
  listAppointmentMessages,
} from '../../db/repositories/appointment.repository.js';
import type { AppointmentRow } from '../../db/repositories/appointment.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import { notFound } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { assertAppointmentsEnabled } from './appointments-feature.js';

export type TimelineEventType =
  | 'booked'
  | 'rescheduled'
  | 'cancelled'
  | 'sent_by_hand'
  | 'planned'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'answered'
  | 'skipped'
  | 'message_cancelled'
  | 'failed'
  | 'client_response';

export interface TimelineEvent {
  at: Date;
  type: TimelineEventType;
  messageId: string | null;
  /** confirmation, reminder, follow_up, rescheduled (messages only). */
  purpose: string | null;
  /** For `planned`: when it is due (null: at once). */
  scheduledAt: Date | null;
  reason: { code: string; message: string } | null;
  detail: Record<string, unknown> | null;
}

const AUDIT_TYPES: Record<string, TimelineEventType> = {
  'appointment.book': 'booked',
  'appointment.reschedule': 'rescheduled',
  'appointment.cancel': 'cancelled',
  'appointment.send': 'sent_by_hand',
};

const event = (at: Date, type: TimelineEventType, extra: Partial<TimelineEvent> = {}): TimelineEvent => ({
  at,
  type,
  messageId: null,
  purpose: null,
  scheduledAt: null,
  reason: null,
  detail: null,
  ...extra,
});

function messageEvents(m: MessageRow): TimelineEvent[] {
  const about = { messageId: m.id, purpose: m.purpose };
  const reason = m.errorCode ? { code: m.errorCode, message: m.errorMessage ?? '' } : null;
  const out = [event(m.createdAt, 'planned', { ...about, scheduledAt: m.scheduledAt })];
  if (m.sentAt) out.push(event(m.sentAt, 'sent', about));
  if (m.deliveredAt) out.push(event(m.deliveredAt, 'delivered', about));
  if (m.readAt) out.push(event(m.readAt, 'read', about));
  if (m.repliedAt) out.push(event(m.repliedAt, 'answered', about));
  if (m.status === 'skipped') out.push(event(m.updatedAt, 'skipped', { ...about, reason }));
  if (m.status === 'cancelled') out.push(event(m.updatedAt, 'message_cancelled', { ...about, reason }));
  if (m.status === 'failed') out.push(event(m.failedAt ?? m.updatedAt, 'failed', { ...about, reason }));
  return out;
}

export function buildTimeline(
  appointment: AppointmentRow,
  messages: MessageRow[],
  audit: { action: string; actorType: string; content: Record<string, unknown> | null; createdAt: Date }[],
): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const entry of audit) {
    const type = AUDIT_TYPES[entry.action];
    if (!type) continue;
    const { appointmentId: _id, externalId: _ext, ...detail } = entry.content ?? {};
    events.push(event(entry.createdAt, type, { detail: { actor: entry.actorType, ...detail } }));
  }
  // Audit entries are pruned after the retention period; the booking itself is never forgotten.
  if (!events.some((e) => e.type === 'booked')) events.push(event(appointment.createdAt, 'booked'));
  for (const m of messages) events.push(...messageEvents(m));
  if (appointment.clientResponse && appointment.clientResponseAt) {
    events.push(
      event(appointment.clientResponseAt, 'client_response', {
        detail: { response: appointment.clientResponse },
      }),
    );
  }
  // Stable: events at the same instant keep the order they were added in (booked before planned).
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i)
    .map(({ e }) => e);
}

export async function getAppointmentDetail(ctx: DomainContext, advisorId: string, externalId: string) {
  await assertAppointmentsEnabled(ctx, advisorId);
  const appointment = await findAppointmentByExternalId(ctx.db, advisorId, externalId);
  if (!appointment) throw notFound('Appointment');
  const [messages, audit] = await Promise.all([
    listAppointmentMessages(ctx.db, advisorId, appointment.id),
    listAppointmentAudit(ctx.db, advisorId, appointment.id),
  ]);
  return { appointment, messages, timeline: buildTimeline(appointment, messages, audit) };
}
