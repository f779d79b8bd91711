// Request and response schemas of the inbox routes (API.md "Inbox").
import { z } from 'zod';
import { messageSchema } from './message.schema.js';

/** E.164, URL-encoded (`%2B34612345678`); anything else is answered 404 by the route. */
export const phoneParamsSchema = z.object({ phone: z.string().max(64) });

export const pageQuerySchema = z.object({
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const conversationSchema = z.object({
  phone: z.string(),
  clientName: z.string().nullable(),
  lastMessage: messageSchema.nullable(),
  unread: z.number(),
  optedOut: z.boolean(),
  lastActivityAt: z.date().nullable(),
});

export const conversationListSchema = z.object({
  items: z.array(conversationSchema),
  nextCursor: z.string().nullable(),
});

export const messagePageSchema = z.object({
  items: z.array(messageSchema),
  nextCursor: z.string().nullable(),
});

export const unreadTotalsSchema = z.object({ unread: z.number(), conversations: z.number() });

export const markReadResponseSchema = z.object({ phone: z.string(), unread: z.number() });

export const replyBodySchema = z.object({ text: z.string().trim().min(1).max(4_096) }).strict();

export const clientSchema = z.object({
  phone: z.string(),
  name: z.string().nullable(),
  optedOut: z.boolean(),
  optedOutAt: z.date().nullable(),
  optSource: z.string().nullable(),
  lastInboundAt: z.date().nullable(),
  lastOutboundAt: z.date().nullable(),
  unread: z.number(),
});

export const clientListQuerySchema = pageQuerySchema.extend({
  optedOut: z.enum(['true', 'false']).optional(),
});

export const clientListSchema = z.object({ items: z.array(clientSchema), nextCursor: z.string().nullable() });

export const clientUpdateBodySchema = z.object({ optedOut: z.boolean() }).strict();
