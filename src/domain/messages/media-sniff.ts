// Tells a file's real type from its first bytes, so an upload is judged by what it is and not by
// the name or MIME type the caller claims.
import { fileTypeFromBuffer } from 'file-type';

export type SniffedMedia = { mimetype: string; kind: 'image' | 'document' | 'audio' | 'video' };

/**
 * What file-type names some formats, in the names WhatsApp (and Evolution) take: an M4A is sent as
 * audio/mp4.
 */
const WHATSAPP_NAMES: Record<string, string> = { 'audio/x-m4a': 'audio/mp4' };

/**
 * The real type of a file from its bytes (file-type reads the magic numbers and container headers:
 * HEIC and AVIF photos, AAC, AMR, MP3 without an ID3 tag, Office documents inside their ZIP…),
 * null when they say nothing it knows. Images, audio and video by their top-level type; anything
 * else it recognises (a PDF, a ZIP, an executable) is a document.
 */
export async function sniffMedia(bytes: Buffer): Promise<SniffedMedia | null> {
  // A container it starts to read and cannot (a truncated or hostile ZIP) is one it does not know.
  const found = await fileTypeFromBuffer(bytes).catch(() => undefined);
  if (!found) return null;
  const mimetype = WHATSAPP_NAMES[found.mime] ?? found.mime;
  const family = mimetype.split('/')[0];
  const kind = family === 'image' || family === 'audio' || family === 'video' ? family : 'document';
  return { mimetype, kind };
}

/**
 * Types whose bytes are refuted when they are not that type. For the others the bytes only
 * confirm a family: MP4 brands, ZIP- or CFB-based Office files.
 */
const EXACT_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

/** Containers whose exact type only the caller knows (a .docx is a ZIP, a .xls a CFB file). */
const CONTAINERS = new Set(['application/zip', 'application/x-cfb']);

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
  if (CONTAINERS.has(sniffed.mimetype) && declared.startsWith('application/')) return declared;
  return declared.split('/')[0] === sniffed.mimetype.split('/')[0] ? declared : sniffed.mimetype;
}
