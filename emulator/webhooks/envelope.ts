// Turns one event into the HTTP request the gateway would make (reference §4.1-§4.3): which URL, which body,
// which headers. Pure: the dispatcher decides when and how often to send it.
import type { Instance } from '../core/instance.js';
import { kebabName, upperName } from './events.js';
import { webhookToken } from './jwt.js';

export interface PreparedRequest {
  event: string;
  /** The message the event is about (`key.id`, or `keyId` of a receipt), for the delivery log. */
  messageId: string | null;
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface EnvelopeContext {
  serverUrl: string;
  exposeApiKey: boolean;
  dateTime: string;
}

export type PrepareResult =
  | { kind: 'send'; request: PreparedRequest }
  | { kind: 'not-subscribed' }
  | { kind: 'invalid-url'; url: string };

// What axios 1.7.9 puts on a JSON POST by default; custom headers from the config override these.
const DEFAULT_HEADERS: Record<string, string> = {
  accept: 'application/json, text/plain, */*',
  'content-type': 'application/json',
  'user-agent': 'axios/1.7.9',
  'accept-encoding': 'gzip, compress, deflate, br',
};

export function buildHeaders(custom: Record<string, unknown> | null, nowMs: number): Record<string, string> {
  const headers: Record<string, string> = { ...DEFAULT_HEADERS };
  if (!custom) return headers;
  for (const [name, value] of Object.entries(custom)) {
    if (name === 'jwt_key' || value === null || value === undefined) continue;
    headers[name.toLowerCase()] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  // `jwt_key` never leaves the gateway: it is swapped for a signed Bearer token (webhook.controller emit).
  const secret = custom['jwt_key'];
  if (typeof secret === 'string' && secret.length > 0) {
    headers['authorization'] = `Bearer ${webhookToken(secret, nowMs)}`;
  }
  return headers;
}

export function prepareRequest(
  instance: Instance,
  event: string,
  data: unknown,
  context: EnvelopeContext,
): PrepareResult {
  const row = instance.webhook;
  if (!row || !row.enabled || !instance.webhookEvents.has(upperName(event)))
    return { kind: 'not-subscribed' };
  // The URL is not validated when saved; deliveries to a non-http(s) URL are skipped silently.
  if (!/^https?:\/\//i.test(row.url)) return { kind: 'invalid-url', url: row.url };
  const envelope = {
    event,
    instance: instance.name,
    data,
    destination: row.url,
    date_time: context.dateTime,
    // undefined until the first `open`, so the key is absent from early QR events, as in the real payloads.
    sender: instance.wuid ?? undefined,
    server_url: context.serverUrl,
    apikey: context.exposeApiKey ? instance.token : null,
  };
  return {
    kind: 'send',
    request: {
      event,
      messageId: messageIdOf(data),
      // Plain concatenation, like the gateway: a trailing slash or a query string ends up before the suffix.
      url: row.webhookByEvents ? `${row.url}/${kebabName(event)}` : row.url,
      body: JSON.stringify(envelope),
      headers: buildHeaders(row.headers, Date.now()),
    },
  };
}

function messageIdOf(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as { key?: { id?: unknown }; keyId?: unknown };
  const id = d.key?.id ?? d.keyId;
  return typeof id === 'string' ? id : null;
}
