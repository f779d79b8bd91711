import type {
  ConnectResult,
  ConnectionState,
  CreatedInstance,
  DeleteResult,
  InstanceInfo,
  InstanceRef,
  LogoutResult,
  MediaType,
  NumberCheck,
  SendResult,
  StatusRecord,
  WebhookConfig,
  WebhookSettings,
} from './types.js';

/**
 * What the rest of the app may ask of WhatsApp. Implemented over HTTP by EvolutionClient; every
 * failure is a GatewayError whose `kind` says whether to stop, wait for a reconnection, or retry.
 * Phone numbers in and out are E.164.
 */
export interface WhatsAppGateway {
  /** Uses the global key. `token` becomes the instance's own key for every later call. */
  createInstance(input: CreateInstanceInput): Promise<CreatedInstance>;
  /** Starts (or reports) the session; poll while it answers `connecting` with a null QR. */
  connect(ref: InstanceRef, options?: ConnectOptions): Promise<ConnectResult>;
  connectionState(ref: InstanceRef): Promise<ConnectionState>;
  /** Uses the global key; null when Evolution has no instance by that name. */
  fetchInstance(instanceName: string): Promise<InstanceInfo | null>;
  /** Unlinks the phone; the instance stays and can show a new QR. */
  logout(ref: InstanceRef): Promise<LogoutResult>;
  deleteInstance(ref: InstanceRef): Promise<DeleteResult>;
  /** Fire-and-forget reconnect; watch CONNECTION_UPDATE for the outcome. */
  restart(ref: InstanceRef): Promise<ConnectResult>;
  setWebhook(ref: InstanceRef, settings: WebhookSettings): Promise<WebhookConfig>;
  findWebhook(ref: InstanceRef): Promise<WebhookConfig | null>;
  sendText(ref: InstanceRef, input: SendTextInput): Promise<SendResult>;
  sendMedia(ref: InstanceRef, input: SendMediaInput): Promise<SendResult>;
  /** A voice note (push-to-talk), converted to OGG/Opus by Evolution. */
  sendWhatsAppAudio(ref: InstanceRef, input: SendAudioInput): Promise<SendResult>;
  whatsappNumbers(ref: InstanceRef, numbers: readonly string[]): Promise<NumberCheck[]>;
  /** Every status change Evolution recorded for one message, oldest first as stored. */
  findStatusMessage(ref: InstanceRef, query: StatusQuery): Promise<StatusRecord[]>;
  close(): Promise<void>;
}

export interface CreateInstanceInput {
  instanceName: string;
  token: string;
  /** E.164; only matters for pairing codes. */
  number?: string;
}

export interface ConnectOptions {
  /** E.164; asks for an 8-character pairing code as well as the QR. */
  number?: string;
}

export interface SendTextInput {
  number: string;
  text: string;
  /** Milliseconds of "typing…" before the message goes; the call blocks that long. */
  delay?: number;
  linkPreview?: boolean;
}

export interface SendMediaInput {
  number: string;
  mediatype: MediaType;
  /** An http(s) URL, raw base64, or a base64 data URI (its prefix is stripped). */
  media: string;
  mimetype?: string;
  caption?: string;
  /** Required by Evolution for base64 documents; a document given none is called "document.<ext>". */
  fileName?: string;
  delay?: number;
}

export interface SendAudioInput {
  number: string;
  /** An http(s) URL, raw base64, or a base64 data URI. */
  audio: string;
  delay?: number;
}

export interface StatusQuery {
  /** The chat JID as the send result returned it. */
  remoteJid: string;
  /** The message's `evolutionMessageId`. */
  id: string;
}
