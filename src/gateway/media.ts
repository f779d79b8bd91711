import mimeTypes from 'mime-types';
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
 * The type Evolution gives a file by its name (§3.11: the extension's type overrides `mimetype`),
 * undefined for a name without a known extension.
 */
export function typeOfFileName(fileName: string): string | undefined {
  return mimeTypes.lookup(fileName) || undefined;
}

/**
 * The extension to give a type where mime-db's first one is not what people's phones know
 * (.mpga, .oga, .qt, .adts), or where it has none.
 */
const PREFERRED_EXTENSION: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/aac': 'aac',
  'audio/flac': 'flac',
  'video/quicktime': 'mov',
  // file-type's name for Matroska, which mime-db does not know (it has video/x-matroska).
  'video/matroska': 'mkv',
};

/** File names WhatsApp clients save without trouble; a longer one is cut before the extension is added. */
const FILE_NAME_MAX = 255;

/** The extension to name a file of this type with; none for a type mime-db has none for. */
function extensionFor(mimetype: string | null | undefined): string | undefined {
  const type = mimetype?.split(';')[0]?.trim().toLowerCase();
  // Octet-stream says nothing: the name the caller gave (or mediaFileName's ".bin") stays.
  if (!type || type === 'application/octet-stream') return undefined;
  return PREFERRED_EXTENSION[type] ?? (mimeTypes.extension(type) || undefined);
}

/** The name with this extension after it, cut so that the whole stays within FILE_NAME_MAX. */
function withExtension(stem: string, extension: string): string {
  const suffix = `.${extension}`;
  // "plan." (a name whose extension was lost on the way) is "plan.pdf", not "plan..pdf".
  const base = stem.replace(/\.+$/, '') || stem;
  return `${[...base].slice(0, FILE_NAME_MAX - suffix.length).join('')}${suffix}`;
}

/**
 * The file name to give Evolution for a file of this type. Evolution takes the mimetype from the
 * file name's extension whenever a file name is given (evolution-api.md §3.11), so a name without
 * one ("document", the "12345" of …/files/12345) lost the type: the client got a file that no app
 * opens. Such a name gets the type's extension (mime-types: mime-db's table, the one Node
 * services commonly look names up in); a name with a known extension is the caller's choice and stays (a .docx is a ZIP by its bytes, and its name says more than they do).
 */
export function fileNameForType(fileName: string, mimetype: string | null | undefined): string {
  const extension = extensionFor(mimetype);
  if (!extension || mimeTypes.lookup(fileName)) return fileName;
  return withExtension(fileName, extension);
}

/**
 * The file name to give Evolution for an audio file. WhatsApp shows no name on audio, so the name
 * only decides the type Evolution labels the file with (§3.11): one whose extension says another
 * type gets the extension of the type it is sent as ("Grabación 12.mp4", an M4A an Android
 * recorder wrote, went out labelled video/mp4 and becomes "Grabación 12.m4a").
 */
export function audioFileNameForType(fileName: string, mimetype: string | null | undefined): string {
  const extension = extensionFor(mimetype);
  const named = typeOfFileName(fileName);
  if (!extension || !named) return fileNameForType(fileName, mimetype);
  // Compared by what the extensions name, so that .flac (audio/x-flac in mime-db) stays on FLAC.
  if (named === typeOfFileName(`file.${extension}`)) return fileName;
  // mime-types reads a bare "mp4" as an extension too: that whole name is the stem.
  const dot = fileName.lastIndexOf('.');
  return withExtension(dot > 0 ? fileName.slice(0, dot) : fileName, extension);
}

/**
 * The file name to give Evolution for a media message, undefined for none. Whatever name is given
 * labels the file: Evolution writes `mimeTypes.lookup(fileName).toString()` (§3.11), so a name
 * whose extension names no type, where nothing told us the file's type either (a URL ending in
 * …/watch, bytes file-type does not know), went out labelled "false". Such a video or audio file
 * goes unnamed instead (Evolution names a video video.mp4, and takes an audio file's type from
 * the declared one or its file server's answer); a document, which needs its name, is called
 * "….bin", application/octet-stream. An image goes unnamed: Evolution re-encodes it as JPEG and
 * names it image.jpg, while a name of the caller's labelled the JPEG as a PNG, or "false".
 */
export function mediaFileName(
  mediatype: 'image' | 'document' | 'video' | 'audio',
  fileName: string,
  mimetype: string | null | undefined,
): string | undefined {
  if (mediatype === 'image') return undefined;
  const named =
    mediatype === 'audio' ? audioFileNameForType(fileName, mimetype) : fileNameForType(fileName, mimetype);
  if (typeOfFileName(named)) return named;
  return mediatype === 'document' ? withExtension(named, 'bin') : undefined;
}

/**
 * Audio that WhatsApp's apps do not play as a file (they play AAC, M4A, MP3, AMR and OGG/Opus):
 * WebM and Matroska, what a browser's MediaRecorder writes, and WAV, FLAC and AIFF, what desktop
 * recorders and editors save. Evolution's sendWhatsAppAudio converts whatever its ffmpeg reads
 * into OGG/Opus, WhatsApp's own voice-note format, and sends it as a voice note (§3.12); sendMedia
 * would send the bytes as they are. Every name in use counts, since a `media.url`'s type is the
 * one its caller declares: file-type says audio/wav and audio/flac, and mime-db (what browsers
 * and file servers also say) knows audio/wave, audio/x-wav, audio/vnd.wave and audio/x-flac.
 */
const AUDIO_TO_CONVERT = new Set([
  'audio/webm',
  'audio/x-matroska',
  'audio/matroska',
  'audio/wav',
  'audio/wave',
  'audio/x-wav',
  'audio/vnd.wave',
  'audio/flac',
  'audio/x-flac',
  // AIFF, what macOS's recorders and editors save: file-type says audio/aiff, mime-db audio/x-aiff.
  'audio/aiff',
  'audio/x-aiff',
]);

/** Whether audio of this type must go as a voice note Evolution converts, not as a file. */
export function isAudioToConvert(mimetype: string | null | undefined): boolean {
  return AUDIO_TO_CONVERT.has(mimetype?.split(';')[0]?.trim().toLowerCase() ?? '');
}

/**
 * The type a recording's name says, when it is one to send as a voice note (isAudioToConvert),
 * for a `media.url` given with no type: a link to a recording rarely comes with one, and the
 * gateway would label the file by that name and send it as it is, which the client's phone does
 * not play. Its ffmpeg reads the file whatever it really is, so a name that lies costs nothing
 * worse than a voice note. mime-db reads .webm as video; an audio message's WebM holds audio.
 */
export function audioTypeToConvertOfName(fileName: string): string | undefined {
  const asAudio = typeOfFileName(fileName)?.replace(/^video\//, 'audio/');
  return asAudio && isAudioToConvert(asAudio) ? asAudio : undefined;
}
