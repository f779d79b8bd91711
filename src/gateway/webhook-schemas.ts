import { z } from 'zod';
import { messageTimestampSchema } from './schemas.js';
import { statusWordOf } from './message-status.js';

/**
 * Evolution's webhook envelope (evolution-api.md §4.3) and the `data` of the events we act on
 * (§4.4). `sender`, `server_url`, `destination` and `apikey` are not declared: we never read them
 * (`apikey` may be null or the instance token), so whatever they hold cannot make a valid event
 * fail. `date_time` is read only to order connection events (GatewayDateTime), and one that is
 * missing or unreadable reads as unknown rather than failing the event.
 */
export const envelopeSchema = z.object({
  event: z.string().min(1).optional(),
  instance: z.string().min(1).nullish(),
  data: z.unknown(),
  date_time: z.string().nullish().catch(null),
});

export const qrUpdatedSchema = z.object({
  qrcode: z.object({
    code: z.string().min(1),
    base64: z.string().nullish(),
    pairingCode: z.string().nullish(),
  }),
});

export const qrLimitSchema = z.object({ message: z.string(), statusCode: z.number().optional() });

/**
 * The longest message id taken. WhatsApp's are 16–40 characters; the id goes into unique indexes
 * (whatsapp_message, the receipt and edit tables), and PostgreSQL refuses an index entry over
 * about 2.7 kB, so a longer one was acknowledged and then lost when its job failed every attempt.
 * 256 characters of up to four bytes each stay well inside that limit.
 */
export const MESSAGE_ID_MAX = 256;
const messageIdSchema = z.string().min(1).max(MESSAGE_ID_MAX);

const statusCodeSchema = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

export const connectionUpdateSchema = z.object({
  state: z.enum(['open', 'connecting', 'close', 'refused']),
  statusReason: statusCodeSchema.nullish(),
  wuid: z.string().nullish(),
  profileName: z.string().nullish(),
});

/** MESSAGES_UPDATE is flat, not nested under `key`. */
export const messageUpdateSchema = z.object({
  keyId: messageIdSchema,
  remoteJid: z.string().nullish(),
  fromMe: z.boolean().nullish(),
  // A word; Baileys' number is read as the word it stands for.
  status: z.union([z.string(), z.number().int().transform(statusWordOf)]).nullish(),
  // Only 2.3.7's edit notifications carry the new content here.
  message: z.unknown().optional(),
});

const messageKeySchema = z.object({
  id: messageIdSchema,
  remoteJid: z.string().min(1),
  fromMe: z.boolean().nullish(),
  remoteJidAlt: z.string().nullish(),
  participant: z.string().nullish(),
  participantAlt: z.string().nullish(),
});

/** MESSAGES_DELETE's data is the deleted message's key. */
export const messageDeleteSchema = messageKeySchema.pick({ id: true, remoteJid: true, fromMe: true });

/**
 * MESSAGES_EDITED's data is Baileys' raw protocolMessage, sent for every protocol notice (an edit,
 * a revoke, a history-sync or key-share notice with no key at all): read loosely, so that a notice
 * we do not act on is ignored rather than refused.
 */
export const protocolMessageSchema = z.object({
  key: z.object({ id: messageIdSchema }).nullish().catch(null),
  // protobufjs writes the enum by name ("MESSAGE_EDIT"); a number is its value (14).
  type: z.union([z.string(), z.number()]).nullish().catch(null),
  editedMessage: z.unknown().optional(),
  timestampMs: z.unknown().optional(),
});

/** MESSAGES_UPSERT and SEND_MESSAGE share the stored-message shape. */
export const storedMessageSchema = z.object({
  key: messageKeySchema,
  pushName: z.string().nullish(),
  message: z.unknown().optional(),
  // The content's contextInfo, lifted to the top by Evolution (a reply's quoted message id).
  contextInfo: z.unknown().optional(),
  messageTimestamp: messageTimestampSchema.nullish(),
});
