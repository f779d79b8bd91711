// The address of the QR code of an advisor's wa.me link. Browsers keep the QR images for five
// minutes (the server's cache-control), under their address; the address alone does not change
// when the advisor changes the pre-filled message or links another number, so the QR shown (and
// downloaded for print) was the old link's. `v` names the link it should encode: a new link is a
// new address. The server ignores the parameter.
import { shortHash } from './short-hash';

/** `/api/public/advisors/<slug>/whatsapp/qr.svg?v=…` for the link `waMeUrl`. */
export function qrImagePath(base: string, format: 'svg' | 'png', waMeUrl: string): string {
  return `${base}/qr.${format}?v=${shortHash(waMeUrl)}`;
}
