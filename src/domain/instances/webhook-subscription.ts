// What each advisor's instance is told to send us: our webhook URL, the events we act on, and the
// instance's own secret. Set at every connect. A release that acts on more events (edits and
// deletions were added after instances existed), a new PUBLIC_BASE_URL or WEBHOOK_EDITS would
// otherwise reach an advisor only at their next connect: the health check sets it again on every
// connected instance whose recorded subscription differs from this release's, once.
import { and, eq } from 'drizzle-orm';
import type { ConfigRow } from '../../db/repositories/whatsapp-config.repository.js';
import { whatsappConfig } from '../../db/schema/index.js';
import {
  DEFAULT_WEBHOOK_EVENTS,
  type InstanceRef,
  type WebhookEventName,
  type WebhookSettings,
} from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { instanceRefOf, webhookSecretOf } from './instance-credentials.js';

type SubscriptionContext = Pick<DomainContext, 'webhookUrl'> & {
  config: { webhooks: Pick<DomainContext['config']['webhooks'], 'edits'> };
};

/**
 * The events instances send us. MESSAGES_EDITED is the one delivery Evolution 2.3.6 awaits in its
 * inbound pipeline: with WEBHOOK_EDITS=off it is left out (deletions and 2.3.7's edits still come).
 */
export function subscribedEvents(ctx: SubscriptionContext): readonly WebhookEventName[] {
  return ctx.config.webhooks.edits === 'on'
    ? DEFAULT_WEBHOOK_EVENTS
    : DEFAULT_WEBHOOK_EVENTS.filter((event) => event !== 'MESSAGES_EDITED');
}

export function webhookSettingsFor(ctx: SubscriptionContext, secret: string): WebhookSettings {
  return {
    url: ctx.webhookUrl,
    events: subscribedEvents(ctx),
    // Evolution turns jwt_key into a signed Bearer JWT; either it or the plain header proves the
    // request came from this instance (verify-webhook-request.ts).
    headers: { jwt_key: secret, 'x-webhook-secret': secret },
    byEvents: false,
    base64: false,
  };
}

/** The subscription's public part, as recorded on the row: the URL and the events, never the secret. */
export function subscriptionOf(ctx: SubscriptionContext): string {
  return JSON.stringify({ url: ctx.webhookUrl, events: subscribedEvents(ctx) });
}

/** Sets the subscription on the instance, then records it on the row (while the instance is still its). */
export async function subscribeWebhook(
  ctx: DomainContext,
  row: Pick<ConfigRow, 'advisorId' | 'instanceName'>,
  ref: InstanceRef,
  secret: string,
): Promise<void> {
  await ctx.gateway.setWebhook(ref, webhookSettingsFor(ctx, secret));
  await ctx.db
    .update(whatsappConfig)
    .set({ webhookSubscription: subscriptionOf(ctx) })
    .where(
      and(eq(whatsappConfig.advisorId, row.advisorId), eq(whatsappConfig.instanceName, ref.instanceName)),
    );
}

/**
 * Sets the subscription again on a connected instance whose recorded one is not this release's.
 * True when it did; a failure is logged and left to the next health check.
 */
export async function refreshWebhookSubscription(ctx: DomainContext, row: ConfigRow): Promise<boolean> {
  if (row.webhookSubscription === subscriptionOf(ctx)) return false;
  const ref = instanceRefOf(ctx.box, row);
  const secret = webhookSecretOf(ctx.box, row);
  if (!ref || !secret) return false;
  try {
    await subscribeWebhook(ctx, row, ref, secret);
    ctx.logger.info({ advisorId: row.advisorId }, 'webhook subscription updated');
    return true;
  } catch (err) {
    ctx.logger.warn(
      { advisorId: row.advisorId, err: (err as Error).message },
      'webhook subscription not updated; the next health check tries again',
    );
    return false;
  }
}
