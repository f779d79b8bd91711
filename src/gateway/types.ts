/**
 * Our own shapes for what Evolution tells us. Everything the rest of the app reads from the
 * gateway is one of these: Evolution's wire shapes stay inside src/gateway.
 * Phone numbers are E.164 (`+5511987654321`); JIDs are kept verbatim where they are ids.
 */

/** Which instance a call is about, and the per-instance token that authorises it. */
export interface InstanceRef {
  instanceName: string;
  token: string;
}

/** Live Baileys state as `connectionState` reports it (`refused` only ever comes by webhook). */
export type ConnectionState = 'open' | 'connecting' | 'close';

export interface QrCode {
  /** The raw QR payload, to render ourselves. */
  code: string;
  /** Evolution's rendering as a PNG data URI, when it sent one. */
  base64: string | null;
  /** 8-character pairing code when a phone number was given to connect, else null. */
  pairingCode: string | null;
}

/** `qr` is null until Baileys produced the first code (Evolution answers `{count:0}`): poll. */
export type ConnectResult =
  { state: 'open' } | { state: 'connecting'; qr: (QrCode & { count: number }) | null };

export interface CreatedInstance {
  instanceName: string;
  instanceId: string;
  /** The instance token Evolution stored (the one we sent, or one it generated). */
  token: string;
  /** Baileys state right after creation, usually `close` since we never ask for a QR here. */
  state: string;
}

export interface InstanceInfo {
  instanceName: string;
  instanceId: string;
  /** The state stored in Evolution's database, which can lag the live one. */
  connectionStatus: ConnectionState;
  /** The linked account's number, once a phone has scanned. */
  ownerPhone: string | null;
  profileName: string | null;
  /** Evolution always returns the instance token here; lets us adopt an instance we lost. */
  token: string | null;
}

export type LogoutResult = 'logged_out' | 'already_logged_out';
export type DeleteResult = 'deleted' | 'already_deleted';

/** Evolution's per-instance webhook events (UPPER_SNAKE, as `webhook/set` requires). */
export const WEBHOOK_EVENT_NAMES = [
  'APPLICATION_STARTUP',
  'QRCODE_UPDATED',
  'MESSAGES_SET',
  'MESSAGES_UPSERT',
  'MESSAGES_EDITED',
  'MESSAGES_UPDATE',
  'MESSAGES_DELETE',
  'SEND_MESSAGE',
  'SEND_MESSAGE_UPDATE',
  'CONTACTS_SET',
  'CONTACTS_UPSERT',
  'CONTACTS_UPDATE',
  'PRESENCE_UPDATE',
  'CHATS_SET',
  'CHATS_UPSERT',
  'CHATS_UPDATE',
  'CHATS_DELETE',
  'GROUPS_UPSERT',
  'GROUP_UPDATE',
  'GROUP_PARTICIPANTS_UPDATE',
  'CONNECTION_UPDATE',
  'LABELS_EDIT',
  'LABELS_ASSOCIATION',
  'CALL',
  'TYPEBOT_START',
  'TYPEBOT_CHANGE_STATUS',
  'REMOVE_INSTANCE',
  'LOGOUT_INSTANCE',
  'INSTANCE_CREATE',
  'INSTANCE_DELETE',
  'STATUS_INSTANCE',
] as const;

export type WebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];

/** What we subscribe every advisor's instance to (evolution-api.md, "Our decisions"). */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventName[] = [
  'QRCODE_UPDATED',
  'CONNECTION_UPDATE',
  'MESSAGES_UPSERT',
  'MESSAGES_UPDATE',
  'MESSAGES_EDITED',
  'MESSAGES_DELETE',
  'SEND_MESSAGE',
  'LOGOUT_INSTANCE',
];

export interface WebhookSettings {
  url: string;
  /** Must not be empty: Evolution reads `[]` as "every event". */
  events: readonly WebhookEventName[];
  /** Sent as HTTP headers with every delivery; `jwt_key` becomes a signed Bearer token. */
  headers?: Record<string, string>;
  byEvents?: boolean;
  base64?: boolean;
}

export interface WebhookConfig {
  url: string;
  enabled: boolean;
  /** Verbatim: a stored list may hold names this version does not know. */
  events: string[];
  headers: Record<string, string>;
  byEvents: boolean;
  base64: boolean;
}

/** Our message status vocabulary (API.md), as far as Evolution can tell it. */
export type MessageStatus = 'failed' | 'sending' | 'sent' | 'delivered' | 'read';

export interface SendResult {
  /** `key.id`: what MESSAGES_UPDATE's `keyId` will refer to. */
  evolutionMessageId: string;
  /** The JID WhatsApp confirmed, which can differ from the number we sent (BR 9th digit). */
  remoteJid: string;
  phone: string | null;
  status: MessageStatus;
  /** Evolution's own word (`PENDING` at send time). */
  rawStatus: string;
  timestamp: Date;
}

export type MediaType = 'image' | 'document' | 'video' | 'audio';

export interface NumberCheck {
  /** The number as asked, E.164. */
  number: string;
  exists: boolean;
  jid: string;
  /** The canonical number WhatsApp knows (may differ from `number` for BR/MX/AR); null if absent. */
  phone: string | null;
  name: string | null;
}

export interface StatusRecord {
  evolutionMessageId: string;
  remoteJid: string | null;
  fromMe: boolean | null;
  participant: string | null;
  status: MessageStatus | null;
  rawStatus: string;
}
