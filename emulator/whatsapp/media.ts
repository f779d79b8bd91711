// Media as the gateway accepts it (reference §3.11): an http(s) URL or raw base64, never a `data:` URI. The
// emulator does not download URLs; it fabricates the WhatsApp media fields a real upload would return.
import { base64Bytes } from '../core/ids.js';

export type MediaKind = 'image' | 'document' | 'audio' | 'video';

// A 1×1 JPEG: stands in for thumbnails and for inbound images injected without bytes.
export const TINY_JPEG_BASE64 =
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////' +
  '////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=';

const PLACEHOLDER: Record<MediaKind, string> = {
  image: TINY_JPEG_BASE64,
  document: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n').toString('base64'),
  audio: Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60)]).toString('base64'),
  video: Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypmp42'), Buffer.alloc(60)]).toString(
    'base64',
  ),
};

const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  epub: 'application/epub+zip',
  rtf: 'application/rtf',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  xml: 'application/xml',
  // XML documents of a type of their own, as mime-db (what Evolution looks names up in) names them.
  svg: 'image/svg+xml',
  gpx: 'application/gpx+xml',
  kml: 'application/vnd.google-earth.kml+xml',
  ics: 'text/calendar',
  vcf: 'text/vcard',
  heic: 'image/heic',
  avif: 'image/avif',
  amr: 'audio/amr',
  flac: 'audio/flac',
  m4v: 'video/mp4',
  mkv: 'video/x-matroska',
  csv: 'text/csv',
  json: 'application/json',
  zip: 'application/zip',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  mov: 'video/quicktime',
  webm: 'video/webm',
  weba: 'audio/webm',
  mka: 'audio/x-matroska',
  bin: 'application/octet-stream',
};

export function mimeFromName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const extension = /\.([a-z0-9]+)$/i.exec(name.split('?')[0] ?? '')?.[1]?.toLowerCase();
  return extension ? MIME_BY_EXTENSION[extension] : undefined;
}

/** class-validator's isURL is lenient: a scheme is optional, so `cdn.example/a.jpg` counts. */
export function isUrl(value: string): boolean {
  if (/^https?:\/\/[^\s/$.?#][^\s]*$/i.test(value)) return true;
  return /^(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:\/[^\s]*)?$/i.test(value);
}

/** Strict base64 (class-validator isBase64): a `data:` prefix or whitespace fails it. */
export function isBase64(value: string): boolean {
  return value.length > 0 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

export function placeholderBase64(kind: MediaKind): string {
  return PLACEHOLDER[kind];
}

/**
 * The name the gateway gives a document sent by URL without one (our reference §3.11): the first
 * group of `/.*\/(.+?)\./` on the whole URL, i.e. the text after the last slash that is followed by a
 * dot somewhere, up to that dot. So `…/files/plan.pdf` gives `plan` (its extension cut off) and
 * `https://cdn.example.com/files/12345` gives `cdn`; null when nothing matches (the gateway then
 * reads `[1]` of null: a TypeError).
 */
export function fileNameFromUrl(url: string): string | null {
  return /.*\/(.+?)\./.exec(url)?.[1] ?? null;
}

/** The encrypted-upload fields WhatsApp returns; the values are random, only their shapes are realistic. */
export function uploadFields(kind: MediaKind, byteLength: number): Record<string, unknown> {
  const path = `/v/t62.${kind === 'image' ? '7118' : kind === 'video' ? '7161' : '7119'}-24/${base64Bytes(12).replace(/[+/=]/g, '')}.enc`;
  const now = Math.floor(Date.now() / 1000);
  return {
    url: `https://mmg.whatsapp.net${path}?ccb=11-4&oh=01_${base64Bytes(24).replace(/[+/=]/g, '')}&oe=${(now + 86400 * 30).toString(16).toUpperCase()}&_nc_sid=5e03e0&mms3=true`,
    fileSha256: base64Bytes(32),
    fileLength: String(byteLength),
    mediaKey: base64Bytes(32),
    fileEncSha256: base64Bytes(32),
    directPath: path,
    mediaKeyTimestamp: String(now),
  };
}

export function byteLengthOf(base64: string | undefined): number {
  return base64 ? Buffer.byteLength(base64, 'base64') : 20_000 + Math.floor(Math.random() * 200_000);
}

/** `message.<kind>Message` for a media message, with the fields a phone or Baileys would set. */
export function mediaContent(
  kind: MediaKind,
  options: { mimetype: string; caption?: string; fileName?: string; base64?: string; ptt?: boolean },
): Record<string, unknown> {
  const upload = uploadFields(kind, byteLengthOf(options.base64));
  const content: Record<string, unknown> = { url: upload.url, mimetype: options.mimetype };
  if (kind === 'document') content.title = options.fileName;
  if (options.caption !== undefined) content.caption = options.caption;
  Object.assign(content, {
    fileSha256: upload.fileSha256,
    fileLength: upload.fileLength,
  });
  if (kind === 'image' || kind === 'video') Object.assign(content, { height: 1280, width: 960 });
  if (kind === 'audio' || kind === 'video') content.seconds = 7;
  if (kind === 'audio') content.ptt = options.ptt ?? false;
  Object.assign(content, {
    mediaKey: upload.mediaKey,
    fileEncSha256: upload.fileEncSha256,
    directPath: upload.directPath,
    mediaKeyTimestamp: upload.mediaKeyTimestamp,
  });
  if (kind === 'document') content.fileName = options.fileName;
  if (kind === 'image' || kind === 'video') content.jpegThumbnail = TINY_JPEG_BASE64;
  return content;
}
