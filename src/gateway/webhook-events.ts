import type { z } from 'zod';
import { WebhookParseError } from './errors.js';
import { isGroupJid, jidToE164, pickParticipantPhoneJid, pickPhoneJid } from './jid.js';
import {
  notAMessageReason,
  readEditedContent,
  readMessageContent,
  readQuotedMessageId,
} from './message-content.js';
import { mapEvolutionStatus } from './message-status.js';
import { notAfterReceipt, parseMessageTimestamp } from './message-timestamp.js';
import type { GatewayDateTime, ParsedWebhook, WebhookEvent } from './webhook-event-types.js';
import {
  connectionUpdateSchema,
  envelopeSchema,
  messageDeleteSchema,
  messageUpdateSchema,
  protocolMessageSchema,
  qrLimitSchema,
  qrUpdatedSchema,
  storedMessageSchema,
} from './webhook-schemas.js';

export interface ParseWebhookOptions {
  /** The byEvents path suffix (`messages-upsert`), when the request came to `/webhook/:event`. */
  pathEvent?: string | undefined;
  /**
   * When the request arrived: the timestamp of a message that carries none, and the latest a
   * message, edit or deletion may be dated (notAfterReceipt).
   */
  receivedAt?: Date;
}

/** `messages.upsert`, `MESSAGES_UPSERT` and `messages-upsert` are one event: MESSAGES_UPSERT. */
export function canonicalEventName(raw: string): string {
  const name = raw.trim().replace(/[.-]/g, '_').toUpperCase();
  if (!/^[A-Z0-9_]+$/.test(name)) throw new WebhookParseError(`Not an event name: ${JSON.stringify(raw)}`);
  return name;
}

/**
 * Reads one webhook request body. Unknown events come back as `ignored`; a body that is not an
 * Evolution envelope, or a known event whose data we cannot read, throws WebhookParseError.
 */
export function parseWebhook(body: unknown, options: ParseWebhookOptions = {}): ParsedWebhook {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) throw parseError('Not an Evolution webhook envelope', undefined, envelope.error);
  const { data } = envelope.data;
  // The body names the event in every Evolution version; the path is only a fallback.
  const rawEvent = envelope.data.event ?? options.pathEvent;
  if (rawEvent === undefined) throw new WebhookParseError('The webhook names no event');
  const event = canonicalEventName(rawEvent);
  const instance = envelope.data.instance ?? null;
  // Read only for the events that use it: not on every receipt and message of the hot path.
  const dateTime = () => gatewayDateTimeOf(envelope.data.date_time);
  const receivedAt = options.receivedAt ?? new Date();

  const readItems = (read: (item: unknown, instance: string) => WebhookEvent): WebhookEvent[] => {
    if (instance === null) throw new WebhookParseError(`${event} names no instance`, { event });
    return (Array.isArray(data) ? data : [data]).map((item) => read(item, instance));
  };

  switch (event) {
    case 'QRCODE_UPDATED':
      return { event, instance, events: readItems((item, name) => readQr(item, name, event, dateTime())) };
    case 'CONNECTION_UPDATE':
      return {
        event,
        instance,
        events: readItems((item, name) => readConnection(item, name, event, dateTime())),
      };
    case 'MESSAGES_UPDATE': {
      const read = (item: unknown, name: string) => readStatusUpdate(item, name, event, receivedAt);
      return { event, instance, events: readItems(read) };
    }
    case 'MESSAGES_DELETE':
      return {
        event,
        instance,
        events: readItems((item, name) => readDelete(item, name, event, receivedAt)),
      };
    case 'MESSAGES_EDITED':
      return {
        event,
        instance,
        events: readItems((item, name) => readProtocolNotice(item, name, event, receivedAt)),
      };
    case 'MESSAGES_UPSERT':
    case 'SEND_MESSAGE': {
      const source = event === 'SEND_MESSAGE' ? 'send' : 'upsert';
      const read = (item: unknown, name: string) => readMessage(item, name, event, source, receivedAt);
      return { event, instance, events: readItems(read) };
    }
    case 'LOGOUT_INSTANCE':
      // Its data is null: the event itself is the news.
      if (instance === null) throw new WebhookParseError(`${event} names no instance`, { event });
      return { event, instance, events: [{ type: 'logout', instance, dateTime: dateTime() }] };
    default:
      return { event, instance, events: [{ type: 'ignored', instance, event }] };
  }
}

function parseError(message: string, event: string | undefined, error: z.ZodError): WebhookParseError {
  const issues = error.issues
    .slice(0, 5)
    .map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  return new WebhookParseError(message, { ...(event === undefined ? {} : { event }), issues });
}

function readData<Schema extends z.ZodType>(schema: Schema, item: unknown, event: string): z.output<Schema> {
  const result = schema.safeParse(item);
  if (!result.success) throw parseError(`Unreadable ${event} data`, event, result.error);
  return result.data;
}

function readQr(
  item: unknown,
  instance: string,
  event: string,
  dateTime: GatewayDateTime | null,
): WebhookEvent {
  if (typeof item === 'object' && item !== null && !('qrcode' in item)) {
    // Sent once Evolution has shown QRCODE_LIMIT codes: {message:'QR code limit reached…', statusCode:500}.
    readData(qrLimitSchema, item, event);
    return { type: 'qr_limit', instance, dateTime };
  }
  const { qrcode } = readData(qrUpdatedSchema, item, event);
  return {
    type: 'qr',
    instance,
    qr: { code: qrcode.code, base64: qrcode.base64 ?? null, pairingCode: qrcode.pairingCode ?? null },
    dateTime,
  };
}

/** The envelope's date_time, or null when it has none we can read (it never fails an event). */
function gatewayDateTimeOf(raw: string | null | undefined): GatewayDateTime | null {
  if (!raw) return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : (new Date(ms) as GatewayDateTime);
}

function readConnection(
  item: unknown,
  instance: string,
  event: string,
  dateTime: GatewayDateTime | null,
): WebhookEvent {
  const update = readData(connectionUpdateSchema, item, event);
  return {
    type: 'connection',
    instance,
    state: update.state,
    statusReason: update.statusReason ?? null,
    phone: jidToE164(update.wuid),
    profileName: update.profileName ?? null,
    dateTime,
  };
}

function readStatusUpdate(item: unknown, instance: string, event: string, receivedAt: Date): WebhookEvent {
  const update = readData(messageUpdateSchema, item, event);
  const rawStatus = update.status ?? null;
  // 2.3.7 reports edits as SERVER_ACK with the new `message`: that is no delivery news, but an
  // edit (whose time it does not give: the time it arrived stands for it).
  const isEdit = update.message !== undefined && update.message !== null;
  const edited = isEdit ? readEditedContent(update.message) : null;
  if (edited) {
    return {
      type: 'message_edit',
      instance,
      evolutionMessageId: update.keyId,
      text: edited.text,
      caption: edited.caption,
      editedAt: receivedAt,
    };
  }
  return {
    type: 'message_status',
    instance,
    evolutionMessageId: update.keyId,
    remoteJid: update.remoteJid ?? null,
    fromMe: update.fromMe ?? null,
    status: isEdit ? null : mapEvolutionStatus(rawStatus),
    rawStatus,
  };
}

function readDelete(item: unknown, instance: string, event: string, receivedAt: Date): WebhookEvent {
  const key = readData(messageDeleteSchema, item, event);
  return {
    type: 'message_delete',
    instance,
    evolutionMessageId: key.id,
    deletedAt: receivedAt,
  };
}

// Baileys' ProtocolMessage.Type: REVOKE is 0, MESSAGE_EDIT 14.
const REVOKE = new Set<string | number>(['REVOKE', 0]);
const MESSAGE_EDIT = new Set<string | number>(['MESSAGE_EDIT', 14]);

/**
 * MESSAGES_EDITED: an edit (the new content of the message its key names) or a revoke (a deletion
 * for everyone, which 2.3.6 also reports as MESSAGES_DELETE). Every other protocol notice is
 * ignored, as is one without a key.
 */
function readProtocolNotice(item: unknown, instance: string, event: string, receivedAt: Date): WebhookEvent {
  const notice = readData(protocolMessageSchema, item, event);
  const ignored: WebhookEvent = { type: 'ignored', instance, event, notAMessage: 'protocol' };
  if (!notice.key) return ignored;
  const stamped = parseMessageTimestamp(notice.timestampMs);
  const at = stamped ? notAfterReceipt(stamped, receivedAt, 1) : receivedAt;
  const type = notice.type ?? null;
  if (type !== null && REVOKE.has(type)) {
    return {
      type: 'message_delete',
      instance,
      evolutionMessageId: notice.key.id,
      deletedAt: at,
    };
  }
  const isEdit = type === null || MESSAGE_EDIT.has(type);
  const edited = isEdit ? readEditedContent({ editedMessage: notice.editedMessage }) : null;
  if (!edited) return ignored;
  return {
    type: 'message_edit',
    instance,
    evolutionMessageId: notice.key.id,
    text: edited.text,
    caption: edited.caption,
    editedAt: at,
  };
}

function readMessage(
  item: unknown,
  instance: string,
  event: string,
  source: 'upsert' | 'send',
  receivedAt: Date,
): WebhookEvent {
  const stored = readData(storedMessageSchema, item, event);
  // A reaction, a revoke or an empty upsert is nobody's message: no inbox row, no unread. (A
  // SEND_MESSAGE is the echo of a send of ours, read as ever: it confirms that send.)
  const notAMessage = source === 'upsert' ? notAMessageReason(stored.message) : null;
  if (notAMessage !== null) return { type: 'ignored', instance, event, notAMessage };
  const { key } = stored;
  const group = isGroupJid(key.remoteJid);
  const fromMe = key.fromMe ?? source === 'send';
  return {
    type: 'message',
    instance,
    source,
    evolutionMessageId: key.id,
    fromMe,
    phone: jidToE164(group ? pickParticipantPhoneJid(key) : pickPhoneJid(key)),
    chatJid: group ? key.remoteJid : (pickPhoneJid(key) ?? key.remoteJid),
    groupJid: group ? key.remoteJid : null,
    pushName: fromMe ? null : (stored.pushName ?? null),
    ...readMessageContent(stored.message),
    quotedMessageId: readQuotedMessageId(stored.contextInfo, stored.message),
    timestamp: sentAtOf(stored.messageTimestamp, receivedAt),
  };
}

/** WhatsApp's date of a message, never after its receipt (notAfterReceipt); the receipt if none. */
function sentAtOf(messageTimestamp: unknown, receivedAt: Date): Date {
  const stamped = parseMessageTimestamp(messageTimestamp);
  return stamped ? notAfterReceipt(stamped, receivedAt, 1000) : receivedAt;
}
