// Webhooks can be lost: when the dashboard asks, and periodically for connected advisors (the
// health check), read the live state from the gateway and apply it like an event would.
import { findConfig, listConnectedConfigs } from '../../db/repositories/whatsapp-config.repository.js';
import { isGatewayError } from '../../gateway/index.js';
import { nowOf, type DomainContext } from '../context.js';
import { applyConnectionEvent } from './apply-connection-event.js';
import { instanceRefOf } from './instance-credentials.js';
import { PAIRING_SWITCH_SETTLE_MS } from './qr-image.js';
import { refreshWebhookSubscription } from './webhook-subscription.js';

export async function refreshConnectionState(ctx: DomainContext, advisorId: string): Promise<void> {
  const row = await findConfig(ctx.db, advisorId);
  const ref = row ? instanceRefOf(ctx.box, row) : null;
  if (!row || !ref || row.status === 'not_configured') return;
  let state: 'open' | 'connecting' | 'close';
  try {
    state = await ctx.gateway.connectionState(ref);
  } catch (err) {
    if (isGatewayError(err) && err.code === 'instance_not_found') {
      state = 'close';
    } else {
      ctx.logger.warn({ advisorId, err: (err as Error).message }, 'connection state poll failed');
      return;
    }
  }
  const base = {
    type: 'connection' as const,
    instance: ref.instanceName,
    phone: null,
    profileName: null,
    statusReason: 200,
  };
  if (state === 'open' && row.status !== 'connected') {
    // Fetch who is linked: a lost `open` webhook also lost the phone number.
    const info = await ctx.gateway.fetchInstance(ref.instanceName).catch(() => null);
    await applyConnectionEvent(ctx, advisorId, {
      ...base,
      state: 'open',
      phone: info?.ownerPhone ?? null,
      profileName: info?.profileName ?? null,
    });
  } else if (state === 'close' && (row.status === 'connected' || row.status === 'connecting')) {
    // "connecting" too: it only ever ends by another webhook ("open", or the close of a session
    // that failed), and with that one lost, or a late "connecting" applied after the close it
    // preceded (deliveries are unordered and retried), the dashboard said "connecting" forever.
    await applyConnectionEvent(ctx, advisorId, { ...base, state: 'close', statusReason: 428 });
  } else if (state === 'close' && row.status === 'qr_pending' && !switchUnderWay(row, nowOf(ctx))) {
    // We show a QR but the gateway stopped offering one: it gave up after its QR limit (or lost
    // the instance) and that webhook was lost. Same outcome as the webhook: disconnected, with
    // the "try again" alert, instead of a QR nobody can scan any more.
    await applyConnectionEvent(ctx, advisorId, { type: 'qr_limit', instance: ref.instanceName });
  }
}

/**
 * A connect that switches to a pairing code logs the instance out (state close) and then starts it
 * again with the number: a poll in between must not take that close for a gateway that gave up.
 * Past the settle time the switch failed halfway (its connect errored), and "try again" is right.
 */
function switchUnderWay(row: { pairingSwitchAt: Date | null }, now: Date): boolean {
  return (
    row.pairingSwitchAt !== null && now.getTime() - row.pairingSwitchAt.getTime() < PAIRING_SWITCH_SETTLE_MS
  );
}

/**
 * The periodic health check: catches instances we believe connected that are not. Each advisor is
 * checked on their own: one whose check fails (credentials sealed under a key no longer held, the
 * database refusing that row's write) is logged and left to the next run, and the advisors after
 * it are still checked.
 */
export async function checkConnectedInstances(ctx: DomainContext): Promise<number> {
  const rows = await listConnectedConfigs(ctx.db);
  for (const row of rows) {
    try {
      await refreshConnectionState(ctx, row.advisorId);
      await refreshWebhookSubscription(ctx, row);
    } catch (err) {
      ctx.logger.warn(
        { advisorId: row.advisorId, err: (err as Error).message },
        'health check of this instance failed; the next run tries again',
      );
    }
  }
  return rows.length;
}
