// The address of the QR code of an advisor's wa.me link. Browsers keep the QR images for five
// minutes (the server's cache-control), under their address; the address alone does not change
// when the advisor changes the pre-filled message or links another number, so the QR shown (and
// downloaded for print) was the old link's. `v` names the link it should encode: a new link is a
// new address. The server ignores the parameter.

/** `/api/public/advisors/<slug>/whatsapp/qr.svg?v=…` for the link `waMeUrl`. */
export function qrImagePath(base: string, format: 'svg' | 'png', waMeUrl: string): string {
  return `${base}/qr.${format}?v=${linkVersion(waMeUrl)}`;
}

/** FNV-1a (32 bits) of the link, in base 36: short, and different for any change that matters. */
function linkVersion(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
