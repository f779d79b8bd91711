// Tells a file's real type from its first bytes, so an upload is judged by what it is and not by
// the name or MIME type the caller claims.
export type SniffedMedia = { mimetype: string; kind: 'image' | 'document' | 'audio' | 'video' };

const startsWith = (b: Buffer, bytes: number[], offset = 0) => bytes.every((v, i) => b[offset + i] === v);
const ascii = (b: Buffer, text: string, offset = 0) =>
  b.subarray(offset, offset + text.length).toString('latin1') === text;

export function sniffMedia(bytes: Buffer): SniffedMedia | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { mimetype: 'image/png', kind: 'image' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { mimetype: 'image/jpeg', kind: 'image' };
  if (ascii(bytes, 'GIF87a') || ascii(bytes, 'GIF89a')) return { mimetype: 'image/gif', kind: 'image' };
  if (ascii(bytes, 'RIFF') && ascii(bytes, 'WEBP', 8)) return { mimetype: 'image/webp', kind: 'image' };
  if (ascii(bytes, '%PDF-')) return { mimetype: 'application/pdf', kind: 'document' };
  if (ascii(bytes, 'ftyp', 4)) {
    const brand = bytes.subarray(8, 12).toString('latin1');
    if (brand.startsWith('M4A')) return { mimetype: 'audio/mp4', kind: 'audio' };
    return { mimetype: 'video/mp4', kind: 'video' };
  }
  if (ascii(bytes, 'OggS')) return { mimetype: 'audio/ogg', kind: 'audio' };
  if (ascii(bytes, 'ID3') || startsWith(bytes, [0xff, 0xfb]) || startsWith(bytes, [0xff, 0xf3])) {
    return { mimetype: 'audio/mpeg', kind: 'audio' };
  }
  if (ascii(bytes, 'RIFF') && ascii(bytes, 'WAVE', 8)) return { mimetype: 'audio/wav', kind: 'audio' };
  // Office documents are ZIP containers; plain ZIPs are sent as documents too.
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return { mimetype: 'application/zip', kind: 'document' };
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0]))
    return { mimetype: 'application/msword', kind: 'document' };
  return null;
}

/** Types the first bytes identify exactly; for the others (MP4 brands, ZIP-based Office files) only the family. */
const EXACT_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

/**
 * Whether a declared MIME type is refuted by the bytes: the caller names a type we can recognise
 * and the bytes are not it ("application/pdf" on a Windows executable). Another image type on
 * image bytes is not refuted, only corrected (see reconcileMimetype).
 */
export function refutesDeclared(sniffed: SniffedMedia | null, declared: string | undefined): boolean {
  const type = declared?.toLowerCase();
  if (!type || !EXACT_TYPES.has(type) || sniffed?.mimetype === type) return false;
  return !(sniffed?.kind === 'image' && type.startsWith('image/'));
}

/**
 * The MIME type to declare: the sniffed one when the bytes say exactly what they are, else the
 * caller's when it agrees with the bytes' family, else the sniffed one.
 */
export function reconcileMimetype(sniffed: SniffedMedia, declared: string | undefined): string {
  if (!declared || EXACT_TYPES.has(sniffed.mimetype)) return sniffed.mimetype;
  if (sniffed.mimetype === 'application/zip' && declared.startsWith('application/')) return declared;
  return declared.split('/')[0] === sniffed.mimetype.split('/')[0] ? declared : sniffed.mimetype;
}
