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
 * Declared types whose files are such containers: Office Open XML, OpenDocument and EPUB in a
 * ZIP, the older Office formats in a CFB file. Bytes file-type knows as something else (an
 * executable called contrato.docx) refute them.
 */
function isContainerBased(type: string): boolean {
  return (
    type.startsWith('application/vnd.openxmlformats-officedocument.') ||
    type.startsWith('application/vnd.oasis.opendocument.') ||
    type === 'application/epub+zip' ||
    type === 'application/msword' ||
    type === 'application/vnd.ms-excel' ||
    type === 'application/vnd.ms-powerpoint' ||
    CONTAINERS.has(type)
  );
}

/**
 * The type a declared MIME type names, without its parameters and in lower case: every comparison
 * is made on it, so "application/pdf; name=x.pdf" is judged as application/pdf.
 */
export function baseMimetype(declared: string | undefined): string | undefined {
  const type = declared?.split(';')[0]!.trim().toLowerCase();
  return type ? type : undefined;
}

/**
 * Whether a declared MIME type is refuted by the bytes: the caller names a type we can recognise
 * and the bytes are not it ("application/pdf" on a Windows executable, a Word type on one).
 * Another image type on image bytes is not refuted, only corrected (see reconcileMimetype).
 */
export function refutesDeclared(sniffed: SniffedMedia | null, declared: string | undefined): boolean {
  const type = baseMimetype(declared);
  if (!type || sniffed?.mimetype === type) return false;
  if (EXACT_TYPES.has(type)) return !(sniffed?.kind === 'image' && type.startsWith('image/'));
  // Unknown bytes may be a container file-type cannot open: only recognised ones refute.
  if (isContainerBased(type)) return sniffed !== null && !CONTAINERS.has(sniffed.mimetype);
  return false;
}

/**
 * The MIME type to declare: the sniffed one when the bytes say exactly what they are, else the
 * caller's when it agrees with the bytes' family (a container's exact type, another MP4 brand),
 * else the sniffed one. The caller's is kept without its parameters.
 */
export function reconcileMimetype(sniffed: SniffedMedia, declared: string | undefined): string {
  const type = baseMimetype(declared);
  if (!type || EXACT_TYPES.has(sniffed.mimetype)) return sniffed.mimetype;
  if (CONTAINERS.has(sniffed.mimetype)) return type.startsWith('application/') ? type : sniffed.mimetype;
  // A document file-type recognised (an executable, an archive) is what its bytes say.
  if (sniffed.kind === 'document') return sniffed.mimetype;
  return type.split('/')[0] === sniffed.mimetype.split('/')[0] ? type : sniffed.mimetype;
}

/**
 * Whether a file name's extension names a type these bytes are not, for a file the gateway will
 * label by its name (Evolution takes the type from the extension whenever a name is given): a type
 * the bytes refute as they would a declared one, or, when the bytes say exactly what they are (a
 * PDF, a PNG…), any other type but another image type on image bytes. A declared type is corrected
 * in that case; a name cannot be, and a PDF called foto.jpg reached the client as an image.
 */
export function refutesFileName(sniffed: SniffedMedia | null, nameType: string | undefined): boolean {
  const type = baseMimetype(nameType);
  if (!type) return false;
  if (refutesDeclared(sniffed, type)) return true;
  if (!sniffed || !EXACT_TYPES.has(sniffed.mimetype) || sniffed.mimetype === type) return false;
  return !(sniffed.kind === 'image' && type.startsWith('image/'));
}
