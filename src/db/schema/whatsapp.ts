// The product's own tables. Every row belongs to one advisor (`advisor_id` = better-auth user id),
// and every repository query filters on it (STYLE.md, tenancy).
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { user } from './auth.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});
const advisorRef = () =>
  text('advisor_id')
    .notNull()
    .references(() => user.id, { onDelete: 'cascade' });

/** One row per advisor: the Evolution instance, its encrypted credentials, settings and flags. */
export const whatsappConfig = pgTable('whatsapp_config', {
  advisorId: text('advisor_id')
    .primaryKey()
    .references(() => user.id, { onDelete: 'cascade' }),
  publicSlug: text('public_slug').notNull().unique(),
  instanceName: text('instance_name').unique(),
  status: text('status').notNull().default('not_configured'),
  instanceTokenEnc: text('instance_token_enc'),
  webhookSecretEnc: text('webhook_secret_enc'),
  /**
   * The webhook subscription last set on the instance (its URL and events, never the secret): the
   * health check sets it again when this release's differs (new events, a new PUBLIC_BASE_URL).
   */
  webhookSubscription: text('webhook_subscription'),
  phoneNumber: text('phone_number'),
  profileName: text('profile_name'),
  qrCode: text('qr_code'),
  qrPairingCode: text('qr_pairing_code'),
  qrExpiresAt: ts('qr_expires_at'),
  /**
   * The number (E.164) the gateway's current socket was asked a pairing code for; null while the
   * QR on show is only for scanning. A connect with another number starts over (see below).
   */
  pairingNumber: text('pairing_number'),
  /**
   * Set when a connect with a number logged out the instance that was showing a plain QR, to ask
   * again with the number (Evolution hands out pairing codes only when it starts a socket). The
   * close 401 and LOGOUT_INSTANCE that logout sends, and the old socket's late QRs, are this
   * switch's echo, not a phone that logged out. Cleared with the QR (linked, disconnected, removed).
   */
  pairingSwitchAt: ts('pairing_switch_at'),
  /**
   * The envelope `date_time` of the gateway's latest `open` (evolution-api.md §4.3): a close or
   * LOGOUT_INSTANCE dated before it was sent before that link, and arrives late as a retry (a
   * pairing switch's logout, a disconnect's), so it says nothing about the number linked now.
   * The gateway's local wall time printed as UTC: compared only with other `date_time` values of
   * the gateway, never with our clock. Null while no `open` webhook has been seen.
   */
  linkDateTime: ts('link_date_time'),
  /**
   * The envelope `date_time` of the close (or LOGOUT_INSTANCE, or QR limit) that disconnected the
   * number since its latest link, the latest when several did: while disconnected, an `open` or QR
   * dated before it was sent before the number was closed, and arrives late (a retry, or applied
   * after the close), so it must not bring back "connected". The link's date alone cannot tell:
   * such an open may be dated after it (a silent reconnect of the link, or its first open whose
   * delivery had failed). Same clock as linkDateTime; cleared when an open links the number.
   */
  closeDateTime: ts('close_date_time'),
  alert: text('alert'),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  features: jsonb('features').$type<Record<string, boolean>>().notNull().default({}),
  connectedAt: ts('connected_at'),
  /**
   * The number whose account-safety warm-up runs, and since when it has been linked here. Unlike
   * connectedAt (this link), it survives reconnections and removal: warm-up is about the number's
   * standing with WhatsApp, and a number that has sent through us for months is not new again
   * after its phone lost the connection. A different number starts its own warm-up.
   */
  warmupPhone: text('warmup_phone'),
  warmupSince: ts('warmup_since'),
  /**
   * The numbers linked here before the current one, each with the start of its warm-up (ISO):
   * a number linked again after another one (a spare phone while its own was in repair) goes on
   * with its own warm-up instead of starting again.
   */
  warmupEarlier: jsonb('warmup_earlier').$type<Record<string, string>>().notNull().default({}),
  lastStatusAt: ts('last_status_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Every message, outbound and inbound. The outbox: a row exists before any job does. */
export const whatsappMessage = pgTable(
  'whatsapp_message',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    advisorId: advisorRef(),
    direction: text('direction').notNull(),
    phone: text('phone'),
    chatJid: text('chat_jid'),
    clientName: text('client_name'),
    type: text('type').notNull().default('text'),
    text: text('text'),
    caption: text('caption'),
    mediaUrl: text('media_url'),
    mediaId: uuid('media_id'),
    mimetype: text('mimetype'),
    fileName: text('file_name'),
    templateId: uuid('template_id'),
    templateKey: text('template_key'),
    /** The language of the template it was rendered from, so usage counts land on the right one. */
    templateLanguage: text('template_language'),
    appointmentId: uuid('appointment_id'),
    /** The appointment's version this message was planned for: a reschedule makes older ones stale. */
    appointmentVersion: integer('appointment_version'),
    purpose: text('purpose').notNull().default('manual'),
    status: text('status').notNull(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    attempts: integer('attempts').notNull().default(0),
    /**
     * Set when the last attempt got no answer (a timeout, a connection dropped mid-request): it may
     * have reached WhatsApp, and until this instant the pipeline waits for its echo. Meanwhile the
     * message is still in flight, so a cancel is refused (an echo cannot record a cancelled row).
     */
    uncertainUntil: ts('uncertain_until'),
    evolutionMessageId: text('evolution_message_id'),
    source: text('source').notNull().default('api'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    readByAdvisor: boolean('read_by_advisor').notNull().default(true),
    scheduledAt: ts('scheduled_at'),
    /**
     * Milliseconds, like a JavaScript Date: it is the pagination cursor, and a cursor that lost the
     * microseconds skipped the rest of a group of rows written by one statement (same now()).
     */
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 })
      .notNull()
      .defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    sentAt: ts('sent_at'),
    deliveredAt: ts('delivered_at'),
    readAt: ts('read_at'),
    failedAt: ts('failed_at'),
    /** Outbound only: when the client first wrote back after it (response-time metrics). */
    repliedAt: ts('replied_at'),
    /** When its author last edited it in WhatsApp (text and caption then hold the edited words). */
    editedAt: ts('edited_at'),
    /** When its author deleted it for everyone in WhatsApp (its text and caption are gone then). */
    deletedAt: ts('deleted_at'),
    /**
     * Still to be sent (queued, scheduled or sending): the sweeper's index names this column
     * instead of `status`. PostgreSQL makes an update HOT (no new index entries) only when no
     * indexed column changes value, and a predicate's columns count; `status` changes on every
     * claim and receipt, this column only when the row leaves the outbox.
     */
    unfinished: boolean('unfinished').generatedAlwaysAs(sql`status in ('queued', 'scheduled', 'sending')`),
  },
  (t) => [
    index('whatsapp_message_advisor_created_idx').on(t.advisorId, t.createdAt.desc(), t.id.desc()),
    index('whatsapp_message_advisor_phone_idx').on(t.advisorId, t.phone, t.createdAt.desc()),
    // A conversation in the order its messages were exchanged (the chat, its last message):
    // the expression must stay the one inbox.repository.ts orders by (EXCHANGED_AT_SQL).
    index('whatsapp_message_phone_exchanged_idx').on(
      t.advisorId,
      t.phone,
      sql`(case when ${t.direction} = 'inbound' then ${t.createdAt} else coalesce(${t.sentAt}, ${t.createdAt}) end) desc`,
      // NULLS FIRST, as a query's `desc` means: drizzle's default (NULLS LAST) would not serve it.
      t.id.desc().nullsFirst(),
    ),
    uniqueIndex('whatsapp_message_idempotency_idx')
      .on(t.advisorId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    uniqueIndex('whatsapp_message_evolution_id_idx')
      .on(t.advisorId, t.evolutionMessageId)
      .where(sql`${t.evolutionMessageId} is not null`),
    // The sweeper's scan: unfinished outbound rows, walked in id order.
    index('whatsapp_message_pending_idx')
      .on(t.id)
      .where(sql`${t.unfinished}`),
    // Most messages have no appointment (manual sends, inbound): partial, so their inserts and
    // non-HOT updates (mark-sent) write no entry here. Every lookup is `appointment_id = …`,
    // which implies the predicate.
    index('whatsapp_message_appointment_idx')
      .on(t.appointmentId)
      .where(sql`${t.appointmentId} is not null`),
    // Media retention asks, per upload, whether a message still needs it: partial for the same
    // reason (most messages are text).
    index('whatsapp_message_media_idx')
      .on(t.mediaId)
      .where(sql`${t.mediaId} is not null`),
  ],
);

/**
 * Uploaded media (Evolution takes raw base64), kept while its message may still be sent (a failed
 * one may be retried) and MEDIA_RETENTION_DAYS after it was last updated (media.repository.ts).
 */
export const whatsappMedia = pgTable('whatsapp_media', {
  id: uuid('id').primaryKey().defaultRandom(),
  advisorId: advisorRef(),
  mimetype: text('mimetype').notNull(),
  fileName: text('file_name'),
  size: integer('size').notNull(),
  data: bytea('data').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** Advisors' own templates and their overrides of the built-ins (built-ins live in code). */
export const whatsappTemplate = pgTable(
  'whatsapp_template',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    advisorId: advisorRef(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    category: text('category').notNull(),
    language: text('language').notNull(),
    body: text('body').notNull(),
    variables: jsonb('variables').$type<string[]>().notNull().default([]),
    customVariables: jsonb('custom_variables').$type<string[]>().notNull().default([]),
    overridesBuiltIn: boolean('overrides_built_in').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('whatsapp_template_advisor_key_lang_idx').on(t.advisorId, t.key, t.language)],
);

/** Who sent what content to whom, and when. Append-only; pruned by retention. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    advisorId: advisorRef(),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    messageId: uuid('message_id'),
    phone: text('phone'),
    content: jsonb('content').$type<Record<string, unknown>>(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_advisor_created_idx').on(t.advisorId, t.createdAt.desc()),
    // An appointment's own entries (its timeline, read each time the appointment is shown), few
    // among the advisor's many: without it every view read all of the advisor's entries and
    // tested each one's JSON. Partial: only appointment.* entries are indexed, so the entry of
    // every sent message costs no write here. The predicate must read exactly as
    // listAppointmentAudit's for PostgreSQL to use the index (test/messages/history-plans).
    index('audit_log_appointment_idx')
      .on(t.advisorId, sql`(${t.content} ->> 'appointmentId')`, t.id)
      .where(sql`${t.action} like 'appointment.%'`),
  ],
);

/** Appointments pushed by the booking module; the source of truth for automated messages. */
export const appointment = pgTable(
  'appointment',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    advisorId: advisorRef(),
    externalId: text('external_id').notNull(),
    clientName: text('client_name').notNull(),
    clientPhone: text('client_phone').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at'),
    timezone: text('timezone').notNull(),
    address: text('address'),
    notes: text('notes'),
    status: text('status').notNull().default('scheduled'),
    clientResponse: text('client_response'),
    clientResponseAt: ts('client_response_at'),
    version: integer('version').notNull().default(1),
    /** The version at which the time (start or zone) last changed: a client's answer to a reminder
     * of an older version answered another time, and does not count (recordClientResponse). */
    timeVersion: integer('time_version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('appointment_advisor_external_idx').on(t.advisorId, t.externalId),
    index('appointment_advisor_starts_idx').on(t.advisorId, t.startsAt),
  ],
);

/** An advisor's clients as seen from WhatsApp: name, consent, unread count. */
export const whatsappClient = pgTable(
  'whatsapp_client',
  {
    advisorId: advisorRef(),
    phone: text('phone').notNull(),
    name: text('name'),
    /** The name came from the advisor or the booking (a send's `clientName`): the client's own
     * WhatsApp name (pushName) no longer replaces it, as a saved contact's name wins on a phone. */
    nameGiven: boolean('name_given').notNull().default(false),
    optedOut: boolean('opted_out').notNull().default(false),
    optedOutAt: ts('opted_out_at'),
    optSource: text('opt_source'),
    lastInboundAt: ts('last_inbound_at'),
    lastOutboundAt: ts('last_outbound_at'),
    unread: integer('unread').notNull().default(0),
    /** When the opt-out state last changed (a keyword's WhatsApp time, or the advisor's edit): an
     * older STOP/START processed late never overrides a newer one. */
    optChangedAt: ts('opt_changed_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.advisorId, t.phone] }),
    // The inbox: an advisor's conversations, most recent activity first.
    index('whatsapp_client_activity_idx').on(
      t.advisorId,
      sql`greatest(${t.lastInboundAt}, ${t.lastOutboundAt}) desc`,
      t.phone.desc(),
    ),
    // The opt-out check of every send (delivery.repository.ts, the claim): a probe of this index
    // of opted-out clients only stays tiny and is the plan whatever the statistics say. Without
    // it, a plan made while the table was small kept scanning the whole table as it grew (seen in
    // the latency bench: a sequential scan of every client per message until the next ANALYZE).
    index('whatsapp_client_opted_out_idx')
      .on(t.advisorId, t.phone)
      .where(sql`${t.optedOut}`),
  ],
);

/** Raw webhook events, stored before the acknowledgement so a crash loses nothing. */
export const webhookEvent = pgTable(
  'webhook_event',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    advisorId: advisorRef(),
    event: text('event').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
    processedAt: ts('processed_at'),
    error: text('error'),
  },
  (t) => [
    index('webhook_event_unprocessed_idx')
      .on(t.id)
      .where(sql`${t.processedAt} is null`),
  ],
);

/** Receipts that arrived before the send recorded Evolution's id: applied when the id lands. */
export const pendingReceipt = pgTable(
  'pending_receipt',
  {
    advisorId: advisorRef(),
    evolutionMessageId: text('evolution_message_id').notNull(),
    status: text('status').notNull(),
    at: ts('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.advisorId, t.evolutionMessageId, t.status] })],
);

/**
 * Evolution ids of attempts a retry gave up: "Reintentar" on a message WhatsApp failed (an ERROR
 * receipt) clears its id, the retry being a new send with an id of its own. The failed attempt's
 * echo or receipts may still come after that (Evolution retries its webhooks; an echo that beat
 * its send's record waits WEBHOOK_ECHO_GRACE_MS before it is stored), and an echo whose id no
 * message holds would be adopted by the retried row: this says whose it was, so it is not.
 */
export const supersededSend = pgTable(
  'superseded_send',
  {
    advisorId: advisorRef(),
    evolutionMessageId: text('evolution_message_id').notNull(),
    /** The message that held it (no foreign key: messages go only with their advisor). */
    messageId: uuid('message_id').notNull(),
    supersededAt: ts('superseded_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.advisorId, t.evolutionMessageId] })],
);

/**
 * Edits and deletions for everyone that arrived before the message they name (Evolution retries
 * each delivery on its own schedule, so a later edit can land first): applied when the message is
 * stored. One row per message and kind; an edit keeps only the newest words.
 */
export const pendingMessageChange = pgTable(
  'pending_message_change',
  {
    advisorId: advisorRef(),
    evolutionMessageId: text('evolution_message_id').notNull(),
    /** `edit` or `delete`. */
    kind: text('kind').notNull(),
    text: text('text'),
    caption: text('caption'),
    /** When the author edited or deleted it (editedAt / deletedAt once applied). */
    at: ts('at').notNull(),
    /** When it was parked: a change whose message never comes is dropped a day later. */
    parkedAt: ts('parked_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.advisorId, t.evolutionMessageId, t.kind] })],
);

/**
 * An advisor whose account name changed since their planned appointment messages were last
 * rendered (`{nombre_asesor}`). better-auth writes the name in a transaction of its own, so the
 * mark is written by a trigger on the name's own UPDATE (migration 0024): it commits with the name
 * or not at all. The auth route renders the plans right after and deletes the mark; a mark left
 * behind (that render failed, the process died) is rendered by the outbox sweeper
 * (rename-plans.ts).
 */
export const advisorNameChange = pgTable('advisor_name_change', {
  advisorId: advisorRef().primaryKey(),
  changedAt: ts('changed_at').notNull().defaultNow(),
});

/** Connection history, for analytics and the dashboard's timeline. */
export const connectionEvent = pgTable(
  'connection_event',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    advisorId: advisorRef(),
    status: text('status').notNull(),
    reason: text('reason'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('connection_event_advisor_at_idx').on(t.advisorId, t.at)],
);

/** Public profile button click-throughs, one row per click. */
export const ctaClick = pgTable(
  'cta_click',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    advisorId: advisorRef(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('cta_click_advisor_at_idx').on(t.advisorId, t.at)],
);
