// What the emulator keeps per instance: the gateway's row, its in-memory Baileys state, and what the "phone"
// did. Everything lives in memory; nothing survives a restart, like the real gateway's retry queue.
import { CappedList, CappedMap } from './capped-list.js';
import { uuid } from './ids.js';

export type ConnectionState = 'close' | 'connecting' | 'open';

export interface InstanceSettings {
  rejectCall: boolean;
  msgCall: string;
  groupsIgnore: boolean;
  alwaysOnline: boolean;
  readMessages: boolean;
  readStatus: boolean;
  syncFullHistory: boolean;
  wavoipToken: string;
}

/** The stored Prisma `Webhook` row, exactly what /webhook/set and /webhook/find return. */
export interface WebhookRow {
  id: string;
  url: string;
  headers: Record<string, unknown> | null;
  enabled: boolean;
  events: string[];
  webhookByEvents: boolean;
  webhookBase64: boolean;
  createdAt: string;
  updatedAt: string;
  instanceId: string;
}

export interface QrState {
  count: number;
  code?: string;
  base64?: string;
  pairingCode?: string | null;
}

/** One MESSAGES_UPDATE row as findStatusMessage returns it. */
export interface StatusRow {
  id: string;
  keyId: string;
  remoteJid: string;
  fromMe: boolean;
  participant: string | null;
  pollUpdates: null;
  status: string;
  messageId: string;
  instanceId: string;
}

export interface MessageKey {
  remoteJid: string;
  fromMe: boolean;
  id: string;
  participant?: string;
  remoteJidAlt?: string;
  participantAlt?: string;
  addressingMode?: 'pn' | 'lid';
}

/** A message as the gateway serialises it (send response, SEND_MESSAGE and MESSAGES_UPSERT data). */
export interface WireMessage {
  key: MessageKey;
  pushName: string;
  status: string;
  message: Record<string, unknown>;
  contextInfo?: Record<string, unknown>;
  messageType: string;
  messageTimestamp: number;
  instanceId: string;
  source: string;
}

export interface StoredMessage {
  rowId: string;
  wire: WireMessage;
  media?: { base64?: string; mimetype?: string; fileName?: string; caption?: string };
  /** Deleted for everyone by its author: it can be neither edited nor deleted again. */
  revoked?: boolean;
}

export interface SentRecord {
  id: string;
  number: string;
  remoteJid: string;
  type: 'text' | 'image' | 'document' | 'audio' | 'video';
  text?: string;
  caption?: string;
  fileName?: string;
  mimetype?: string;
  ptt?: boolean;
  at: string;
}

export interface WebhookAttempt {
  /** Numbered when handed to delivery: their order is the order events left the dispatcher. */
  deliveryId: number;
  event: string;
  /** The message the event is about, when it is about one. */
  messageId: string | null;
  url: string;
  attempt: number;
  /** `held`: kept back by the control API (webhooks/hold); its retry leaves on webhooks/release. */
  outcome: 'delivered' | 'retrying' | 'failed' | 'rejected' | 'dropped' | 'skipped' | 'held';
  status: number | null;
  error: string | null;
  durationMs: number;
  at: string;
  duplicate: boolean;
}

export interface Instance {
  readonly name: string;
  readonly id: string;
  readonly token: string;
  readonly integration: string;
  readonly createdAt: string;
  updatedAt: string;
  settings: InstanceSettings;
  webhook: WebhookRow | null;
  /** Set of UPPER_SNAKE events of `webhook`, for a cheap per-event check. */
  webhookEvents: ReadonlySet<string>;
  /** The `base64` flag is read when the socket connects, not on every event (reference §3.8, issue #1555). */
  base64AtConnect: boolean;
  state: ConnectionState;
  /** A Baileys socket object exists once connect ran; before that, sends fail with TypeErrors. */
  hasSocket: boolean;
  qr: QrState;
  qrTimer: NodeJS.Timeout | undefined;
  /** Bumped on every connect/close so a late QR render or reconnect timer knows it is stale. */
  session: number;
  pairingNumber: string | null;
  wuid: string | null;
  profileName: string | null;
  profilePictureUrl: string | null;
  disconnection: { code: number; object: string; at: string } | null;
  messages: CappedMap<string, StoredMessage>;
  statusRows: CappedList<StatusRow>;
  sent: CappedList<SentRecord>;
  webhookLog: CappedList<WebhookAttempt>;
  /**
   * UPPER_SNAKE events whose deliveries the control API holds back, as if the receiver had failed
   * them, and the retries of those held so far (sent on release with their original body).
   */
  heldEvents: ReadonlySet<string>;
  heldDeliveries: (() => void)[];
  /** Receipts that fell due while the phone was offline; delivered on the next `open`. */
  pendingReceipts: (() => void)[];
  contacts: Set<string>;
  /** Deleted, but its rows are still being removed: the name stays taken until then (§3.6). */
  removing: boolean;
}

export function defaultSettings(): InstanceSettings {
  return {
    rejectCall: false,
    msgCall: '',
    groupsIgnore: false,
    alwaysOnline: false,
    readMessages: false,
    readStatus: false,
    syncFullHistory: false,
    wavoipToken: '',
  };
}

export function newInstance(init: {
  name: string;
  token: string;
  integration: string;
  settings: InstanceSettings;
  number: string | null;
}): Instance {
  const now = new Date().toISOString();
  return {
    name: init.name,
    id: uuid(),
    token: init.token,
    integration: init.integration,
    createdAt: now,
    updatedAt: now,
    settings: init.settings,
    webhook: null,
    webhookEvents: new Set(),
    base64AtConnect: false,
    state: 'close',
    hasSocket: false,
    qr: { count: 0 },
    qrTimer: undefined,
    session: 0,
    pairingNumber: init.number,
    wuid: null,
    profileName: null,
    profilePictureUrl: null,
    disconnection: null,
    messages: new CappedMap(20_000),
    statusRows: new CappedList(20_000),
    sent: new CappedList(20_000),
    webhookLog: new CappedList(2_000),
    heldEvents: new Set(),
    heldDeliveries: [],
    pendingReceipts: [],
    contacts: new Set(),
    removing: false,
  };
}
