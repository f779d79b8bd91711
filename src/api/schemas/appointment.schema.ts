// Request and response schemas of the appointment routes (API.md "Appointments").
import { z } from 'zod';
import { messageSchema } from './message.schema.js';
import { instantSchema, queryInstantSchema } from './instant.schema.js';

export const appointmentSchema = z.object({
  id: z.string(),
  externalId: z.string(),
  clientName: z.string(),
  clientPhone: z.string(),
  startsAt: z.date(),
  endsAt: z.date().nullable(),
  timezone: z.string(),
  address: z.string().nullable(),
  notes: z.string().nullable(),
  status: z.enum(['scheduled', 'cancelled']),
  clientResponse: z.string().nullable(),
  clientResponseAt: z.date().nullable(),
  version: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const timelineEventSchema = z.object({
  at: z.date(),
  type: z.enum([
    'booked',
    'rescheduled',
    'cancelled',
    'sent_by_hand',
    'planned',
    'deferred',
    'sent',
    'delivered',
    'read',
    'answered',
    'skipped',
    'message_cancelled',
    'failed',
    'client_response',
  ]),
  messageId: z.string().nullable(),
  purpose: z.string().nullable(),
  scheduledAt: z.date().nullable(),
  reason: z.object({ code: z.string(), message: z.string() }).nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

export const appointmentWithMessagesSchema = z.object({
  appointment: appointmentSchema,
  messages: z.array(messageSchema),
});

/**
 * The answer to a reschedule or a cancel: `inFlight` names the messages it could not stop because
 * they may already be reaching the client (handed to the gateway, or an attempt that got no answer
 * waiting for its echo); each ends as sent or skipped.
 */
export const appointmentChangeSchema = appointmentWithMessagesSchema.extend({
  inFlight: z.array(z.string()),
});

export const appointmentDetailSchema = appointmentWithMessagesSchema.extend({
  timeline: z.array(timelineEventSchema),
});

/**
 * An appointment's start or end. Its row is read back through `new Date(text)`, which takes the
 * year of "0026-12-01 10:00:00+00" for 2026 (any year below 100 becomes 19xx or 20xx): year 26 was
 * stored, and everything that read the row (the answer, the messages, the send-time checks) saw
 * 2026. No appointment is that old; before the year 1000 is refused as malformed, which also keeps
 * a reminder planned days before the start out of that range.
 */
const appointmentInstant = instantSchema.refine((value) => new Date(value).getUTCFullYear() >= 1_000, {
  message: 'must be in the years 1000 to 9999 (UTC)',
});
const text = (max: number) => z.string().max(max);

// Trimmed as the booking trims the externalId it stores, so the id the caller booked with finds it.
export const externalIdParams = z.object({ externalId: z.string().trim().min(1).max(200) });

export const bookBodySchema = z
  .object({
    externalId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      // HTTP clients resolve "." and ".." as path segments (RFC 3986 §5.2.4), escaped or not, so
      // no URL reaches /api/appointments/. or /..: booked, it could never be read or cancelled.
      .refine((id) => id !== '.' && id !== '..', {
        message: 'cannot be "." or "..": no URL can name such an appointment',
      }),
    clientName: z.string().trim().min(1).max(200),
    clientPhone: z.string().min(1).max(64),
    startsAt: appointmentInstant,
    endsAt: appointmentInstant.nullable().optional(),
    timezone: text(64).optional(),
    address: text(500).nullable().optional(),
    notes: text(2_000).nullable().optional(),
  })
  .strict();

export const rescheduleBodySchema = z
  .object({
    clientName: z.string().trim().min(1).max(200).optional(),
    clientPhone: z.string().min(1).max(64).optional(),
    startsAt: appointmentInstant.optional(),
    endsAt: appointmentInstant.nullable().optional(),
    timezone: text(64).optional(),
    address: text(500).nullable().optional(),
    notes: text(2_000).nullable().optional(),
  })
  .strict();

export const listAppointmentsQuerySchema = z.object({
  from: queryInstantSchema.optional(),
  to: queryInstantSchema.optional(),
  status: z.enum(['scheduled', 'cancelled']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const manualSendBodySchema = z
  .object({
    kind: z.enum(['confirmation', 'reminder', 'follow_up']),
    message: z.string().max(2_000).optional(),
  })
  .strict();
