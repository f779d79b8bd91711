// POST /api/whatsapp/connect: make sure the advisor has exactly one Evolution instance with our
// webhook registered, and hand back a QR to scan (or "connected" when already linked).
import QRCode from 'qrcode';
import {
  claimInstanceCredentials,
  ensureConfig,
  findConfig,
  recordConnectionEvent,
  transitionConfig,
  updateConfig,
  type ConfigRow,
} from '../../db/repositories/whatsapp-config.repository.js';
import {
  DEFAULT_WEBHOOK_EVENTS,
  isGatewayError,
  type InstanceRef,
  type QrCode,
} from '../../gateway/index.js';
import { nowOf, type DomainContext } from '../context.js';
import {
  instanceNameFor,
  instanceRefOf,
  newInstanceSecrets,
  webhookSecretOf,
} from './instance-credentials.js';
import { viaGateway } from './gateway-failure.js';

/** Evolution gives each QR ~45 s (Baileys qrTimeout); the dashboard counts down to this. */
export const QR_LIFETIME_MS = 45_000;
const QR_POLL_INTERVAL_MS = 250;
const QR_POLL_ATTEMPTS = 20;

export type ConnectOutcome =
  | { status: 'connected' }
  | { status: 'qr_pending'; qr: { image: string; pairingCode: string | null; expiresAt: Date } | null };

async function ensureGatewayInstance(
  ctx: DomainContext,
  advisorId: string,
  row: ConfigRow,
): Promise<InstanceRef> {
  const ref = instanceRefOf(ctx.box, row)!;
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

export async function qrImageOf(qr: QrCode): Promise<string> {
  return qr.base64 ?? QRCode.toDataURL(qr.code, { margin: 1, width: 320 });
}

/**
 * When a QR stops being valid. The gateway answers Connect, and re-sends qrcode.updated, with the
 * code it is still showing; that code expires on the gateway's own schedule, so a code we already
 * show keeps its countdown instead of starting over. Only a new code gets a new lifetime.
 */
export function qrExpiryOf(
  row: { qrCode: string | null; qrExpiresAt: Date | null },
  image: string,
  now: Date,
): Date {
  if (row.qrCode === image && row.qrExpiresAt && row.qrExpiresAt > now) return row.qrExpiresAt;
  return new Date(now.getTime() + QR_LIFETIME_MS);
}

export async function connectInstance(
  ctx: DomainContext,
  advisorId: string,
  options: { phoneNumber?: string } = {},
): Promise<ConnectOutcome> {
  let row = await ensureConfig(ctx.db, advisorId);
  if (row.status === 'connected') return { status: 'connected' };

  if (!row.instanceTokenEnc) {
    const secrets = newInstanceSecrets();
    row = await claimInstanceCredentials(ctx.db, advisorId, {
      instanceName: instanceNameFor(advisorId),
      instanceTokenEnc: ctx.box.seal(secrets.token),
      webhookSecretEnc: ctx.box.seal(secrets.webhookSecret),
    });
  }
  const secret = webhookSecretOf(ctx.box, row)!;

  const result = await viaGateway('connecting', async () => {
    const ref = await ensureGatewayInstance(ctx, advisorId, row);
    await ctx.gateway.setWebhook(ref, {
      url: ctx.webhookUrl,
      events: DEFAULT_WEBHOOK_EVENTS,
      headers: { jwt_key: secret, 'x-webhook-secret': secret },
      byEvents: false,
      base64: false,
    });
    let connect = await ctx.gateway.connect(ref, options.phoneNumber ? { number: options.phoneNumber } : {});
    // Before Baileys produced its first QR Evolution answers {count:0}: poll briefly.
    for (let i = 0; i < QR_POLL_ATTEMPTS && connect.state === 'connecting' && !connect.qr; i++) {
      await new Promise((r) => setTimeout(r, QR_POLL_INTERVAL_MS));
      connect = await ctx.gateway.connect(ref);
    }
    return connect;
  });

  const now = nowOf(ctx);
  if (result.state === 'open') {
    await updateConfig(ctx.db, advisorId, {
      status: 'connected',
      lastStatusAt: now,
      qrCode: null,
      alert: null,
    });
    return { status: 'connected' };
  }
  if (!result.qr) {
    // The QR will arrive by webhook (qrcode.updated) and reach the dashboard over SSE.
    await updateConfig(ctx.db, advisorId, { status: 'qr_pending', lastStatusAt: now, alert: null });
    return { status: 'qr_pending', qr: null };
  }
  const image = await qrImageOf(result.qr);
  // Read again: the gateway's own qrcode.updated may have stored this code while we waited.
  const current = (await findConfig(ctx.db, advisorId)) ?? row;
  const qr = { image, pairingCode: result.qr.pairingCode, expiresAt: qrExpiryOf(current, image, now) };
  const applied = await transitionConfig(ctx.db, advisorId, {
    status: 'qr_pending',
    qrCode: qr.image,
    qrPairingCode: qr.pairingCode,
    qrExpiresAt: qr.expiresAt,
    lastStatusAt: now,
    alert: null,
  });
  if (applied?.changed) await recordConnectionEvent(ctx.db, advisorId, 'qr_pending', null);
  await ctx.events.publish(advisorId, { type: 'status', data: { status: 'qr_pending', qr } });
  return { status: 'qr_pending', qr };
}
