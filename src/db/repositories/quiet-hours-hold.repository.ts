// Messages held by quiet hours at send time (appointment-send-guard.ts), as a change of quiet hours
// sees them. The row alone does not tell a held message from one planned for that time: both are
// `scheduled` for an instant ahead. What does is the `appointment.message_deferred` audit entry
// the hold wrote in the same transaction, whose `until` is the row's `scheduled_at`; its `from`
// is when the message was due before the hold. Every function takes the advisor id right after
// the database (STYLE.md, tenancy).
import { and, eq, gt, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { appointment, auditLog, whatsappMessage } from '../schema/index.js';
import type { MessageRow } from './message.repository.js';

export interface QuietHoursHold {
  message: MessageRow & { scheduledAt: Date };
  /** The appointment's zone, the one its quiet hours are read in. */
  timezone: string;
  /** When the message was due before quiet hours held it. */
  heldFrom: Date;
}

/** The advisor's messages held by quiet hours until an instant still ahead of `now`. */
export async function listQuietHoursHolds(
  db: DbOrTx,
  advisorId: string,
  now: Date,
): Promise<QuietHoursHold[]> {
  const m = whatsappMessage;
  const rows = await db
    .select({ message: m, timezone: appointment.timezone, from: sql<string>`${auditLog.content}->>'from'` })
    .from(m)
    .innerJoin(appointment, and(eq(appointment.advisorId, m.advisorId), eq(appointment.id, m.appointmentId)))
    .innerJoin(
      auditLog,
      and(
        eq(auditLog.advisorId, m.advisorId),
        // audit_log_appointment_idx's predicate, literal included (listAppointmentAudit).
        sql`${auditLog.action} like 'appointment.%'`,
        sql`${auditLog.content}->>'appointmentId' = ${m.appointmentId}::text`,
        eq(auditLog.action, 'appointment.message_deferred'),
        eq(auditLog.messageId, m.id),
        sql`(${auditLog.content}->>'until')::timestamptz = ${m.scheduledAt}`,
      ),
    )
    .where(
      and(
        eq(m.advisorId, advisorId),
        eq(m.status, 'scheduled'),
        eq(m.source, 'automation'),
        isNotNull(m.appointmentId),
        gt(m.scheduledAt, now),
      ),
    )
    .orderBy(m.id);
  // Held twice until the same instant (quiet hours changed back and forth): one hold.
  const holds = new Map<string, QuietHoursHold>();
  for (const row of rows) {
    const from = Date.parse(row.from);
    holds.set(row.message.id, {
      message: row.message as QuietHoursHold['message'],
      timezone: row.timezone,
      heldFrom: Number.isNaN(from) ? now : new Date(from),
    });
  }
  return [...holds.values()];
}

/**
 * Makes a held message due again at `dueAt` (when it was due before the hold), so that its job,
 * woken, looks at it under the current quiet hours. Conditional on the row still being held until `heldUntil`: one
 * the worker claimed, sent, or held again meanwhile is left alone (null).
 */
export async function releaseQuietHoursHold(
  db: DbOrTx,
  advisorId: string,
  messageId: string,
  heldUntil: Date,
  dueAt: Date,
): Promise<MessageRow | null> {
  const [row] = await db
    .update(whatsappMessage)
    .set({ scheduledAt: dueAt, updatedAt: new Date() })
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.id, messageId),
        eq(whatsappMessage.status, 'scheduled'),
        eq(whatsappMessage.scheduledAt, heldUntil),
      ),
    )
    .returning();
  return row ?? null;
}
