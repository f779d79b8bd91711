// The shapes of /api answers, written from shared/API.md. Fields the server may add later are
// optional here so the dashboard keeps working before and after they land.

export type ConnectionStatus = 'not_configured' | 'qr_pending' | 'connecting' | 'connected' | 'disconnected';

export interface QrCode {
  image: string;
  pairingCode: string | null;
  expiresAt: string;
}

export interface WhatsappSettings {
  defaultCountry: string;
  timezone: string;
  locale: string;
  rateLimit: { max: number; durationMs: number };
  quietHours: { start: string; end: string } | null;
  reminderOffsetMinutes: number;
  followUpDelayMinutes: number;
  ctaMessage: string;
  ctaEnabled?: boolean;
  /** A reminder whose time already passed when the appointment was booked: skip it or send now. */
  lateReminder?: 'skip' | 'send_now';
  /** Tell the client when the appointment moves. */
  rescheduleNotice?: boolean;
}

export interface WhatsappFeatures {
  sending: boolean;
  reminders: boolean;
  inbox: boolean;
  publicCta: boolean;
}

export interface WhatsappConfig {
  status: ConnectionStatus;
  instanceName: string | null;
  publicSlug: string | null;
  phoneNumber: string | null;
  profileName?: string | null;
  connectedAt: string | null;
  lastStatusAt: string | null;
  sandbox: boolean;
  alert?: string | null;
  qr?: QrCode | null;
  settings: WhatsappSettings;
  features: WhatsappFeatures;
  /** Whether visitors of the public profile see the WhatsApp button, and why not (the server's rule). */
  publicButton: {
    visible: boolean;
    hiddenReason: 'no_number' | 'feature_disabled' | 'cta_disabled' | null;
  };
  /** MEDIA_MAX_BYTES: the largest file POST /send takes. */
  limits: { mediaMaxBytes: number };
}

export interface ConnectResult {
  status: ConnectionStatus;
  qr?: QrCode;
}

export type MessageStatus =
  | 'scheduled'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'received'
  | 'skipped'
  | 'cancelled';
/**
 * A client's message as the live `inbound` event carries it: with `clientOptedOut` when the
 * message changed the client's consent (STOP, START…), as the server decided it. The `message`
 * event of a client's edit into STOP carries it too (`clientOptedOut: true`).
 */
export type InboundEvent = Message & { clientOptedOut?: boolean };

/** A conversation marked read (by this tab, another one or another device of the advisor). */
export interface ConversationReadEvent {
  phone: string;
  unread: number;
}

export type MessageDirection = 'outbound' | 'inbound';
export type MessageType = 'text' | 'image' | 'document' | 'audio' | 'video';

export interface Message {
  id: string;
  direction: MessageDirection;
  phone: string | null;
  clientName: string | null;
  type: MessageType | string;
  text: string | null;
  caption: string | null;
  mediaUrl: string | null;
  mimetype: string | null;
  templateKey: string | null;
  appointmentId: string | null;
  status: MessageStatus;
  error: { code: string; message: string } | null;
  attempts: number;
  evolutionMessageId: string | null;
  source: 'api' | 'dashboard' | 'automation' | 'phone' | string;
  createdAt: string;
  scheduledAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  failedAt: string | null;
  /** Outbound: when the client's reply to this message arrived (that reply's createdAt). */
  repliedAt?: string | null;
  /** When its author edited it in WhatsApp: text and caption are the edited words. */
  editedAt?: string | null;
  /** When its author deleted it for everyone in WhatsApp: its words are gone. */
  deletedAt?: string | null;
  /** Why the message exists: manual, or the appointment automation's confirmation, reminder… */
  purpose?: string;
  fileName?: string | null;
  /** Appointment messages: why the automation skipped it, when the server says so in words. */
  skippedReason?: string | null;
  kind?: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type TemplateCategory = 'confirmation' | 'reminder' | 'follow_up' | 'custom';

export interface Template {
  id: string;
  key: string;
  name: string;
  category: TemplateCategory;
  language: string;
  body: string;
  variables: string[];
  builtIn: boolean;
  usageCount: number;
  customVariables?: string[];
  /** The advisor's own version of a built-in key. */
  overridesBuiltIn?: boolean;
  /** Built-in variables the automation cannot fill when it sends this template (the server's rule). */
  unfillableVariables: string[];
}

/** The editor's fields; POST also sends `key`, PUT never sends `key` or `language`. */
export interface TemplateInput {
  name: string;
  category: TemplateCategory;
  language: string;
  body: string;
}

export interface TemplatePreview {
  text: string;
  missing: string[];
  unknown: string[];
}

/** GET /api/whatsapp/conversations/unread: the Inbox badge. */
export interface UnreadTotals {
  unread: number;
  conversations: number;
}

export interface Conversation {
  phone: string;
  clientName: string | null;
  lastMessage: Message | null;
  unread: number;
  optedOut: boolean;
}

export interface Appointment {
  id?: string;
  externalId: string;
  clientName: string;
  clientPhone: string;
  startsAt: string;
  endsAt: string | null;
  timezone?: string | null;
  address?: string | null;
  notes?: string | null;
  status?: string;
  /** The client's answer to a reminder: `confirmed` or `cancel_requested` (it does not cancel). */
  clientResponse?: string | null;
  messages?: Message[];
}

export interface MetricsRange {
  median: number | null;
  p90: number | null;
}

export interface Metrics {
  connectionRate?: number | null;
  deliveryRate: number | null;
  readRate: number | null;
  /** customized: how many advisors in scope use their own version (0 or 1 for one advisor). */
  templateUsage: { key: string; count: number; customized: number }[];
  /** Seconds (docs/API-EXTENSIONS.md, Metrics). */
  responseTime: {
    sentToDelivered?: MetricsRange;
    deliveredToRead?: MetricsRange;
    outboundToReply?: MetricsRange;
  };
  messagesPerDay?: {
    day: string;
    sent: number;
    delivered: number;
    read: number;
    failed: number;
    inbound: number;
  }[];
  connectionHistory?: { status: ConnectionStatus; at: string }[];
  /** The last change before the range (its state at `since`); null when none was recorded. */
  connectionAtStart?: { status: ConnectionStatus; at: string } | null;
  /** Visits to the public button's counting redirect in the period. */
  ctaClicks: number;
}

export interface ApiKey {
  id: string;
  name: string | null;
  start: string | null;
  createdAt: string;
  expiresAt: string | null;
  enabled: boolean;
}

export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role?: string | null;
}

export interface Session {
  user: SessionUser;
  session: { id: string; expiresAt: string };
}

export interface PublicCta {
  /** The wa.me link itself; visitors go through clickUrl, which counts the click and redirects here. */
  url: string;
  phone: string;
  message: string;
  name?: string | null;
  /** The counting redirect (`/go`), absolute, for links on other sites. */
  clickUrl: string;
  /** The advisor's language (from settings.locale), which embed.js labels its button in. */
  language: 'es' | 'en' | 'pt';
}

/** The payload of the SSE `status` event. */
export interface StatusEvent {
  status: ConnectionStatus;
  qr?: QrCode | null;
  phoneNumber?: string | null;
  profileName?: string | null;
  alert?: string | null;
}

export interface FieldError {
  field: string;
  message: string;
}
