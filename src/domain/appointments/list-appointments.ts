// The dashboard's agenda: the advisor's appointments from a moment on (default: now), by start
// time, a page at a time, each with its messages and the client's replies to them.
import {
  listAgendaMessages,
  listAppointments as listRows,
  type AppointmentRow,
} from '../../db/repositories/appointment.repository.js';
import type { MessageRow } from '../../db/repositories/message.repository.js';
import { nowOf, type DomainContext } from '../context.js';
import { assertAppointmentsEnabled } from './appointments-feature.js';

export interface AppointmentListQuery {
  from?: Date;
  to?: Date;
  status?: 'scheduled' | 'cancelled';
  after?: { startsAt: Date; id: string };
  limit: number;
}

export interface AgendaItem {
  appointment: AppointmentRow;
  /** The appointment's messages, then the client's replies to them (inbound). */
  messages: MessageRow[];
}

export async function listAppointments(
  ctx: DomainContext,
  advisorId: string,
  query: AppointmentListQuery,
): Promise<{ items: AgendaItem[]; next: { startsAt: Date; id: string } | null }> {
  await assertAppointmentsEnabled(ctx, advisorId);
  const rows = await listRows(
    ctx.db,
    advisorId,
    {
      from: query.from ?? nowOf(ctx),
      ...(query.to ? { to: query.to } : {}),
      ...(query.status ? { status: query.status } : {}),
    },
    { limit: query.limit + 1, ...(query.after ? { after: query.after } : {}) },
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const { messages, replies } = await listAgendaMessages(
    ctx.db,
    advisorId,
    page.map((a) => a.id),
  );
  const items = page.map((appointment) => {
    const own = messages.filter((m) => m.appointmentId === appointment.id);
    const answeredAt = new Set(
      own.flatMap((m) => (m.phone && m.repliedAt ? [`${m.phone} ${m.repliedAt.getTime()}`] : [])),
    );
    const theirReplies = replies.filter((r) => answeredAt.has(`${r.phone} ${r.createdAt.getTime()}`));
    return { appointment, messages: [...own, ...theirReplies] };
  });
  return { items, next: rows.length > query.limit && last ? { startsAt: last.startsAt, id: last.id } : null };
}
