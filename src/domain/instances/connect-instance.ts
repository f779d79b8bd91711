// POST /api/whatsapp/connect: make sure the advisor has exactly one Evolution instance with our
// webhook registered, and hand back a QR to scan (or "connected" when already linked).
import {
  claimInstanceCredentials,
  ensureConfig,
  findConfig,
  recordConnectionEvent,
  replaceInstanceToken,
  transitionConfig,
  type ConfigRow,
} from '../../db/repositories/whatsapp-config.repository.js';
import { isGatewayError, type ConnectResult, type InstanceRef } from '../../gateway/index.js';
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
  if (!info?.token || info.token === ref.token) return ref;
  // Written only over the token this connect read: a remove between the look above and this
  // write cleared the row, and a token put back on it (with no name or webhook secret) would make
  // every later connect answer 409. A concurrent connect that adopted first wins the same way.
  if (await replaceInstanceToken(ctx.db, advisorId, row.instanceTokenEnc!, ctx.box.seal(info.token)))
    return { instanceName: ref.instanceName, token: info.token };
  const current = await findConfig(ctx.db, advisorId);
  const adopted = current ? instanceRefOf(ctx.box, current) : null;
  if (!adopted) throw removedMeanwhile();
  return adopted;
}

/** How many times connect decides its write again after losing it to a webhook. */
const MAX_DECISIONS = 5;

/** The gateway's QR: before Baileys produced its first one Evolution answers {count:0}, so poll briefly. */
async function askForQr(ctx: DomainContext, ref: InstanceRef, phoneNumber?: string): Promise<ConnectResult> {
  // The number goes with every ask: a poll that finds the instance closed starts its socket, and
  // that socket must ask for the pairing code too.
  const options = phoneNumber ? { number: phoneNumber } : {};
  let connect = await ctx.gateway.connect(ref, options);
  for (let i = 0; i < QR_POLL_ATTEMPTS && connect.state === 'connecting' && !connect.qr; i++) {
    await new Promise((r) => setTimeout(r, QR_POLL_INTERVAL_MS));
    connect = await ctx.gateway.connect(ref, options);
  }
  return connect;
}

/**
 * Evolution asks WhatsApp for a pairing code only when it starts a socket (state close, §3.2): an
 * instance already showing a QR answers a connect with a number with that QR, without a code. A
 * code already on show is kept when it is this number's, or was just asked for with it (no number
 * recorded yet: this very connect started the socket).
 */
function needsPairingSwitch(result: ConnectResult, row: ConfigRow, phoneNumber: string | undefined): boolean {
  if (!phoneNumber || result.state !== 'connecting' || !result.qr) return false;
  if (!result.qr.pairingCode) return true;
  return row.pairingNumber !== null && row.pairingNumber !== phoneNumber;
}

/**
 * Records that this connect is about to log the instance out to ask again with a number, before
 * the logout, so its webhooks (close 401, LOGOUT_INSTANCE) are never taken for the phone's, even
 * when they arrive first. False when the number was linked meanwhile (nothing to switch).
 */
async function markPairingSwitch(
  ctx: DomainContext,
  advisorId: string,
  phoneNumber: string,
): Promise<boolean> {
  for (let attempt = 1; attempt <= MAX_DECISIONS; attempt++) {
    const current = await findConfig(ctx.db, advisorId);
    if (!current?.instanceTokenEnc) throw removedMeanwhile();
    if (current.status === 'connected') return false;
    const applied = await transitionConfig(
      ctx.db,
      advisorId,
      { status: current.status, pairingNumber: phoneNumber, pairingSwitchAt: nowOf(ctx) },
      { status: current.status, instanceName: current.instanceName! },
    );
    if (applied) return true;
  }
  return false;
}

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
    const connect = await askForQr(ctx, ref, options.phoneNumber);
    if (!needsPairingSwitch(connect, row, options.phoneNumber)) return connect;
    if (!(await markPairingSwitch(ctx, advisorId, options.phoneNumber!))) return connect;
    // End the socket that shows the plain QR (a logout is allowed while connecting, §3.5; already
    // closed, by its QR limit meanwhile, is as good) and start one with the number.
    await ctx.gateway.logout(ref);
    return askForQr(ctx, ref, options.phoneNumber);
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
        // A connect starts over: the last close's date is another link's (apply-connection-event).
        { status: 'qr_pending', lastStatusAt: now, alert: null, closeDateTime: null },
        { status: current.status, instanceName: current.instanceName! },
      );
      if (!applied) continue;
      // An attempt like one answered with its QR (the history, the connection rate): the QR's
      // webhook finds the status already qr_pending and records nothing.
      if (applied.changed) await recordConnectionEvent(ctx.db, advisorId, 'qr_pending', null);
      return { status: 'qr_pending', qr: null };
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
        // Whose code it is, for the next connect with a number (needsPairingSwitch).
        pairingNumber: qr.pairingCode ? (options.phoneNumber ?? current.pairingNumber) : null,
        lastStatusAt: now,
        alert: null,
        closeDateTime: null,
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
