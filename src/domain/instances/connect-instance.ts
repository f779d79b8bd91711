// POST /api/whatsapp/connect: make sure the advisor has exactly one Evolution instance with our
// webhook registered, and hand back a QR to scan (or "connected" when already linked).
import {
  claimInstanceCredentials,
  ensureConfig,
  findConfig,
  recordConnectionEvent,
  transitionConfig,
  updateConfig,
  type ConfigRow,
} from '../../db/repositories/whatsapp-config.repository.js';
import { isGatewayError, type InstanceRef } from '../../gateway/index.js';
import { AppError } from '../app-error.js';
import { nowOf, type DomainContext } from '../context.js';
import {
  instanceNameFor,
  instanceRefOf,
  newInstanceSecrets,
  webhookSecretOf,
} from './instance-credentials.js';
import { applyConnectionEvent } from './apply-connection-event.js';
import { refreshConnectionState } from './refresh-connection-state.js';
import { viaGateway } from './gateway-failure.js';
import { qrExpiryOf, qrImageOf } from './qr-image.js';
import { subscribeWebhook } from './webhook-subscription.js';

const QR_POLL_INTERVAL_MS = 250;
const QR_POLL_ATTEMPTS = 20;

export type ConnectOutcome =
  | { status: 'connected' }
  | { status: 'qr_pending'; qr: { image: string; pairingCode: string | null; expiresAt: Date } | null };

/**
 * DELETE /api/whatsapp/config ran while this connect was under way: it cleared the credentials
 * (and deleted the instance at the gateway) that this connect was using. Nothing is written; a
 * new connect starts over, and adopts the instance if ours was created after the delete.
 */
const removedMeanwhile = () =>
  new AppError(
    'state_conflict',
    'The WhatsApp connection was removed while it was being connected. Connect again to link a number.',
  );

async function credentialsGone(ctx: DomainContext, advisorId: string): Promise<boolean> {
  return !(await findConfig(ctx.db, advisorId))?.instanceTokenEnc;
}

async function ensureGatewayInstance(
  ctx: DomainContext,
  advisorId: string,
  row: ConfigRow,
): Promise<InstanceRef> {
  const ref = instanceRefOf(ctx.box, row);
  if (!ref) throw removedMeanwhile();
  try {
    await ctx.gateway.createInstance({ instanceName: ref.instanceName, token: ref.token });
    return ref;
  } catch (err) {
    if (!isGatewayError(err) || err.code !== 'instance_name_taken') throw err;
  }
  // The name is derived from this advisor's id, so an existing instance is ours: a concurrent
  // connect made it, or an earlier attempt stopped halfway. Adopt its token if it differs.
  const info = await ctx.gateway.fetchInstance(ref.instanceName);
  if (info?.token && info.token !== ref.token) {
    await updateConfig(ctx.db, advisorId, { instanceTokenEnc: ctx.box.seal(info.token) });
    return { instanceName: ref.instanceName, token: info.token };
  }
  return ref;
}

/** How many times connect decides its write again after losing it to a webhook. */
const MAX_DECISIONS = 5;

export async function connectInstance(
  ctx: DomainContext,
  advisorId: string,
  options: { phoneNumber?: string } = {},
): Promise<ConnectOutcome> {
  let row = await ensureConfig(ctx.db, advisorId);
  if (row.status === 'connected') {
    // Ask the gateway first: the row may say connected for an instance the gateway lost (its
    // storage reset) or a phone that logged out while the webhook was lost, and "connected" would
    // leave the advisor with no QR until the next health check.
    await refreshConnectionState(ctx, advisorId);
    row = await ensureConfig(ctx.db, advisorId);
    if (row.status === 'connected') return { status: 'connected' };
  }

  if (!row.instanceTokenEnc) {
    const secrets = newInstanceSecrets();
    row = await claimInstanceCredentials(ctx.db, advisorId, {
      instanceName: instanceNameFor(advisorId),
      instanceTokenEnc: ctx.box.seal(secrets.token),
      webhookSecretEnc: ctx.box.seal(secrets.webhookSecret),
    });
  }
  const secret = webhookSecretOf(ctx.box, row);
  if (!secret) throw removedMeanwhile();

  const result = await viaGateway('connecting', async () => {
    const ref = await ensureGatewayInstance(ctx, advisorId, row);
    await subscribeWebhook(ctx, row, ref, secret);
    let connect = await ctx.gateway.connect(ref, options.phoneNumber ? { number: options.phoneNumber } : {});
    // Before Baileys produced its first QR Evolution answers {count:0}: poll briefly.
    for (let i = 0; i < QR_POLL_ATTEMPTS && connect.state === 'connecting' && !connect.qr; i++) {
      await new Promise((r) => setTimeout(r, QR_POLL_INTERVAL_MS));
      connect = await ctx.gateway.connect(ref);
    }
    return connect;
  }).catch(async (err: unknown) => {
    // A gateway that no longer knows the instance, because a remove deleted it meanwhile.
    throw (await credentialsGone(ctx, advisorId)) ? removedMeanwhile() : err;
  });

  const now = nowOf(ctx);
  if (result.state === 'open') {
    // Linked already (the gateway kept the session, or the phone scanned while we polled): the
    // same path as the "open" webhook, which decides on the row it reads and keeps a pause set
    // since, records the history and tells the dashboard.
    const info = await ctx.gateway.fetchInstance(row.instanceName!).catch(() => null);
    await applyConnectionEvent(ctx, advisorId, {
      type: 'connection',
      instance: row.instanceName!,
      state: 'open',
      statusReason: 200,
      phone: info?.ownerPhone ?? null,
      profileName: info?.profileName ?? null,
    });
    if (await credentialsGone(ctx, advisorId)) throw removedMeanwhile();
    return { status: 'connected' };
  }
  const image = result.qr ? await qrImageOf(result.qr) : null;
  // The gateway's webhooks ran while we waited for it: its qrcode.updated may have stored this
  // code, and a quick scan may already have linked the phone. Each write below is conditional on
  // the row it was decided on, so an answer that arrives after the "open" never puts a linked
  // number back to qr_pending (nor lifts a pause set since).
  for (let attempt = 1; attempt <= MAX_DECISIONS; attempt++) {
    const current = (await findConfig(ctx.db, advisorId)) ?? row;
    if (!current.instanceTokenEnc) throw removedMeanwhile();
    if (current.status === 'connected') return { status: 'connected' };
    if (!result.qr || !image) {
      // The QR will arrive by webhook (qrcode.updated) and reach the dashboard over SSE.
      const applied = await transitionConfig(
        ctx.db,
        advisorId,
        { status: 'qr_pending', lastStatusAt: now, alert: null },
        { status: current.status, instanceName: current.instanceName! },
      );
      if (applied) return { status: 'qr_pending', qr: null };
      continue;
    }
    const qr = { image, pairingCode: result.qr.pairingCode, expiresAt: qrExpiryOf(current, image, now) };
    const applied = await transitionConfig(
      ctx.db,
      advisorId,
      {
        status: 'qr_pending',
        qrCode: qr.image,
        qrPairingCode: qr.pairingCode,
        qrExpiresAt: qr.expiresAt,
        lastStatusAt: now,
        alert: null,
      },
      // A removal between the read above and this write makes it lose (and the next read throw).
      { status: current.status, instanceName: current.instanceName! },
    );
    if (!applied) continue;
    if (applied.changed) await recordConnectionEvent(ctx.db, advisorId, 'qr_pending', null);
    await ctx.events.publish(advisorId, { type: 'status', data: { status: 'qr_pending', qr } });
    return { status: 'qr_pending', qr };
  }
  // Kept losing to webhooks: they carry the newer state, and the dashboard gets it from them.
  const latest = (await findConfig(ctx.db, advisorId)) ?? row;
  return latest.status === 'connected' ? { status: 'connected' } : { status: 'qr_pending', qr: null };
}
