// The two-way inbox: conversations, their messages, marking read, replying, and the client list
// with its opt-out switch. Gated by the `inbox` feature; every route acts on the caller's own
// clients only, so another advisor's phone is simply not found.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../domain/app-error.js';
import { listClients } from '../../domain/inbox/list-clients.js';
import { listConversationMessages } from '../../domain/inbox/list-conversation-messages.js';
import { listConversations } from '../../domain/inbox/list-conversations.js';
import { markConversationRead } from '../../domain/inbox/mark-conversation-read.js';
import { replyToConversation } from '../../domain/inbox/reply-to-conversation.js';
import { setClientOptOut } from '../../domain/inbox/set-client-opt-out.js';
import { unreadTotals } from '../../domain/inbox/unread-totals.js';
import { messageView } from '../../domain/messages/message-view.js';
import { callerIdempotencyKey } from '../../domain/messages/idempotency-key.js';
import { isE164 } from '../../gateway/index.js';
import { badCursor, cursorInstant, decodeChatCursor, encodeChatCursor } from '../cursor.js';
import type { AppDeps } from '../deps.js';
import { callerOf, requireCaller } from '../plugins/caller.js';
import { assertQueueReady } from '../queue-ready.js';
import { idempotencyKeyHeaders } from '../schemas/idempotency-key.schema.js';
import { messageSchema } from '../schemas/message.schema.js';
import {
  clientListQuerySchema,
  clientListSchema,
  clientSchema,
  clientUpdateBodySchema,
  conversationListSchema,
  markReadResponseSchema,
  messagePageSchema,
  pageQuerySchema,
  phoneParamsSchema,
  replyBodySchema,
  unreadTotalsSchema,
} from '../schemas/inbox.schema.js';

function phoneOf(raw: string, what: string): string {
  if (!isE164(raw)) throw notFound(what);
  return raw;
}

function encodeConversationCursor(next: { at: Date; phone: string } | null): string | null {
  return next ? Buffer.from(`${next.at.toISOString()}|${next.phone}`).toString('base64url') : null;
}

function decodeConversationCursor(cursor: string | undefined): { at: Date; phone: string } | undefined {
  if (!cursor) return undefined;
  const [at, phone] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = cursorInstant(at);
  if (!date || !phone || !isE164(phone)) throw badCursor();
  return { at: date, phone };
}

function decodePhoneCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const phone = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isE164(phone)) throw badCursor();
  return phone;
}

export function inboxRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = requireCaller(deps.auth, deps.database.db);
  const { ctx } = deps;
  const tags = ['inbox'];

  r.get(
    '/api/whatsapp/conversations',
    {
      preParsing: auth,
      schema: { tags, querystring: pageQuerySchema, response: { 200: conversationListSchema } },
    },
    async (request) => {
      const { cursor, limit } = request.query;
      const before = decodeConversationCursor(cursor);
      const page = await listConversations(ctx, callerOf(request).advisorId, {
        limit,
        ...(before ? { before } : {}),
      });
      return { items: page.items, nextCursor: encodeConversationCursor(page.next) };
    },
  );

  r.get(
    '/api/whatsapp/conversations/unread',
    {
      preParsing: auth,
      schema: {
        tags,
        summary: 'Unread client messages in all conversations (the Inbox badge)',
        response: { 200: unreadTotalsSchema },
      },
    },
    async (request) => unreadTotals(ctx, callerOf(request).advisorId),
  );

  r.get(
    '/api/whatsapp/conversations/:phone/messages',
    {
      preParsing: auth,
      schema: {
        tags,
        summary: "One conversation's messages, the most recently exchanged first (sent, or received)",
        params: phoneParamsSchema,
        querystring: pageQuerySchema,
        response: { 200: messagePageSchema },
      },
    },
    async (request) => {
      const phone = phoneOf(request.params.phone, 'Conversation');
      const before = decodeChatCursor(request.query.cursor);
      const page = await listConversationMessages(ctx, callerOf(request).advisorId, phone, {
        limit: request.query.limit,
        ...(before ? { before } : {}),
      });
      return { items: page.items.map(messageView), nextCursor: encodeChatCursor(page.next) };
    },
  );

  r.post(
    '/api/whatsapp/conversations/:phone/read',
    {
      preParsing: auth,
      schema: { tags, params: phoneParamsSchema, response: { 200: markReadResponseSchema } },
    },
    async (request) =>
      markConversationRead(ctx, callerOf(request).advisorId, phoneOf(request.params.phone, 'Conversation')),
  );

  r.post(
    '/api/whatsapp/conversations/:phone/reply',
    {
      preParsing: auth,
      schema: {
        tags,
        params: phoneParamsSchema,
        body: replyBodySchema,
        headers: idempotencyKeyHeaders,
        response: { 202: z.object({ message: messageSchema }) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const phone = phoneOf(request.params.phone, 'Conversation');
      const key = request.headers['idempotency-key'];
      const { message, created } = await replyToConversation(
        ctx,
        deps.messages,
        caller.advisorId,
        phone,
        request.body.text,
        {
          actor: { type: caller.actor.type, id: caller.actor.id },
          source: caller.actor.type === 'api_key' ? 'api' : 'dashboard',
          // A new reply waits for the queue; a repeat is answered from the database.
          refuseNew: () => assertQueueReady(deps.redis),
          ...(key ? { idempotencyKey: callerIdempotencyKey(key) } : {}),
        },
      );
      if (!created) reply.header('idempotent-replayed', 'true');
      return reply.status(202).send({ message: messageView(message) });
    },
  );

  r.get(
    '/api/whatsapp/clients',
    {
      preParsing: auth,
      schema: { tags, querystring: clientListQuerySchema, response: { 200: clientListSchema } },
    },
    async (request) => {
      const { cursor, limit, optedOut } = request.query;
      const afterPhone = decodePhoneCursor(cursor);
      const page = await listClients(ctx, callerOf(request).advisorId, {
        limit,
        ...(optedOut ? { optedOut: optedOut === 'true' } : {}),
        ...(afterPhone ? { afterPhone } : {}),
      });
      return {
        items: page.items,
        nextCursor: page.nextAfter ? Buffer.from(page.nextAfter).toString('base64url') : null,
      };
    },
  );

  r.put(
    '/api/whatsapp/clients/:phone',
    {
      preParsing: auth,
      schema: {
        tags,
        params: phoneParamsSchema,
        body: clientUpdateBodySchema,
        response: { 200: clientSchema },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const phone = phoneOf(request.params.phone, 'Client');
      return setClientOptOut(ctx, caller.advisorId, phone, request.body.optedOut, caller.actor);
    },
  );
}
