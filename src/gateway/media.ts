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
