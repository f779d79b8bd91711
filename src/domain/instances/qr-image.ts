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
