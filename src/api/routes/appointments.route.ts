// Appointments (API.md "Appointments"): the booking module books, reschedules and cancels by its
// own externalId (x-api-key); the dashboard lists them, reads one with its messages and timeline,
// and sends a message by hand. Gated by the `reminders` feature; another advisor's appointment is
// a 404 like one that does not exist.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bookAppointment } from '../../domain/appointments/book-appointment.js';
import { cancelAppointment } from '../../domain/appointments/cancel-appointment.js';
import { getAppointmentDetail } from '../../domain/appointments/appointment-timeline.js';
import { appointmentView, type AppointmentResult } from '../../domain/appointments/appointment-view.js';
import { listAppointments } from '../../domain/appointments/list-appointments.js';
import { rescheduleAppointment } from '../../domain/appointments/reschedule-appointment.js';
import { sendAppointmentMessage } from '../../domain/appointments/send-appointment-message.js';
import { messageView } from '../../domain/messages/message-view.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { AppDeps } from '../deps.js';
import { callerOf, requireCaller, type Caller } from '../plugins/caller.js';
import { assertQueueReady } from '../queue-ready.js';
import { assertRangeRunsForward } from '../time-range.js';
import {
  appointmentChangeSchema,
  appointmentDetailSchema,
  appointmentSchema,
  appointmentWithMessagesSchema,
  bookBodySchema,
  externalIdParams,
  listAppointmentsQuerySchema,
  manualSendBodySchema,
  rescheduleBodySchema,
} from '../schemas/appointment.schema.js';
import { messageSchema } from '../schemas/message.schema.js';
import { idempotencyKeyHeaders } from '../schemas/idempotency-key.schema.js';

const actorOf = (caller: Caller) => ({ type: caller.actor.type, id: caller.actor.id });
const sourceOf = (caller: Caller) =>
  caller.actor.type === 'api_key' ? ('api' as const) : ('dashboard' as const);
const resultView = (r: AppointmentResult) => ({
  appointment: appointmentView(r.appointment),
  messages: r.messages.map(messageView),
});
const changeView = (r: AppointmentResult) => ({ ...resultView(r), inFlight: r.inFlight });
const optionalDate = (v: string | null | undefined) =>
  v === undefined ? undefined : v === null ? null : new Date(v);

export function appointmentRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = requireCaller(deps.auth, deps.database.db);
  const { ctx } = deps;
  const tags = ['appointments'];
  // Refuse before writing anything when the queue is unreachable: the caller retries, and every
  // call is idempotent.
  const queueReady = () => assertQueueReady(deps.redis);

  r.post(
    '/api/appointments',
    {
      preParsing: auth,
      schema: {
        tags,
        body: bookBodySchema,
        response: { 201: appointmentWithMessagesSchema },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { startsAt, endsAt, ...rest } = request.body;
      const result = await bookAppointment(
        ctx,
        deps.messages,
        caller.advisorId,
        { ...rest, startsAt: new Date(startsAt), endsAt: optionalDate(endsAt) },
        actorOf(caller),
        // A new booking waits for the queue; a repeat is answered from the database.
        queueReady,
      );
      // API.md: 201, repeats included (a repeat answers as the first call did); the header tells
      // a caller that cares that nothing new was planned.
      if (!result.changed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(resultView(result));
    },
  );

  r.get(
    '/api/appointments',
    {
      preParsing: auth,
      schema: {
        tags,
        querystring: listAppointmentsQuerySchema,
        response: {
          200: z.object({
            items: z.array(appointmentSchema.extend({ messages: z.array(messageSchema) })),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const from = q.from ? new Date(q.from) : undefined;
      const to = q.to ? new Date(q.to) : undefined;
      if (from && to) assertRangeRunsForward(from, to, { start: 'from', end: 'to' });
      const after = decodeCursor(q.cursor);
      const page = await listAppointments(ctx, callerOf(request).advisorId, {
        limit: q.limit,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(after ? { after: { startsAt: after.createdAt, id: after.id } } : {}),
      });
      return {
        items: page.items.map((item) => ({
          ...appointmentView(item.appointment),
          messages: item.messages.map(messageView),
        })),
        nextCursor: page.next ? encodeCursor({ createdAt: page.next.startsAt, id: page.next.id }) : null,
      };
    },
  );

  r.get(
    '/api/appointments/:externalId',
    {
      preParsing: auth,
      schema: { tags, params: externalIdParams, response: { 200: appointmentDetailSchema } },
    },
    async (request) => {
      const detail = await getAppointmentDetail(ctx, callerOf(request).advisorId, request.params.externalId);
      return {
        appointment: appointmentView(detail.appointment),
        messages: detail.messages.map(messageView),
        timeline: detail.timeline,
      };
    },
  );

  r.patch(
    '/api/appointments/:externalId',
    {
      preParsing: auth,
      schema: {
        tags,
        params: externalIdParams,
        body: rescheduleBodySchema,
        response: { 200: appointmentChangeSchema },
      },
    },
    async (request) => {
      queueReady();
      const caller = callerOf(request);
      const { startsAt, endsAt, ...rest } = request.body;
      const result = await rescheduleAppointment(
        ctx,
        deps.messages,
        caller.advisorId,
        request.params.externalId,
        {
          ...rest,
          ...(startsAt ? { startsAt: new Date(startsAt) } : {}),
          ...(endsAt !== undefined ? { endsAt: optionalDate(endsAt) } : {}),
        },
        actorOf(caller),
      );
      return changeView(result);
    },
  );

  r.post(
    '/api/appointments/:externalId/cancel',
    {
      preParsing: auth,
      schema: { tags, params: externalIdParams, response: { 200: appointmentChangeSchema } },
    },
    async (request) => {
      queueReady();
      const caller = callerOf(request);
      const result = await cancelAppointment(
        ctx,
        deps.messages,
        caller.advisorId,
        request.params.externalId,
        actorOf(caller),
      );
      return changeView(result);
    },
  );

  r.post(
    '/api/appointments/:externalId/send',
    {
      preParsing: auth,
      schema: {
        tags,
        params: externalIdParams,
        body: manualSendBodySchema,
        headers: idempotencyKeyHeaders,
        response: { 202: z.object({ message: messageSchema }) },
      },
    },
    async (request, reply) => {
      queueReady();
      const caller = callerOf(request);
      const key = request.headers['idempotency-key'];
      const { message, created } = await sendAppointmentMessage(
        ctx,
        deps.messages,
        caller.advisorId,
        request.params.externalId,
        request.body,
        { actor: actorOf(caller), source: sourceOf(caller), ...(key ? { idempotencyKey: key } : {}) },
      );
      if (!created) reply.header('idempotent-replayed', 'true');
      return reply.status(202).send({ message: messageView(message) });
    },
  );
}
