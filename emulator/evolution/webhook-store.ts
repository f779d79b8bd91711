// The upsert behind /webhook/set and the inline webhook of /instance/create (reference §3.8): `enabled:false`
// wipes the events, `[]` means all of them, a missing list with enabled:true is the gateway's TypeError, and
// fields left out keep their stored value (Prisma ignores undefined in an update).
import { rowId } from '../core/ids.js';
import type { Instance, WebhookRow } from '../core/instance.js';
import { CONFIGURABLE_EVENTS } from '../webhooks/events.js';
import { UnexpectedError } from './errors.js';

export function storeWebhook(instance: Instance, input: Record<string, unknown>): WebhookRow {
  const enabled = input.enabled === true;
  let events: string[] = [];
  if (enabled) {
    if (!Array.isArray(input.events)) {
      throw new UnexpectedError("Cannot read properties of undefined (reading 'length')", 'TypeError');
    }
    events = input.events.length === 0 ? [...CONFIGURABLE_EVENTS] : input.events.map(String);
  }
  const now = new Date().toISOString();
  const url = typeof input.url === 'string' ? input.url : '';
  const headers = input.headers as Record<string, unknown> | null | undefined;
  const byEvents = typeof input.byEvents === 'boolean' ? input.byEvents : undefined;
  const base64 = typeof input.base64 === 'boolean' ? input.base64 : undefined;
  const previous = instance.webhook;
  const row: WebhookRow = previous
    ? {
        ...previous,
        url,
        headers: headers === undefined ? previous.headers : headers,
        enabled,
        events,
        webhookByEvents: byEvents ?? previous.webhookByEvents,
        webhookBase64: base64 ?? previous.webhookBase64,
        updatedAt: now,
      }
    : {
        id: rowId(),
        url,
        headers: headers ?? null,
        enabled,
        events,
        webhookByEvents: byEvents ?? false,
        webhookBase64: base64 ?? false,
        createdAt: now,
        updatedAt: now,
        instanceId: instance.id,
      };
  instance.webhook = row;
  instance.webhookEvents = new Set(events);
  return row;
}
