// Helpers for tests that need a linked WhatsApp number: an advisor connected through the real
// flow (connect, the emulator's phone scans, the "open" webhook arrives), their webhook secret,
// what their phone sent, and hand-made webhook requests (signed like Evolution signs them, or
// forged).
import { createHmac } from 'node:crypto';
import { and, count, eq, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../../src/db/client.js';
import { findConfig, listConnectionEvents } from '../../src/db/repositories/whatsapp-config.repository.js';
import { webhookEvent, whatsappClient, whatsappMessage } from '../../src/db/schema/index.js';
import { insertWebhookEvents } from '../../src/db/repositories/webhook-event.repository.js';
import { webhookSecretOf } from '../../src/domain/instances/instance-credentials.js';
import { processWebhookBatch } from '../../src/domain/webhooks/process-webhook-batch.js';
import { HttpClient, signUpAdvisor } from './http.js';
import type { TestService } from './service.js';
import { waitFor } from './wait.js';

export interface ConnectedAdvisor {
  client: HttpClient;
  userId: string;
  instanceName: string;
  /** The linked number, E.164. */
  phone: string;
  secret: string;
  /** The emulator's control API, to act as the phone (drop, rescan, faults). */
  emulator: HttpClient;
}

export interface ConnectOptions {
  /** The number the phone links; by default one no other advisor of this run has. */
  phone?: string;
  /**
   * Ask the gateway for the state (`?refresh=true`) instead of waiting for the "open" webhook: for
   * a service that processes no webhooks (an API-only process), or whose QR rotates so fast that
   * a late QR event can land after the "open" one and leave the status at qr_pending.
   */
  pollState?: boolean;
}

let phoneCounter = 0;

export async function connectedAdvisor(
  service: Pick<TestService, 'url' | 'emulatorUrl' | 'runtime'>,
  name = 'Ana López',
  options: ConnectOptions = {},
): Promise<ConnectedAdvisor> {
  const { client, userId } = await signUpAdvisor(service.url, name);
  const connect = await client.post('/api/whatsapp/connect');
  if (connect.status !== 200)
    throw new Error(`connect failed: ${connect.status} ${JSON.stringify(connect.body)}`);
  const { instanceName } = (await client.get('/api/whatsapp/config')).body as { instanceName: string };
  const phone =
    options.phone ??
    `+3461${String(1_000_000 + ((Date.now() + phoneCounter++) % 8_999_999)).padStart(7, '0')}`;
  const emulator = new HttpClient(service.emulatorUrl);
  await emulator.post(`/_emulator/instances/${instanceName}/scan`, { phone });
  await waitFor(
    () => client.get(options.pollState ? '/api/whatsapp/config?refresh=true' : '/api/whatsapp/config'),
    (r) => r.body.status === 'connected',
    { what: `${instanceName} connected` },
  );
  const row = await findConfig(service.runtime.ctx.db, userId);
  const secret = webhookSecretOf(service.runtime.box, row!)!;
  return { client, userId, instanceName, phone, secret, emulator };
}

/** What the emulated phone sent for this instance, in order. */
export async function sentByPhone(advisor: ConnectedAdvisor): Promise<any[]> {
  const res = await advisor.emulator.get(`/_emulator/instances/${advisor.instanceName}/sent`);
  return Array.isArray(res.body) ? res.body : (res.body.items ?? res.body.sent ?? []);
}

/**
 * Sends through POST /api/whatsapp/send to `to`, waits until the message is final, and answers it
 * with what the phone recorded for it: what the client's WhatsApp got.
 */
export async function sendAndRead(advisor: ConnectedAdvisor, to: string, body: Record<string, unknown>) {
  const res = await advisor.client.post('/api/whatsapp/send', { to, ...body });
  if (res.status !== 202) throw new Error(`send answered ${res.status}: ${JSON.stringify(res.body)}`);
  const id = res.body.message.id as string;
  const done = await waitFor(
    () => advisor.client.get(`/api/whatsapp/messages/${id}`),
    (r) => ['sent', 'delivered', 'read', 'failed'].includes(r.body.status),
    { what: 'the message sent' },
  );
  if (done.body.error !== null) throw new Error(`the message failed: ${JSON.stringify(done.body.error)}`);
  const onPhone = (await sentByPhone(advisor)).find((m) => m.id === done.body.evolutionMessageId);
  return { message: done.body, onPhone };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256 token as Evolution makes it from `jwt_key`, built here independently. */
export function webhookJwt(secret: string, claims: Record<string, unknown> = {}): string {
  const iat = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat, exp: iat + 600, app: 'evolution', action: 'webhook', ...claims })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export function hubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function envelope(instance: string, event: string, data: unknown): Record<string, unknown> {
  return {
    event,
    instance,
    data,
    destination: 'http://127.0.0.1/api/whatsapp/webhook',
    date_time: new Date().toISOString(),
    server_url: 'http://127.0.0.1',
    apikey: null,
  };
}

/** A client's text message as MESSAGES_UPSERT carries it (evolution-api.md §4.4). */
export function upsertData(from: string, text: string, id: string, extra: Record<string, unknown> = {}) {
  return {
    key: { remoteJid: `${from.replace('+', '')}@s.whatsapp.net`, fromMe: false, id },
    pushName: 'Cliente',
    status: 'DELIVERY_ACK',
    message: { conversation: text },
    messageType: 'conversation',
    messageTimestamp: Math.floor(Date.now() / 1000),
    ...extra,
  };
}

export interface EditNoticeOptions {
  /** When the author edited it (`timestampMs`); now by default. */
  atMs?: number;
  /**
   * The key as written; by default the author's side of a client's edit (fromMe, addressed to the
   * advisor's number). The service reads only `key.id`, so a test of whose message an id reaches
   * can write it as the stored message has it.
   */
  key?: { remoteJid: string; fromMe: boolean };
}

/**
 * A message's author editing it, as 2.3.6's MESSAGES_EDITED carries it: data = the raw
 * protocolMessage, the enum by name, `timestampMs` a string (evolution-api.md §4.4,
 * docs/evolution-api.md "Edits and deletions"). Wrap it with `envelope(…, 'messages.edited', …)`
 * to post or store it, or hand it to the emulator's `/emit` as its gateway would send it.
 */
export function editNotice(
  advisor: Pick<ConnectedAdvisor, 'phone'>,
  evolutionMessageId: string,
  newText: string,
  { atMs = Date.now(), key }: EditNoticeOptions = {},
) {
  return {
    key: {
      ...(key ?? { remoteJid: `${advisor.phone.slice(1)}@s.whatsapp.net`, fromMe: true }),
      id: evolutionMessageId,
    },
    type: 'MESSAGE_EDIT',
    editedMessage: { conversation: newText },
    timestampMs: String(atMs),
  };
}

/** Evolution's SEND_MESSAGE echo of a text we sent, in its envelope (evolution-api.md §4.4, fromMe). */
export function sendEchoEnvelope(instance: string, phone: string, text: string, id: string) {
  return envelope(
    instance,
    'send.message',
    upsertData(phone, text, id, {
      key: { remoteJid: `${phone.replace('+', '')}@s.whatsapp.net`, fromMe: true, id },
      pushName: null,
      status: 'PENDING',
    }),
  );
}

/** POSTs a raw body to the webhook route. */
export async function postWebhook(
  service: TestService,
  body: string,
  headers: Record<string, string>,
  path = '/api/whatsapp/webhook',
): Promise<{ status: number; body: any }> {
  const res = await fetch(service.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}

/**
 * Stores webhook envelopes as the receiver does (the event's name as it parses it, one arrival
 * time for all) and applies them as one batch job, as after an outage of ours Evolution's retries
 * bring them together. No retry is enqueued: what fails shows in the outcome.
 */
export async function appliedAsOneBatch(
  service: Pick<TestService, 'database' | 'runtime'>,
  advisor: Pick<ConnectedAdvisor, 'userId'>,
  envelopes: readonly Record<string, unknown>[],
) {
  const receivedAt = new Date();
  const ids = await insertWebhookEvents(
    service.database.db,
    envelopes.map((payload) => ({
      advisorId: advisor.userId,
      event: String(payload.event).replace(/[.-]/g, '_').toUpperCase(),
      payload,
      receivedAt,
    })),
  );
  return processWebhookBatch(service.runtime.ctx, ids, { enqueue: async () => undefined });
}

/** Row counts that any accepted event would change. */
export async function footprint(service: TestService, advisorId: string) {
  const db = service.database.db;
  const [events] = await db
    .select({ n: count() })
    .from(webhookEvent)
    .where(eq(webhookEvent.advisorId, advisorId));
  const [messages] = await db
    .select({ n: count() })
    .from(whatsappMessage)
    .where(eq(whatsappMessage.advisorId, advisorId));
  const [clients] = await db
    .select({ n: count() })
    .from(whatsappClient)
    .where(eq(whatsappClient.advisorId, advisorId));
  return { events: events!.n, messages: messages!.n, clients: clients!.n };
}

/** The body of the advisor's stored CONNECTION_UPDATE "open": what a retry of its delivery would post again. */
export async function storedOpenEvent(db: DbOrTx, advisorId: string): Promise<unknown> {
  const [open] = (
    await db
      .select({ payload: webhookEvent.payload })
      .from(webhookEvent)
      .where(and(eq(webhookEvent.advisorId, advisorId), eq(webhookEvent.event, 'CONNECTION_UPDATE')))
  ).filter((e) => JSON.stringify(e.payload).includes('"open"'));
  if (!open) throw new Error(`no CONNECTION_UPDATE "open" stored for advisor ${advisorId}`);
  return open.payload;
}

/**
 * Evolution's retry of a stored "open": the same body, the same (earlier) date_time, signed as
 * the gateway signs it, accepted, and applied (it is the second open the service has processed).
 */
export async function replayStoredOpen(
  service: TestService,
  advisor: Pick<ConnectedAdvisor, 'userId' | 'secret'>,
  open: unknown,
): Promise<void> {
  const res = await postWebhook(service, JSON.stringify(open), {
    authorization: `Bearer ${webhookJwt(advisor.secret)}`,
  });
  if (res.status !== 200) throw new Error(`the replayed open was answered ${res.status}`);
  await webhookApplied(service.database.db, advisor.userId, 'CONNECTION_UPDATE', {
    containing: '"open"',
    atLeast: 2,
  });
}

/**
 * Waits until the service has applied `atLeast` (1) of the gateway's own webhooks of `event` for
 * this advisor (whose payload contains `containing`, when given). The gateway's webhooks are
 * applied in the background: a test that plays signals by hand waits for them first.
 */
export async function webhookApplied(
  db: DbOrTx,
  advisorId: string,
  event: string,
  { containing, atLeast = 1 }: { containing?: string; atLeast?: number } = {},
): Promise<void> {
  const applied = async () =>
    (
      await db
        .select({ payload: webhookEvent.payload })
        .from(webhookEvent)
        .where(
          and(
            eq(webhookEvent.advisorId, advisorId),
            eq(webhookEvent.event, event),
            isNotNull(webhookEvent.processedAt),
          ),
        )
    ).filter((e) => containing === undefined || JSON.stringify(e.payload).includes(containing)).length;
  await waitFor(applied, (n) => n >= atLeast, {
    what: `${atLeast} of the gateway's ${event} webhooks applied`,
  });
}

/** The advisor's connection history as `status:reason` lines, oldest first. */
export async function connectionHistory(service: TestService, advisorId: string): Promise<string[]> {
  const events = await listConnectionEvents(
    service.database.db,
    advisorId,
    new Date(0),
    new Date(Date.now() + 60_000),
  );
  return events.map((e) => `${e.status}:${e.reason ?? ''}`);
}
