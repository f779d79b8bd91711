// The send routes (reference §3.10-§3.12). Order matters and follows the gateway: schema → content checks →
// (media upload) → number check → typing delay → send.
import type { FastifyInstance } from 'fastify';

import type { EmulatorContext } from '../core/context.js';
import type { Instance } from '../core/instance.js';
import { createJid } from '../core/jid.js';
import {
  fileNameFromUrl,
  isBase64,
  isUrl,
  mediaContent,
  mimeFromName,
  type MediaKind,
} from '../whatsapp/media.js';
import { downloadMedia } from '../whatsapp/media-download.js';
import { sendOutbound, type OutboundContent } from '../whatsapp/outbound.js';
import { assertCanUpload, resolveRecipient } from '../whatsapp/recipients.js';
import { EvolutionHttpError, badRequest } from './errors.js';
import { audioSchema, mediaSchema, textSchema } from './message-schemas.js';
import { registerRoute } from './route.js';
import { validate, type Schema } from './validate.js';

const DEFAULT_MIME: Record<MediaKind, string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/mpeg',
  document: 'application/octet-stream',
};

/**
 * What a file whose name has no known extension is labelled: the gateway writes
 * `mimeTypes.lookup(fileName).toString()`, and the lookup's `false` becomes the string "false".
 */
const LOST_MIME = 'false';

function check(body: Record<string, unknown>, schema: Schema): void {
  const problems = validate(body, schema);
  if (problems.length > 0) throw badRequest(...problems);
}

/** contextInfo for replies and mentions, which Baileys attaches to the sent message. */
function contextInfoOf(
  instance: Instance,
  body: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const info: Record<string, unknown> = {};
  const quoted = body.quoted as { key?: { id?: string; remoteJid?: string }; message?: unknown } | undefined;
  if (quoted?.key?.id) {
    const original = instance.messages.get(quoted.key.id)?.wire;
    info.stanzaId = quoted.key.id;
    info.participant = quoted.key.remoteJid ?? original?.key.remoteJid;
    info.quotedMessage = quoted.message ?? original?.message;
  }
  if (Array.isArray(body.mentioned)) info.mentionedJid = body.mentioned.map((n) => createJid(String(n)));
  return Object.keys(info).length > 0 ? info : undefined;
}

/**
 * `delay` shows "typing…" and holds the HTTP answer; the phone may drop meanwhile. Then the send's
 * own WhatsApp queries (sessions, devices) may time out: the `sendTimeoutRate` fault, answered as
 * the gateway's try block answers a Baileys "Timed Out", a 400 with nothing relayed.
 */
async function typingDelay(
  ctx: EmulatorContext,
  instance: Instance,
  body: Record<string, unknown>,
): Promise<void> {
  const delay = typeof body.delay === 'number' ? body.delay : 0;
  if (delay > 0) {
    await ctx.timers.sleep(delay);
    if (instance.state !== 'open') throw badRequest('Error: Connection Closed');
  }
  if (ctx.faults.roll(ctx.faults.current.sendTimeoutRate)) {
    ctx.stats.injectedErrors += 1;
    throw badRequest('Error: Timed Out');
  }
}

export function registerMessageRoutes(app: FastifyInstance, ctx: EmulatorContext, prefix: string): void {
  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/message/sendText/:instanceName`,
    access: 'instance',
    status: 201,
    handler: async ({ body, instance }) => {
      check(body, textSchema);
      const text = body.text as string;
      if (text.trim().length === 0) throw badRequest('Text is required');
      const number = body.number as string;
      const jid = resolveRecipient(ctx, instance, number);
      await typingDelay(ctx, instance, body);
      const contextInfo = contextInfoOf(instance, body);
      return sendOutbound(ctx, instance, number, jid, {
        type: 'text',
        messageType: 'conversation',
        message: { conversation: text },
        text,
        ...(contextInfo ? { contextInfo } : {}),
      });
    },
  });

  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/message/sendMedia/:instanceName`,
    access: 'instance',
    status: 201,
    handler: async ({ body, instance }) => {
      check(body, mediaSchema);
      const kind = body.mediatype as MediaKind;
      const media = typeof body.media === 'string' ? body.media : '';
      const url = isUrl(media);
      if (!url && !isBase64(media)) throw badRequest('Owned media must be a url or base64');
      let fileName = typeof body.fileName === 'string' ? body.fileName : undefined;
      if (kind === 'document' && !url && !fileName)
        throw badRequest('For base64 the file name must be informed.');
      if (!fileName) {
        if (kind === 'image') fileName = 'image.jpg';
        else if (kind === 'video') fileName = 'video.mp4';
      }
      // The download and upload come first; an unnamed URL document is named afterwards.
      if (url) downloadMedia(ctx, instance, kind, media);
      assertCanUpload(instance);
      if (!fileName && url && kind === 'document') {
        const derived = fileNameFromUrl(media);
        // `regex.exec(media)[1]` on null, inside prepareMediaMessage's try: its 500 with String(error).
        if (derived === null)
          throw new EvolutionHttpError(500, ["TypeError: Cannot read properties of null (reading '1')"]);
        fileName = derived;
      }
      // A file name overrides the given mimetype, which is then looked up from its extension alone
      // (§3.11): a name without a known one loses the type, whatever `mimetype` said, and the
      // client gets a file labelled "false" that nothing opens. Images are re-encoded to JPEG and
      // named image.jpg, but a name of the caller's labels them all the same.
      const mimetype =
        fileName !== undefined
          ? (mimeFromName(fileName) ?? LOST_MIME)
          : ((typeof body.mimetype === 'string' ? body.mimetype : undefined) ?? DEFAULT_MIME[kind]);
      const caption = typeof body.caption === 'string' && kind !== 'audio' ? body.caption : undefined;
      const number = body.number as string;
      const jid = resolveRecipient(ctx, instance, number);
      await typingDelay(ctx, instance, body);
      const base64 = url ? undefined : media;
      const content: OutboundContent = {
        type: kind,
        messageType: `${kind}Message`,
        message: {
          [`${kind}Message`]: mediaContent(kind, {
            mimetype,
            ...(caption !== undefined ? { caption } : {}),
            ...(fileName !== undefined && kind === 'document' ? { fileName } : {}),
            ...(base64 ? { base64 } : {}),
          }),
        },
        media: {
          mimetype,
          ...(base64 ? { base64 } : {}),
          ...(fileName !== undefined ? { fileName } : {}),
          ...(caption !== undefined ? { caption } : {}),
        },
      };
      return sendOutbound(ctx, instance, number, jid, content);
    },
  });

  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/message/sendWhatsAppAudio/:instanceName`,
    access: 'instance',
    status: 201,
    handler: async ({ body, instance }) => {
      check(body, audioSchema);
      const audio = typeof body.audio === 'string' ? body.audio : '';
      const url = isUrl(audio);
      if (!url && !isBase64(audio))
        throw badRequest('Owned media must be a url, base64, or valid file with buffer');
      const number = body.number as string;
      const jid = resolveRecipient(ctx, instance, number);
      await typingDelay(ctx, instance, body);
      // Voice notes are converted to OGG/Opus and sent as push-to-talk.
      const mimetype = 'audio/ogg; codecs=opus';
      const base64 = url ? undefined : audio;
      return sendOutbound(ctx, instance, number, jid, {
        type: 'audio',
        messageType: 'audioMessage',
        message: {
          audioMessage: mediaContent('audio', { mimetype, ptt: true, ...(base64 ? { base64 } : {}) }),
        },
        media: { mimetype, ptt: true, ...(base64 ? { base64 } : {}) },
      });
    },
  });
}
