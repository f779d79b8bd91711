// Request and response schemas of the message routes (API.md "Sending" and "Messages").
import { z } from 'zod';
import { OUTBOUND_STATUSES } from '../../domain/messages/message-status.js';
import { TEMPLATE_LANGUAGES } from '../../domain/templates/index.js';
import { instantSchema, queryInstantSchema } from './instant.schema.js';
import { templateVariableValue } from './templates.schema.js';

export const messageSchema = z.object({
  id: z.string(),
  direction: z.enum(['outbound', 'inbound']),
  phone: z.string().nullable(),
  clientName: z.string().nullable(),
  type: z.string(),
  text: z.string().nullable(),
  caption: z.string().nullable(),
  mediaUrl: z.string().nullable(),
  mimetype: z.string().nullable(),
  fileName: z.string().nullable(),
  templateKey: z.string().nullable(),
  appointmentId: z.string().nullable(),
  purpose: z.string(),
  status: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  attempts: z.number(),
  evolutionMessageId: z.string().nullable(),
  source: z.string(),
  createdAt: z.date(),
  scheduledAt: z.date().nullable(),
  sentAt: z.date().nullable(),
  deliveredAt: z.date().nullable(),
  readAt: z.date().nullable(),
  failedAt: z.date().nullable(),
  repliedAt: z.date().nullable(),
  /** When its author edited it in WhatsApp; text and caption are the edited words. */
  editedAt: z.date().nullable(),
  /** When its author deleted it for everyone in WhatsApp; text, caption and fileName are null. */
  deletedAt: z.date().nullable(),
});

/** type/subtype, with optional parameters ("text/plain; charset=utf-8"), as RFC 6838 spells them. */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;.*)?$/i;

export const sendBodySchema = z
  .object({
    to: z.string().min(1).max(64),
    type: z.enum(['text', 'image', 'document', 'audio', 'video']).optional(),
    text: z.string().max(10_000).optional(),
    media: z
      .object({
        url: z.string().max(4_096).optional(),
        base64: z.string().optional(),
        mimetype: z
          .string()
          .max(255)
          .regex(MIME_TYPE, 'must be a MIME type such as image/png or application/pdf')
          .optional(),
        fileName: z.string().max(255).optional(),
      })
      .strict()
      .optional(),
    caption: z.string().max(4_096).optional(),
    template: z
      .union([
        z.object({ id: z.string().min(1).max(200) }).strict(),
        z
          .object({ key: z.string().min(1).max(100), language: z.enum(TEMPLATE_LANGUAGES).optional() })
          .strict(),
      ])
      .optional(),
    variables: z.record(z.string().max(64), templateVariableValue).optional(),
    clientName: z.string().max(200).optional(),
    scheduledAt: instantSchema.optional(),
  })
  .strict();

export const listQuerySchema = z.object({
  // A closed list: a misspelt status (`delivred`) used to answer 200 with no items, which reads as
  // "no such messages" rather than as the mistake it is.
  status: z.enum([...OUTBOUND_STATUSES, 'received']).optional(),
  direction: z.enum(['outbound', 'inbound']).optional(),
  phone: z.string().max(32).optional(),
  templateKey: z.string().max(100).optional(),
  appointmentId: z.string().uuid().optional(),
  since: queryInstantSchema.optional(),
  until: queryInstantSchema.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
