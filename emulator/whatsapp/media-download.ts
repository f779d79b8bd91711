// The gateway downloads a `media` URL itself; a file server that refuses it fails the send with a 500 naming the
// error (reference §3.11: prepareMediaMessage wraps `String(error)` in an InternalServerErrorException). Which
// error depends on who fetches: an image is fetched with axios (to re-encode it as JPEG) before anything else;
// the other kinds are fetched by Baileys' upload step (7.0.0-rc.6: fetch, then a Boom that names the URL and
// keeps the status to itself), whose arguments read `client.waUploadToServer` first.
import type { EmulatorContext } from '../core/context.js';
import type { Instance } from '../core/instance.js';
import { EvolutionHttpError } from '../evolution/errors.js';
import type { MediaKind } from './media.js';

/** Throws what the gateway answers when the file server refuses this URL; returns when the download works. */
export function downloadMedia(ctx: EmulatorContext, instance: Instance, kind: MediaKind, url: string): void {
  const status = ctx.faults.mediaDownloadStatus(url);
  if (status === undefined) return;
  if (kind === 'image') {
    throw new EvolutionHttpError(500, [`AxiosError: Request failed with status code ${status}`]);
  }
  // With no socket object the upload's arguments fail before Baileys fetches (assertCanUpload says so).
  if (!instance.hasSocket) return;
  throw new EvolutionHttpError(500, [`Error: Failed to fetch stream from ${url}`]);
}
