import type { MessageStatus, QrCode } from './types.js';

/**
 * What Evolution's webhooks mean, in our words. One webhook body yields zero or more of these
 * (`data` can be an array). Every event names the instance it came from, which identifies the
 * advisor once the request's signature checked out.
 */
export type WebhookEvent =
  | QrEvent
  | QrLimitEvent
  | ConnectionEvent
  | MessageStatusEvent
  | MessageEvent
  | MessageEditEvent
  | MessageDeleteEvent
  | LogoutEvent
  | IgnoredEvent;

export interface QrEvent {
  type: 'qr';
  instance: string;
  qr: QrCode;
  /** The envelope's `date_time` (see ConnectionEvent), or null when it has none we can read. */
  dateTime?: GatewayDateTime | null;
}

/** Evolution gave up after QRCODE_LIMIT codes nobody scanned; a new connect starts over. */
export interface QrLimitEvent {
  type: 'qr_limit';
  instance: string;
  /** The envelope's `date_time` (see ConnectionEvent); absent when a state poll found the gateway gave up. */
  dateTime?: GatewayDateTime | null;
}

export interface ConnectionEvent {
  type: 'connection';
  instance: string;
  /** `close` only for terminal codes (401 logged out, 403, 402, 406); `refused` at the QR limit. */
  state: 'open' | 'connecting' | 'close' | 'refused';
  /** Baileys' disconnect code (200 when none). */
  statusReason: number | null;
  /** The linked account's number, sent with `open`. */
  phone: string | null;
  profileName: string | null;
  /** When the gateway sent it (GatewayDateTime); absent from state polls. */
  dateTime?: GatewayDateTime | null;
}

/**
 * The envelope's `date_time` (evolution-api.md §4.3): the gateway's local wall time printed as if
 * it were UTC, so it orders one gateway's events (a retry keeps its first attempt's) but is hours
 * off our clock. Compare it only with another GatewayDateTime.
 */
export type GatewayDateTime = Date & { readonly __gatewayClock: true };

export interface MessageStatusEvent {
  type: 'message_status';
  instance: string;
  /** Matches SendResult.evolutionMessageId. Correlate on this, not on remoteJid (may be @lid). */
  evolutionMessageId: string;
  remoteJid: string | null;
  fromMe: boolean | null;
  /** null when the update says nothing about delivery (an unknown word). */
  status: MessageStatus | null;
  rawStatus: string | null;
}

export type MessageKind = 'text' | 'image' | 'document' | 'audio' | 'video' | 'sticker' | 'other';

export interface MessageEvent {
  type: 'message';
  instance: string;
  /** `upsert`: received, or sent from the phone itself; `send`: sent through the API. */
  source: 'upsert' | 'send';
  evolutionMessageId: string;
  fromMe: boolean;
  /** The client's number: the other party of a 1:1 chat, the author in a group; null if hidden (@lid only). */
  phone: string | null;
  /** The chat's JID, the phone JID when one is known. */
  chatJid: string;
  groupJid: string | null;
  /** The client's WhatsApp display name; null on our own messages (Evolution puts "Você" there). */
  pushName: string | null;
  kind: MessageKind;
  text: string | null;
  caption: string | null;
  mimetype: string | null;
  fileName: string | null;
  /** The Evolution id of the message this one replies to (WhatsApp's quote), if it quotes one. */
  quotedMessageId: string | null;
  /** WhatsApp's send time (`messageTimestamp`, to the second), never after the webhook's receipt. */
  timestamp: Date;
}

/**
 * Its author edited a message in WhatsApp (the client, or the advisor on the phone): the new words.
 * 2.3.6 sends it as MESSAGES_EDITED (the raw protocolMessage), 2.3.7 as a MESSAGES_UPDATE that
 * carries a `message`.
 */
export interface MessageEditEvent {
  type: 'message_edit';
  instance: string;
  /**
   * The edited message's id (the original's, not the edit notice's). The notice's key is written
   * from its author's side (a client's edit says fromMe), so only the id is read.
   */
  evolutionMessageId: string;
  /** The new text of a text message, or the new caption of a media message. */
  text: string | null;
  caption: string | null;
  /**
   * When the author edited it (WhatsApp's time when the event has one and it is not after the
   * event's receipt, else when it arrived).
   */
  editedAt: Date;
}

/** Its author deleted a message for everyone (MESSAGES_DELETE, or a revoke in MESSAGES_EDITED). */
export interface MessageDeleteEvent {
  type: 'message_delete';
  instance: string;
  evolutionMessageId: string;
  deletedAt: Date;
}

export interface LogoutEvent {
  type: 'logout';
  instance: string;
  /** When the gateway sent it (GatewayDateTime). */
  dateTime?: GatewayDateTime | null;
}

/** An event we do not act on; acknowledged so Evolution does not retry it. */
export interface IgnoredEvent {
  type: 'ignored';
  instance: string | null;
  event: string;
  /** Why a MESSAGES_UPSERT holds no message (see NotAMessage). */
  notAMessage?: NotAMessage;
}

/**
 * What a message event may carry that is no message of anyone's: a reaction to a message (or its
 * removal), a protocol notice (a revoke, an edit, a key share), or nothing at all (also an album's
 * own message: its photos and videos come as messages of their own).
 */
export type NotAMessage = 'reaction' | 'protocol' | 'empty';

export interface ParsedWebhook {
  /** The event in UPPER_SNAKE form, whichever spelling arrived. */
  event: string;
  instance: string | null;
  events: WebhookEvent[];
}
