// The QR an advisor scans: the image the dashboard shows, and how long it stays valid.
import QRCode from 'qrcode';
import type { QrCode } from '../../gateway/index.js';

/** Evolution gives each QR ~45 s (Baileys qrTimeout); the dashboard counts down to this. */
export const QR_LIFETIME_MS = 45_000;

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

/**
 * A row with no QR on show (linked, disconnected, removed): the pairing code goes with it, and so
 * do the number it was asked for and the switch to it (schema: pairingNumber, pairingSwitchAt).
 */
export const NO_QR = {
  qrCode: null,
  qrPairingCode: null,
  qrExpiresAt: null,
  pairingNumber: null,
  pairingSwitchAt: null,
} as const;

/**
 * How long a switch to a pairing code may take: its logout, then Evolution's ~2 s wait on the new
 * socket, then our QR polls (connect-instance.ts). A close seen by a state poll within it is the
 * switch's; later, the switch failed halfway.
 */
export const PAIRING_SWITCH_SETTLE_MS = 30_000;

/**
 * A connect logged the instance out to ask again with a phone number (connect-instance.ts), and
 * no link, disconnect or removal has happened since: the logout's close 401 and LOGOUT_INSTANCE,
 * and QRs of the socket it ended, are that switch's and say nothing about the phone.
 */
export function switchingToPairing(row: { status: string; pairingSwitchAt: Date | null }): boolean {
  return row.pairingSwitchAt !== null && row.status !== 'connected';
}
