import { GatewayError } from './errors.js';

export interface EvolutionMedia {
  /** An http(s) URL, or raw base64 with no `data:` prefix (Evolution rejects the prefix). */
  media: string;
  /** The mimetype a data URI declared, if the caller gave one. */
  mimetype: string | null;
}

const URL_PATTERN = /^https?:\/\//i;
const DATA_URI = /^data:([^;,]*)((?:;[^;,]*)*);base64,/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Evolution's sendMedia/sendWhatsAppAudio accept a URL or raw base64 only: a data URI fails both
 * its isURL and isBase64 checks with a 400. Callers may hand us any of the three.
 */
export function toEvolutionMedia(input: string): EvolutionMedia {
  const trimmed = input.trim();
  if (URL_PATTERN.test(trimmed)) return { media: trimmed, mimetype: null };

  const dataUri = DATA_URI.exec(trimmed);
  const payload = (dataUri ? trimmed.slice(dataUri[0].length) : trimmed).replace(/\s+/g, '');
  if (payload === '' || !BASE64.test(payload)) {
    throw new GatewayError({
      code: 'bad_request',
      message: 'Media must be an http(s) URL, base64, or a base64 data URI',
    });
  }
  const mimetype = dataUri?.[1] ? dataUri[1].toLowerCase() : null;
  return { media: payload, mimetype };
}

/**
 * The extensions Evolution's mime lookup reads each type from (mime-types), the first one being
 * the one to add. Only common types: a type not listed is never touched.
 */
const EXTENSIONS: Record<string, readonly string[]> = {
  'application/pdf': ['pdf'],
  'application/msword': ['doc', 'dot'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.ms-excel': ['xls'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.ms-powerpoint': ['ppt'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/vnd.oasis.opendocument.spreadsheet': ['ods'],
  'application/vnd.oasis.opendocument.presentation': ['odp'],
  'application/epub+zip': ['epub'],
  'application/rtf': ['rtf'],
  'text/rtf': ['rtf'],
  'application/zip': ['zip'],
  'application/x-7z-compressed': ['7z'],
  'application/x-rar-compressed': ['rar'],
  'application/vnd.rar': ['rar'],
  'application/gzip': ['gz'],
  'application/json': ['json'],
  'application/xml': ['xml'],
  'text/xml': ['xml'],
  'text/plain': ['txt', 'text', 'log'],
  'text/csv': ['csv'],
  'text/html': ['html', 'htm'],
  'text/markdown': ['md', 'markdown'],
  'text/calendar': ['ics'],
  'text/vcard': ['vcf'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'image/heic': ['heic'],
  'image/heif': ['heif'],
  'image/avif': ['avif'],
  'image/bmp': ['bmp'],
  'image/tiff': ['tif', 'tiff'],
  'audio/mpeg': ['mp3'],
  'audio/ogg': ['ogg', 'oga', 'opus'],
  'audio/opus': ['opus'],
  'audio/mp4': ['m4a', 'mp4a'],
  'audio/aac': ['aac'],
  'audio/amr': ['amr'],
  'audio/wav': ['wav'],
  'audio/x-wav': ['wav'],
  'audio/webm': ['weba'],
  'audio/flac': ['flac'],
  'video/mp4': ['mp4', 'm4v'],
  'video/quicktime': ['mov', 'qt'],
  'video/3gpp': ['3gp'],
  'video/webm': ['webm'],
  'video/x-matroska': ['mkv'],
  'video/mpeg': ['mpeg', 'mpg'],
};

const KNOWN_EXTENSIONS = new Set(Object.values(EXTENSIONS).flat());

/** File names WhatsApp clients save without trouble; longer ones keep their end (the extension). */
const FILE_NAME_MAX = 255;

/**
 * The file name to give Evolution for a file of this type. Evolution takes the mimetype from the
 * file name's extension whenever a file name is given (evolution-api.md §3.11), so a name without
 * one ("document", the "12345" of …/files/12345) lost the type: the client got a file that no app
 * opens. Such a name gets the type's extension; a name with a known extension is the caller's
 * choice and stays (a .docx is a ZIP by its bytes, and its name says more than they do).
 */
export function fileNameForType(fileName: string, mimetype: string | null | undefined): string {
  const type = mimetype?.split(';')[0]?.trim().toLowerCase();
  const extensions = type ? EXTENSIONS[type] : undefined;
  if (!extensions) return fileName;
  const current = /\.([a-z0-9]{1,10})$/i.exec(fileName)?.[1]?.toLowerCase();
  if (current !== undefined && KNOWN_EXTENSIONS.has(current)) return fileName;
  const suffix = `.${extensions[0]}`;
  const stem = [...fileName].slice(0, FILE_NAME_MAX - suffix.length).join('');
  return `${stem}${suffix}`;
}
