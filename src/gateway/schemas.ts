import { z } from 'zod';

/**
 * Evolution API v2 (2.3.x) REST answers, as its source produces them (evolution-api.md §3).
 * Only the fields we read are declared; z.object drops the rest, so an added field never breaks
 * us, while a missing or mistyped field we depend on fails validation loudly.
 */

const connectionStateSchema = z.enum(['open', 'connecting', 'close']);

/** protobuf Long, as a raw Baileys object may carry one. */
const longSchema = z.object({ low: z.number(), high: z.number(), unsigned: z.boolean().optional() });

export const messageTimestampSchema = z.union([z.number(), z.string(), longSchema]);

export const createInstanceResponseSchema = z.object({
  instance: z.object({
    instanceName: z.string(),
    instanceId: z.string(),
    status: z.string(),
  }),
  // A plain string in v2's source (the docs' `{apikey}` object is wrong, §11.2).
  hash: z.string(),
});

/** connect/connectionState/restart when the socket is (or is reported) in a given state. */
export const instanceStateResponseSchema = z.object({
  instance: z.object({
    instanceName: z.string().optional(),
    state: connectionStateSchema,
  }),
});

/** wa.QrCode: every key is omitted until Baileys produced it, hence `{count:0}` at first. */
export const qrCodeResponseSchema = z
  .object({
    code: z.string().optional(),
    base64: z.string().optional(),
    pairingCode: z.string().nullish(),
    count: z.number().optional(),
  })
  .refine((qr) => qr.count !== undefined || qr.code !== undefined, {
    message: 'neither a QR code nor a QR count',
  });

/** connect and restart answer HTTP 200 with this when they fail internally. */
export const embeddedErrorSchema = z.object({ error: z.literal(true), message: z.unknown().optional() });

export const fetchInstancesResponseSchema = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    connectionStatus: connectionStateSchema,
    ownerJid: z.string().nullish(),
    profileName: z.string().nullish(),
    token: z.string().nullish(),
  }),
);

/** logout / delete: `{status:"SUCCESS", error:false, response:{message}}`. */
export const actionResponseSchema = z.object({
  error: z.literal(false).optional(),
  response: z.object({ message: z.unknown() }).optional(),
});

/** The stored Prisma Webhook row that set and find return. */
export const webhookRowSchema = z.object({
  url: z.string(),
  enabled: z.boolean(),
  events: z.array(z.string()).nullish(),
  headers: z.record(z.string(), z.unknown()).nullish(),
  webhookByEvents: z.boolean().nullish(),
  webhookBase64: z.boolean().nullish(),
});

export const findWebhookResponseSchema = webhookRowSchema.nullable();

/** The stored message that sendText/sendMedia/sendWhatsAppAudio return (and SEND_MESSAGE carries). */
export const sendMessageResponseSchema = z.object({
  key: z.object({
    id: z.string().min(1),
    remoteJid: z.string().min(1),
    remoteJidAlt: z.string().nullish(),
    fromMe: z.boolean().optional(),
  }),
  // Both always present in 2.3.x, but the message is already out by now: a missing status or
  // timestamp must not turn a delivered message into a failure, so they fall back.
  status: z.string().optional(),
  messageTimestamp: messageTimestampSchema.optional(),
});

export const whatsappNumbersResponseSchema = z.array(
  z.object({
    jid: z.string(),
    exists: z.boolean(),
    number: z.string(),
    name: z.string().nullish(),
  }),
);

export const findStatusMessageResponseSchema = z.array(
  z.object({
    keyId: z.string(),
    remoteJid: z.string().nullish(),
    fromMe: z.boolean().nullish(),
    participant: z.string().nullish(),
    status: z.string(),
  }),
);
