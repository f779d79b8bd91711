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
 * Containers that file-type names by their header alone, as video, and that as often hold only
 * sound: an M4A from an Android recorder is an MP4 with the generic brand "isom" or "mp42" (only
 * the brand "M4A " says audio), and a browser's MediaRecorder writes audio-only WebM. The bytes
 * cannot tell which without reading the tracks, so the caller's `type` decides: asked to send one
 * as audio, it is the audio of that container. Every MP4 relative is sent as audio/mp4, the type
 * WhatsApp plays on every phone.
 */
const AUDIO_OF_CONTAINER: Record<string, string> = {
  'video/mp4': 'audio/mp4',
  'video/x-m4v': 'audio/mp4',
  'video/quicktime': 'audio/mp4',
  'video/3gpp': 'audio/mp4',
  'video/3gpp2': 'audio/mp4',
  'video/webm': 'audio/webm',
  'video/matroska': 'audio/x-matroska',
};

/** The bytes read as audio: a container that may hold only sound is its audio; anything else is as sniffed. */
export function sniffedAsAudio(sniffed: SniffedMedia | null): SniffedMedia | null {
  const audio = sniffed ? AUDIO_OF_CONTAINER[sniffed.mimetype] : undefined;
  return audio ? { mimetype: audio, kind: 'audio' } : sniffed;
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
 * The types of the ISO base media file format (MP4 and its relatives), as file-type names them
 * from an `ftyp` box's major brand. The brand says little: an "isom" or "mp42" file may be a
 * QuickTime movie, a 3GP clip or an M4A, so a caller naming another of these is believed.
 */
const MP4_FAMILY = new Set([
  'video/mp4',
  'video/quicktime',
  'video/3gpp',
  'video/3gpp2',
  'video/x-m4v',
  'audio/mp4',
  'audio/x-m4a',
]);

const familyOf = (type: string): string => type.split('/')[0]!;

/** An XML-based type: `…+xml` (RFC 7303), or XML itself. */
const isXmlType = (type: string): boolean =>
  type.endsWith('+xml') || type === 'application/xml' || type === 'text/xml';

/**
 * The MIME type to declare: the sniffed one when the bytes say exactly what they are, else the
 * caller's when it agrees with the bytes' family (a container's exact type, an XML type, another
 * MP4 brand, another image type), else the sniffed one. The caller's is kept without its parameters.
 */
export function reconcileMimetype(sniffed: SniffedMedia, declared: string | undefined): string {
  const type = baseMimetype(declared);
  if (!type || EXACT_TYPES.has(sniffed.mimetype)) return sniffed.mimetype;
  if (CONTAINERS.has(sniffed.mimetype)) return type.startsWith('application/') ? type : sniffed.mimetype;
  // file-type calls any text opening with an XML declaration application/xml: an SVG, a GPX route
  // or a KML map is such XML, and only the caller knows which. The generic type sent an SVG
  // declared image/svg+xml as "document.xml".
  if (sniffed.mimetype === 'application/xml') return isXmlType(type) ? type : sniffed.mimetype;
  // A document file-type recognised (an executable, an archive) is what its bytes say.
  if (sniffed.kind === 'document') return sniffed.mimetype;
  const sameFamily = familyOf(type) === familyOf(sniffed.mimetype);
  if (sniffed.kind === 'audio' || sniffed.kind === 'video') {
    // Any other audio or video format (OGG, MP3, AAC, AMR, WebM, Matroska…) has a signature of its
    // own: an OGG/Opus voice note declared audio/mpeg went out labelled MP3, which WhatsApp may
    // refuse or fail to play. Only within the MP4 family does the caller know more than the bytes.
    return sameFamily && MP4_FAMILY.has(sniffed.mimetype) && MP4_FAMILY.has(type) ? type : sniffed.mimetype;
  }
  return sameFamily ? type : sniffed.mimetype;
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
