// The dashboard's agenda: the advisor's appointments from a moment on (default: now), by start
// time, a page at a time.
import {
  listAppointments as listRows,
  type AppointmentRow,
} from '../../db/repositories/appointment.repository.js';
import { nowOf, type DomainContext } from '../context.js';
import { assertAppointmentsEnabled } from './appointments-feature.js';

export interface AppointmentListQuery {
  from?: Date;
  to?: Date;
  status?: 'scheduled' | 'cancelled';
  after?: { startsAt: Date; id: string };
  limit: number;
}

export async function listAppointments(
  ctx: DomainContext,
  advisorId: string,
  query: AppointmentListQuery,
): Promise<{ items: AppointmentRow[]; next: { startsAt: Date; id: string } | null }> {
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
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > query.limit && last ? { startsAt: last.startsAt, id: last.id } : null };
}
