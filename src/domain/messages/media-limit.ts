// The size limit of an uploaded file (MEDIA_MAX_BYTES), and the one answer for a file over it,
// whether the decoded bytes or the request carrying them were found too large.
import { AppError } from '../app-error.js';

/** "16 MB", "2 KB", "1.5 MB": the limit as the advisor reads it (binary units, as configured). */
export function formatLimit(bytes: number): string {
  const [unit, size] =
    bytes >= 1024 * 1024 ? ['MB', 1024 * 1024] : bytes >= 1024 ? ['KB', 1024] : ['bytes', 1];
  return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
}

export function mediaTooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `The file is larger than the ${formatLimit(maxBytes)} limit.`, {
    maxBytes,
  });
}

/**
 * The largest body POST /send takes: room for a file at the media limit sent as base64 (4 bytes
 * for every 3, plus line breaks every 76 characters as MIME encoders write them: CRLF, which JSON
 * escapes to 4 bytes; 2 were counted until 2026-12-06, and past about 28 MB the slack no longer
 * covered the difference, so a file within the limit got 413) and the rest of
 * the request, and never less than HTTP_BODY_LIMIT. With the defaults (16 MB, 24 MB) it is
 * HTTP_BODY_LIMIT; a MEDIA_MAX_BYTES raised past what that body could carry used to be capped by
 * it, with an answer that named no file limit.
 */
export function sendBodyLimit(limits: { httpBodyBytes: number; mediaBytes: number }): number {
  const base64 = Math.ceil(limits.mediaBytes / 3) * 4;
  const lineBreaks = Math.ceil(base64 / 76) * '\\r\\n'.length;
  return Math.max(limits.httpBodyBytes, base64 + lineBreaks + 1024 * 1024);
}
