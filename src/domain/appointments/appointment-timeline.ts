// One appointment's story, oldest first: booked, changed, cancelled (from the audit log), and for
// every message: planned (for when), held back by quiet hours at send time (deferred, to when),
// sent, delivered, read, answered, or skipped / cancelled / failed with the reason; and the
// client's answer to the reminder. Built from rows only, so it is the same whichever process did
// the work.
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
  | 'deferred'
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
  /** For `planned`: when it was due (null: at once); for `deferred`: when it now goes out. */
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

/** The audit entry the send-time check writes when quiet hours hold a message back. */
const DEFERRED_ACTION = 'appointment.message_deferred';

type AuditEntry = {
  action: string;
  actorType: string;
  content: Record<string, unknown> | null;
  createdAt: Date;
};

const dateOr = (value: unknown, fallback: Date | null): Date | null =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value) : fallback;

function deferredEvent(entry: AuditEntry): TimelineEvent {
  const c = entry.content ?? {};
  const reason = c.reason as { code?: unknown; message?: unknown } | undefined;
  return event(entry.createdAt, 'deferred', {
    messageId: typeof c.messageId === 'string' ? c.messageId : null,
    purpose: typeof c.purpose === 'string' ? c.purpose : null,
    scheduledAt: dateOr(c.until, null),
    reason: reason ? { code: String(reason.code ?? ''), message: String(reason.message ?? '') } : null,
    detail: { actor: entry.actorType, from: c.from ?? null },
  });
}

/** `plannedFor`: the time it was first planned for, before quiet hours moved it (the row has the new one). */
function messageEvents(m: MessageRow, plannedFor: Date | null): TimelineEvent[] {
  const about = { messageId: m.id, purpose: m.purpose };
  const reason = m.errorCode ? { code: m.errorCode, message: m.errorMessage ?? '' } : null;
  const out = [event(m.createdAt, 'planned', { ...about, scheduledAt: plannedFor ?? m.scheduledAt })];
  // Nothing happens to a message before it is planned. created_at is kept to the millisecond
  // (rounded) and updated_at to the microsecond, so a row written as skipped in one statement
  // could read 0.5 ms "before" its own planning and sort ahead of it.
  const after = (at: Date) => (at < m.createdAt ? m.createdAt : at);
  if (m.sentAt) out.push(event(after(m.sentAt), 'sent', about));
  if (m.deliveredAt) out.push(event(after(m.deliveredAt), 'delivered', about));
  if (m.readAt) out.push(event(after(m.readAt), 'read', about));
  if (m.repliedAt) out.push(event(after(m.repliedAt), 'answered', about));
  if (m.status === 'skipped') out.push(event(after(m.updatedAt), 'skipped', { ...about, reason }));
  if (m.status === 'cancelled')
    out.push(event(after(m.updatedAt), 'message_cancelled', { ...about, reason }));
  if (m.status === 'failed')
    out.push(event(after(m.failedAt ?? m.updatedAt), 'failed', { ...about, reason }));
  return out;
}

export function buildTimeline(
  appointment: AppointmentRow,
  messages: MessageRow[],
  audit: AuditEntry[],
): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const firstPlannedFor = new Map<string, Date | null>();
  for (const entry of audit) {
    if (entry.action === DEFERRED_ACTION) {
      const deferred = deferredEvent(entry);
      events.push(deferred);
      if (deferred.messageId && !firstPlannedFor.has(deferred.messageId)) {
        firstPlannedFor.set(deferred.messageId, dateOr(deferred.detail?.from, null));
      }
      continue;
    }
    const type = AUDIT_TYPES[entry.action];
    if (!type) continue;
    const { appointmentId: _id, externalId: _ext, ...detail } = entry.content ?? {};
    events.push(event(entry.createdAt, type, { detail: { actor: entry.actorType, ...detail } }));
  }
  // Audit entries are pruned after the retention period; the booking itself is never forgotten.
  if (!events.some((e) => e.type === 'booked')) events.push(event(appointment.createdAt, 'booked'));
  for (const m of messages) events.push(...messageEvents(m, firstPlannedFor.get(m.id) ?? null));
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
