// appointment rows and the messages planned for them. Every function takes the advisor id and
// filters on it (STYLE.md, tenancy); a row of another advisor is simply not found.
import { and, asc, eq, gt, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { appointment, auditLog, whatsappMessage } from '../schema/index.js';
import { cancellable, type MessageRow } from './message.repository.js';

export type AppointmentRow = typeof appointment.$inferSelect;
export type NewAppointment = Omit<
  typeof appointment.$inferInsert,
  'advisorId' | 'id' | 'createdAt' | 'updatedAt' | 'version' | 'timeVersion'
>;
export type AppointmentPatch = Partial<
  Pick<
    AppointmentRow,
    | 'clientName'
    | 'clientPhone'
    | 'startsAt'
    | 'endsAt'
    | 'timezone'
    | 'address'
    | 'notes'
    | 'status'
    | 'version'
    | 'timeVersion'
    | 'clientResponse'
    | 'clientResponseAt'
  >
>;

/** Inserts unless this advisor already has the external id; null when it existed. */
export async function insertAppointment(
  db: DbOrTx,
  advisorId: string,
  values: NewAppointment,
): Promise<AppointmentRow | null> {
  const [row] = await db
    .insert(appointment)
    .values({ ...values, advisorId })
    .onConflictDoNothing({ target: [appointment.advisorId, appointment.externalId] })
    .returning();
  return row ?? null;
}

/** `lock` takes a row lock until the transaction ends: changes to one appointment run one at a time. */
export async function findAppointmentByExternalId(
  db: DbOrTx,
  advisorId: string,
  externalId: string,
  options: { lock?: boolean } = {},
): Promise<AppointmentRow | null> {
  const query = db
    .select()
    .from(appointment)
    .where(and(eq(appointment.advisorId, advisorId), eq(appointment.externalId, externalId)))
    .limit(1);
  const [row] = options.lock ? await query.for('update') : await query;
  return row ?? null;
}

export async function findAppointment(
  db: DbOrTx,
  advisorId: string,
  id: string,
): Promise<AppointmentRow | null> {
  const [row] = await db
    .select()
    .from(appointment)
    .where(and(eq(appointment.advisorId, advisorId), eq(appointment.id, id)))
    .limit(1);
  return row ?? null;
}

export async function updateAppointment(
  db: DbOrTx,
  advisorId: string,
  id: string,
  patch: AppointmentPatch,
): Promise<AppointmentRow> {
  const [row] = await db
    .update(appointment)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(appointment.advisorId, advisorId), eq(appointment.id, id)))
    .returning();
  if (!row) throw new Error(`appointment ${id} of advisor ${advisorId} vanished during an update`);
  return row;
}

/** The dashboard's agenda: appointments starting in [from, to), by start time, keyset-paginated. */
export async function listAppointments(
  db: DbOrTx,
  advisorId: string,
  filters: { from: Date; to?: Date; status?: string },
  page: { limit: number; after?: { startsAt: Date; id: string } },
): Promise<AppointmentRow[]> {
  const conditions: SQL[] = [
    eq(appointment.advisorId, advisorId),
    sql`${appointment.startsAt} >= ${filters.from.toISOString()}::timestamptz`,
  ];
  if (filters.to) conditions.push(sql`${appointment.startsAt} < ${filters.to.toISOString()}::timestamptz`);
  if (filters.status) conditions.push(eq(appointment.status, filters.status));
  if (page.after) {
    const at = page.after.startsAt.toISOString();
    conditions.push(
      or(
        sql`${appointment.startsAt} > ${at}::timestamptz`,
        and(sql`${appointment.startsAt} = ${at}::timestamptz`, gt(appointment.id, page.after.id)),
      )!,
    );
  }
  return db
    .select()
    .from(appointment)
    .where(and(...conditions))
    .orderBy(asc(appointment.startsAt), asc(appointment.id))
    .limit(page.limit);
}

/** Every message about one appointment, oldest first. */
export async function listAppointmentMessages(
  db: DbOrTx,
  advisorId: string,
  appointmentId: string,
): Promise<MessageRow[]> {
  return db
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, advisorId), eq(whatsappMessage.appointmentId, appointmentId)))
    .orderBy(
      asc(whatsappMessage.createdAt),
      sql`coalesce(${whatsappMessage.scheduledAt}, ${whatsappMessage.createdAt})`,
      asc(whatsappMessage.id),
    );
}

/**
 * What the agenda shows for a page of appointments: their messages, and the client's reply to
 * each one that was answered. A reply carries no appointment id; it is the inbound message whose
 * arrival stamped the answered message's `repliedAt` (same phone, same instant).
 */
export async function listAgendaMessages(
  db: DbOrTx,
  advisorId: string,
  appointmentIds: string[],
): Promise<{ messages: MessageRow[]; replies: MessageRow[] }> {
  if (appointmentIds.length === 0) return { messages: [], replies: [] };
  const messages = await db
    .select()
    .from(whatsappMessage)
    .where(
      and(eq(whatsappMessage.advisorId, advisorId), inArray(whatsappMessage.appointmentId, appointmentIds)),
    );
  const answered = messages.flatMap((m) =>
    m.phone && m.repliedAt
      ? [and(eq(whatsappMessage.phone, m.phone), eq(whatsappMessage.createdAt, m.repliedAt))!]
      : [],
  );
  const replies =
    answered.length === 0
      ? []
      : await db
          .select()
          .from(whatsappMessage)
          .where(
            and(
              eq(whatsappMessage.advisorId, advisorId),
              eq(whatsappMessage.direction, 'inbound'),
              or(...answered),
            ),
          );
  return { messages, replies };
}

/**
 * Cancels the appointment's messages that are still waiting (scheduled or queued) and returns
 * them. Messages already `sending` are left alone: they are in the gateway's hands, and if the
 * send fails and is retried, the send-time guard sees the new version and skips it. So is a
 * message waiting for the echo of an attempt that got no answer (`cancellable`, the rule of a
 * manual cancel): that attempt may be on the client's phone, and only a waiting row adopts its
 * echo; cancelled, the history said "cancelled" for a message the client had. Its retry, if no
 * echo comes, meets the same guard. `includeUncertain` cancels those too, for a caller whose
 * change the guard does not see (a message sent by hand in place of an automated one).
 */
export async function cancelPendingMessages(
  db: DbOrTx,
  advisorId: string,
  appointmentId: string,
  reason: { code: string; message: string },
  only: { purposes?: readonly string[]; exceptId?: string; includeUncertain?: boolean; now?: Date } = {},
): Promise<MessageRow[]> {
  return db
    .update(whatsappMessage)
    .set({ status: 'cancelled', errorCode: reason.code, errorMessage: reason.message, updatedAt: new Date() })
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.appointmentId, appointmentId),
        only.includeUncertain
          ? inArray(whatsappMessage.status, ['scheduled', 'queued'])
          : cancellable(only.now ?? new Date()),
        only.purposes ? inArray(whatsappMessage.purpose, [...only.purposes]) : undefined,
        only.exceptId ? ne(whatsappMessage.id, only.exceptId) : undefined,
      ),
    )
    .returning();
}

/**
 * Moves a message that is still waiting to a later instant (the send-time quiet-hours rule): it
 * becomes `scheduled` for `until`, so the sweeper re-creates its job for that instant if Redis
 * loses it. Null when the message is no longer waiting (sent, cancelled meanwhile).
 */
export async function deferAppointmentMessage(
  db: DbOrTx,
  advisorId: string,
  messageId: string,
  until: Date,
): Promise<MessageRow | null> {
  const [row] = await db
    .update(whatsappMessage)
    .set({ status: 'scheduled', scheduledAt: until, updatedAt: new Date() })
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.id, messageId),
        inArray(whatsappMessage.status, ['scheduled', 'queued']),
      ),
    )
    .returning();
  return row ?? null;
}

/** Stamps messages with the appointment version they were planned for. */
export async function setMessagesAppointmentVersion(
  db: DbOrTx,
  advisorId: string,
  messageIds: string[],
  version: number,
): Promise<void> {
  if (messageIds.length === 0) return;
  await db
    .update(whatsappMessage)
    .set({ appointmentVersion: version })
    .where(and(eq(whatsappMessage.advisorId, advisorId), inArray(whatsappMessage.id, messageIds)));
}

/** The appointment's own audit entries (booked, rescheduled, cancelled, sent by hand), oldest first. */
export function listAppointmentAudit(db: DbOrTx, advisorId: string, appointmentId: string) {
  return db
    .select({
      action: auditLog.action,
      actorType: auditLog.actorType,
      actorId: auditLog.actorId,
      content: auditLog.content,
      createdAt: auditLog.createdAt,
    })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.advisorId, advisorId),
        // Written as audit_log_appointment_idx's predicate is, literal included: a parameter
        // would not let PostgreSQL prove a generic plan may use the partial index.
        sql`${auditLog.action} like 'appointment.%'`,
        sql`${auditLog.content}->>'appointmentId' = ${appointmentId}`,
      ),
    )
    .orderBy(asc(auditLog.id));
}
