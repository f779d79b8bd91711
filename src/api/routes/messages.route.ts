// Sending and history: POST /api/whatsapp/send, GET /api/whatsapp/messages[/:id], retry, cancel, audit.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listAudit } from '../../db/repositories/audit.repository.js';
import { AuditEntryIds } from '../../domain/crypto/audit-entry-ids.js';
import { findMessage, listMessages } from '../../db/repositories/message.repository.js';
import { AppError, notFound } from '../../domain/app-error.js';
import { messageView } from '../../domain/messages/message-view.js';
import { MIN_PARTIAL_PHONE_DIGITS, readPhoneFilter } from '../../domain/messages/phone-filter.js';
import { cancelMessage } from '../../domain/messages/cancel-message.js';
import { retryMessage } from '../../domain/messages/retry-message.js';
import { sendMessage } from '../../domain/messages/send-message.js';
import { callerIdempotencyKey } from '../../domain/messages/idempotency-key.js';
import { mediaTooLarge, sendBodyLimit } from '../../domain/messages/media-limit.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { assertQueueReady } from '../queue-ready.js';
import { assertRangeRunsForward } from '../time-range.js';
import type { AppDeps } from '../deps.js';
import { callerOf, requireCaller } from '../plugins/caller.js';
import { listQuerySchema, messageSchema, sendBodySchema } from '../schemas/message.schema.js';
import { idempotencyKeyHeaders } from '../schemas/idempotency-key.schema.js';

const uuidParam = z.object({ id: z.string().max(64) });
const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

export function messageRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = requireCaller(deps.auth, deps.database.db);
  const { ctx } = deps;
  const auditIds = new AuditEntryIds(deps.config.authSecret);
  const tags = ['messages'];

  r.post(
    '/api/whatsapp/send',
    {
      preParsing: auth,
      // A file at the media limit fits whatever HTTP_BODY_LIMIT says, and a body too large for
      // this route is a file over that limit: answered as one, with details.maxBytes.
      bodyLimit: sendBodyLimit(deps.config.limits),
      config: { bodyTooLarge: () => mediaTooLarge(deps.config.limits.mediaBytes) },
      schema: {
        tags,
        body: sendBodySchema,
        headers: idempotencyKeyHeaders,
        response: { 202: z.object({ message: messageSchema }) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { scheduledAt, ...rest } = request.body;
      const { message, created } = await sendMessage(
        ctx,
        deps.messages,
        caller.advisorId,
        { ...rest, ...(scheduledAt ? { scheduledAt: new Date(scheduledAt) } : {}) },
        {
          actor: { type: caller.actor.type, id: caller.actor.id },
          source: caller.actor.type === 'api_key' ? 'api' : 'dashboard',
          // A new message waits for the queue; a repeat is answered from the database.
          refuseNew: () => assertQueueReady(deps.redis),
          ...(request.headers['idempotency-key']
            ? { idempotencyKey: callerIdempotencyKey(request.headers['idempotency-key']) }
            : {}),
        },
      );
      // A repeat with the same Idempotency-Key says so, as an appointment repeat does.
      if (!created) reply.header('idempotent-replayed', 'true');
      return reply.status(202).send({ message: messageView(message) });
    },
  );

  r.get(
    '/api/whatsapp/messages',
    {
      preParsing: auth,
      schema: {
        tags,
        querystring: listQuerySchema,
        response: { 200: z.object({ items: z.array(messageSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const q = request.query;
      const before = decodeCursor(q.cursor);
      const phone = q.phone?.trim() ? readPhoneFilter(q.phone) : undefined;
      if (phone === null) {
        throw new AppError(
          'invalid_request',
          `phone must be a whole number or at least ${MIN_PARTIAL_PHONE_DIGITS} of its digits.`,
          { fields: [{ field: 'phone', message: `needs at least ${MIN_PARTIAL_PHONE_DIGITS} digits` }] },
        );
      }
      if (q.since && q.until) {
        assertRangeRunsForward(new Date(q.since), new Date(q.until), { start: 'since', end: 'until' });
      }
      const rows = await listMessages(
        ctx.db,
        callerOf(request).advisorId,
        {
          ...(q.status ? { status: q.status } : {}),
          ...(q.direction ? { direction: q.direction } : {}),
          ...phone,
          ...(q.templateKey ? { templateKey: q.templateKey } : {}),
          ...(q.appointmentId ? { appointmentId: q.appointmentId } : {}),
          ...(q.since ? { since: new Date(q.since) } : {}),
          ...(q.until ? { until: new Date(q.until) } : {}),
        },
        { limit: q.limit + 1, ...(before ? { before } : {}) },
      );
      const page = rows.slice(0, q.limit);
      return {
        items: page.map(messageView),
        nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null,
      };
    },
  );

  r.get(
    '/api/whatsapp/messages/:id',
    { preParsing: auth, schema: { tags, params: uuidParam, response: { 200: messageSchema } } },
    async (request) => {
      const row = isUuid(request.params.id)
        ? await findMessage(ctx.db, callerOf(request).advisorId, request.params.id)
        : null;
      if (!row) throw notFound('Message');
      return messageView(row);
    },
  );

  r.post(
    '/api/whatsapp/messages/:id/retry',
    {
      preParsing: auth,
      schema: { tags, params: uuidParam, response: { 202: z.object({ message: messageSchema }) } },
    },
    async (request, reply) => {
      if (!isUuid(request.params.id)) throw notFound('Message');
      // As for a send: refused before the message is written back to `queued`. Checked after it,
      // the caller got a 503 for a retry that had happened, and its "try again" a 409.
      assertQueueReady(deps.redis);
      const caller = callerOf(request);
      const row = await retryMessage(ctx, deps.messages, caller.advisorId, request.params.id, {
        type: caller.actor.type,
        id: caller.actor.id,
      });
      return reply.status(202).send({ message: messageView(row) });
    },
  );

  r.post(
    '/api/whatsapp/messages/:id/cancel',
    {
      preParsing: auth,
      schema: { tags, params: uuidParam, response: { 200: z.object({ message: messageSchema }) } },
    },
    async (request) => {
      if (!isUuid(request.params.id)) throw notFound('Message');
      const caller = callerOf(request);
      const message = await cancelMessage(ctx, deps.messages, caller.advisorId, request.params.id, {
        type: caller.actor.type,
        id: caller.actor.id,
      });
      return { message: messageView(message) };
    },
  );

  r.get(
    '/api/whatsapp/audit',
    {
      preParsing: auth,
      schema: {
        tags: ['audit'],
        querystring: z.object({
          cursor: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number(),
                actorType: z.string(),
                actorId: z.string().nullable(),
                action: z.string(),
                messageId: z.string().nullable(),
                phone: z.string().nullable(),
                content: z.record(z.string(), z.unknown()).nullable(),
                createdAt: z.date(),
              }),
            ),
            nextCursor: z.number().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const { advisorId } = callerOf(request);
      // Ids and the cursor are the advisor's own numbering of their entries (audit-entry-ids.ts).
      const own = auditIds.of(advisorId);
      const beforeId = q.cursor === undefined ? undefined : own.entryId(q.cursor);
      if (beforeId === null) return { items: [], nextCursor: null };
      const rows = await listAudit(ctx.db, advisorId, {
        limit: q.limit + 1,
        ...(beforeId ? { beforeId } : {}),
      });
      const page = rows.slice(0, q.limit).map(({ advisorId: _a, id, ...rest }) => ({
        id: own.shown(id),
        ...rest,
      }));
      return { items: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
    },
  );
}
