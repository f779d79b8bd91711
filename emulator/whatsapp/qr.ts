// QR payloads and pairing codes shaped like the ones Baileys produces, rendered to a real PNG data URI with the
// `qrcode` package (what the gateway's toDataURL returns), so a dashboard can display them.
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';

import { base64Bytes } from '../core/ids.js';

/** `2@<ref>,<noise key>,<identity key>,<adv secret>`, the string WhatsApp Web encodes in its QR. */
export function qrPayload(): string {
  return `2@${base64Bytes(48)},${base64Bytes(32)},${base64Bytes(32)},${base64Bytes(32)}`;
}

export function renderQr(payload: string): Promise<string> {
  return QRCode.toDataURL(payload);
}

// Crockford base32 without 0, I, O, U: what Baileys' requestPairingCode draws 8 characters from.
const PAIRING_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';

export function pairingCode(): string {
  let code = '';
  for (const byte of randomBytes(8)) code += PAIRING_ALPHABET[byte % 32];
  return code;
}
