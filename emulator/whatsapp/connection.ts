// The connection lifecycle of one instance as the gateway reports it (reference §3.2-§3.7, §4.4):
// close → connecting (rotating QRs) → open, terminal logouts, silent reconnects, and the QR limit.
import type { EmulatorContext } from '../core/context.js';
import type { Instance } from '../core/instance.js';
import { qrPayload, pairingCode, renderQr } from './qr.js';

// Baileys close codes after which the gateway gives up instead of reconnecting (loggedOut, 402, forbidden, 406).
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([401, 402, 403, 406]);

const CLOSE_REASONS: Record<number, string> = {
  401: 'Stream Errored (conflict)',
  402: 'Payment Required',
  403: 'Forbidden',
  406: 'Not Acceptable',
};

/** The QR object of connect/create: keys still undefined are omitted, so before the first QR it is {count:0}. */
export function qrView(instance: Instance): Record<string, unknown> {
  const { pairingCode: code, count } = instance.qr;
  const view: Record<string, unknown> = {};
  if (code !== undefined) view.pairingCode = code;
  if (instance.qr.code !== undefined) view.code = instance.qr.code;
  if (instance.qr.base64 !== undefined) view.base64 = instance.qr.base64;
  view.count = count;
  return view;
}

export function stateView(instance: Instance): { instance: { instanceName: string; state: string } } {
  return { instance: { instanceName: instance.name, state: instance.state } };
}

export class ConnectionLifecycle {
  constructor(private readonly ctx: EmulatorContext) {}

  private emit(instance: Instance, event: string, data: unknown): void {
    this.ctx.webhooks.emit(instance, event, data);
  }

  private isCurrent(instance: Instance, session: number): boolean {
    return instance.session === session && this.ctx.instances.get(instance.name) === instance;
  }

  /** A new socket: state `connecting`, then a QR (after firstQrDelayMs) and a fresh one every qrTimeoutMs. */
  startSocket(instance: Instance, number: string | null): void {
    this.stopSession(instance);
    instance.hasSocket = true;
    instance.state = 'connecting';
    instance.qr = { count: 0 };
    if (number) instance.pairingNumber = number;
    instance.base64AtConnect = instance.webhook?.webhookBase64 ?? false;
    this.emit(instance, 'connection.update', {
      instance: instance.name,
      state: 'connecting',
      statusReason: 200,
    });
    const session = instance.session;
    const { firstQrDelayMs } = this.ctx.settings;
    if (firstQrDelayMs === 0) this.nextQr(instance, session, number);
    else
      instance.qrTimer = this.ctx.timers.after(firstQrDelayMs, () => this.nextQr(instance, session, number));
  }

  private nextQr(instance: Instance, session: number, number: string | null): void {
    if (!this.isCurrent(instance, session)) return;
    if (instance.qr.count >= this.ctx.settings.qrLimit) {
      this.qrLimitReached(instance);
      return;
    }
    // The gateway bumps the count first and fills code/base64 when the PNG is ready.
    instance.qr.count += 1;
    const code = qrPayload();
    renderQr(code).then(
      (base64) => {
        if (!this.isCurrent(instance, session)) return;
        const pairing = number ? pairingCode() : null;
        instance.qr = { pairingCode: pairing, code, base64, count: instance.qr.count };
        this.emit(instance, 'qrcode.updated', {
          qrcode: { instance: instance.name, pairingCode: pairing, code, base64 },
        });
        instance.qrTimer = this.ctx.timers.after(this.ctx.settings.qrTimeoutMs, () =>
          this.nextQr(instance, session, number),
        );
      },
      () => undefined,
    );
  }

  private qrLimitReached(instance: Instance): void {
    this.emit(instance, 'qrcode.updated', {
      message: 'QR code limit reached, please login again',
      statusCode: 500,
    });
    this.emit(instance, 'connection.update', {
      instance: instance.name,
      state: 'refused',
      statusReason: 428,
      wuid: instance.wuid ?? undefined,
      profileName: instance.profileName ?? undefined,
      profilePictureUrl: instance.profilePictureUrl ?? undefined,
    });
    // The monitor's no.connection handler logs the socket out and resets the QR count; state is close.
    this.stopSession(instance);
    instance.state = 'close';
    instance.qr = { count: 0 };
  }

  /** The phone scanned the QR (or typed the pairing code). */
  open(
    instance: Instance,
    account: { wuid: string; profileName: string; profilePictureUrl: string | null },
  ): void {
    this.stopSession(instance);
    instance.wuid = account.wuid;
    instance.profileName = account.profileName;
    instance.profilePictureUrl = account.profilePictureUrl;
    this.markOpen(instance);
  }

  private markOpen(instance: Instance): void {
    instance.state = 'open';
    instance.qr = { count: 0 };
    instance.updatedAt = new Date().toISOString();
    this.emit(instance, 'connection.update', {
      instance: instance.name,
      wuid: instance.wuid,
      profileName: instance.profileName,
      profilePictureUrl: instance.profilePictureUrl,
      state: 'open',
      statusReason: 200,
    });
    const pending = instance.pendingReceipts;
    instance.pendingReceipts = [];
    for (const deliver of pending) deliver();
  }

  /** Socket dropped with a non-terminal code: Baileys reconnects and the gateway never reports `close`. */
  reconnect(instance: Instance): void {
    this.stopSession(instance);
    const session = instance.session;
    instance.state = 'connecting';
    instance.base64AtConnect = instance.webhook?.webhookBase64 ?? false;
    this.emit(instance, 'connection.update', {
      instance: instance.name,
      state: 'connecting',
      statusReason: 200,
    });
    instance.qrTimer = this.ctx.timers.after(this.ctx.settings.reconnectDelayMs, () => {
      if (this.isCurrent(instance, session)) this.markOpen(instance);
    });
  }

  /** Logged out (phone removed the device, or DELETE /instance/logout): close + STATUS_INSTANCE + LOGOUT_INSTANCE. */
  closeTerminal(instance: Instance, statusReason: number): void {
    this.stopSession(instance);
    const at = new Date().toISOString();
    const reason = CLOSE_REASONS[statusReason] ?? 'Connection Failure';
    const disconnectionObject = JSON.stringify({
      error: {
        data: null,
        isBoom: true,
        isServer: false,
        output: {
          statusCode: statusReason,
          payload: { statusCode: statusReason, error: reason, message: reason },
          headers: {},
        },
      },
      date: at,
    });
    instance.state = 'close';
    instance.qr = { count: 0 };
    instance.disconnection = { code: statusReason, object: disconnectionObject, at };
    instance.updatedAt = at;
    this.emit(instance, 'connection.update', { instance: instance.name, state: 'close', statusReason });
    this.emit(instance, 'status.instance', {
      instance: instance.name,
      status: 'closed',
      disconnectionAt: at,
      disconnectionReasonCode: statusReason,
      disconnectionObject,
    });
    this.emit(instance, 'logout.instance', null);
  }

  /** Stops QR rotation and pending reconnects; later callbacks of the old session see a stale id and do nothing. */
  stopSession(instance: Instance): void {
    instance.session += 1;
    this.ctx.timers.cancel(instance.qrTimer);
    instance.qrTimer = undefined;
  }
}
