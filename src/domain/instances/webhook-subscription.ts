// What each advisor's instance is told to send us: our webhook URL, the events we act on, and the
// instance's own secret. Set at every connect. A release that acts on more events (edits and
// deletions were added after instances existed), or a new PUBLIC_BASE_URL, would otherwise reach
// an advisor only at their next connect: the health check sets it again on every connected
// instance whose recorded subscription differs from this release's, once.
import { and, eq } from 'drizzle-orm';
import type { ConfigRow } from '../../db/repositories/whatsapp-config.repository.js';
import { whatsappConfig } from '../../db/schema/index.js';
import { DEFAULT_WEBHOOK_EVENTS, type InstanceRef, type WebhookSettings } from '../../gateway/index.js';
import type { DomainContext } from '../context.js';
import { instanceRefOf, webhookSecretOf } from './instance-credentials.js';

export function webhookSettingsFor(ctx: Pick<DomainContext, 'webhookUrl'>, secret: string): WebhookSettings {
  return {
    url: ctx.webhookUrl,
    events: DEFAULT_WEBHOOK_EVENTS,
    // Evolution turns jwt_key into a signed Bearer JWT; either it or the plain header proves the
    // request came from this instance (verify-webhook-request.ts).
    headers: { jwt_key: secret, 'x-webhook-secret': secret },
    byEvents: false,
    base64: false,
  };
}

/** The subscription's public part, as recorded on the row: the URL and the events, never the secret. */
export function subscriptionOf(ctx: Pick<DomainContext, 'webhookUrl'>): string {
  return JSON.stringify({ url: ctx.webhookUrl, events: DEFAULT_WEBHOOK_EVENTS });
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
