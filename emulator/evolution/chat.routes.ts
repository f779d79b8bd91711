// Chat routes (reference §3.13): number lookup (whose errors are the raw thrown value with a 400), receipts
// after the fact, read marks, and media bytes of a stored message.
import type { FastifyInstance } from 'fastify';

import type { EmulatorContext } from '../core/context.js';
import { createJid, isBroadcastJid, isGroupJid, isLidJid } from '../core/jid.js';
import { placeholderBase64, type MediaKind } from '../whatsapp/media.js';
import { existsOnWhatsApp } from '../whatsapp/recipients.js';
import {
  EvolutionHttpError,
  UnexpectedError,
  badRequest,
  connectionClosed,
  missingSocket,
} from './errors.js';
import { registerRoute } from './route.js';
import { validate, type Schema } from './validate.js';

const MEDIA_TYPES = ['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage'];

const numbersSchema: Schema = {
  type: 'object',
  properties: { numbers: { type: 'array', minItems: 1, items: { type: 'string' } } },
  required: ['numbers'],
};

const readSchema: Schema = {
  type: 'object',
  properties: {
    readMessages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, fromMe: { type: 'boolean' }, remoteJid: { type: 'string' } },
        required: ['id', 'fromMe', 'remoteJid'],
      },
    },
  },
  required: ['readMessages'],
};

const base64Schema: Schema = {
  type: 'object',
  properties: { message: { type: 'object' }, convertToMp4: { type: 'boolean' } },
  required: ['message'],
};

function check(body: Record<string, unknown>, schema: Schema): void {
  const problems = validate(body, schema);
  if (problems.length > 0) throw badRequest(...problems);
}

export function registerChatRoutes(app: FastifyInstance, ctx: EmulatorContext, prefix: string): void {
  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/chat/whatsappNumbers/:instanceName`,
    access: 'instance',
    status: 200,
    // chat.router catches everything and answers `res.status(400).json(error)`.
    onError: (error) => {
      if (error instanceof EvolutionHttpError) return { status: 400, body: error.raw() };
      if (error instanceof UnexpectedError) return { status: 400, body: error.json };
      return { status: 400, body: {} };
    },
    handler: ({ body, instance }) => {
      check(body, numbersSchema);
      if (instance.state !== 'open')
        throw instance.hasSocket ? connectionClosed() : missingSocket('onWhatsApp');
      return (body.numbers as string[]).map((number) => {
        const jid = createJid(number);
        const exists =
          isGroupJid(jid) || isLidJid(jid) || isBroadcastJid(jid) ? true : existsOnWhatsApp(ctx, jid);
        if (exists) ctx.onWhatsApp.add(jid);
        return { jid, exists, number };
      });
    },
  });

  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/chat/findStatusMessage/:instanceName`,
    access: 'instance',
    status: 200,
    handler: ({ body, instance }) => {
      const where = (typeof body.where === 'object' && body.where !== null ? body.where : {}) as Record<
        string,
        unknown
      >;
      // Only remoteJid and id filter, whatever else the schema lists; `offset` is the page size.
      let rows = instance.statusRows.toArray();
      if (typeof where.remoteJid === 'string') rows = rows.filter((r) => r.remoteJid === where.remoteJid);
      if (typeof where.id === 'string') rows = rows.filter((r) => r.keyId === where.id);
      const size = typeof body.offset === 'number' && body.offset > 0 ? body.offset : undefined;
      if (!size) return rows;
      const page = typeof body.page === 'number' && body.page > 1 ? body.page : 1;
      return rows.slice((page - 1) * size, page * size);
    },
  });

  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/chat/markMessageAsRead/:instanceName`,
    access: 'instance',
    status: 201,
    handler: ({ body, instance }) => {
      check(body, readSchema);
      if (instance.state !== 'open') {
        const cause = instance.hasSocket
          ? 'Error: Connection Closed'
          : "TypeError: Cannot read properties of undefined (reading 'readMessages')";
        throw new EvolutionHttpError(500, ['Read messages fail', cause]);
      }
      return { message: 'Read messages', read: 'success' };
    },
  });

  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/chat/getBase64FromMediaMessage/:instanceName`,
    access: 'instance',
    status: 201,
    handler: ({ body, instance }) => {
      check(body, base64Schema);
      const key = (body.message as { key?: { id?: unknown } }).key;
      const stored = typeof key?.id === 'string' ? instance.messages.get(key.id) : undefined;
      if (!stored) throw badRequest('Message not found');
      const mediaType = MEDIA_TYPES.find((type) => stored.wire.message[type] !== undefined);
      if (!mediaType) throw badRequest('The message is not of the media type');
      const content = stored.wire.message[mediaType] as Record<string, unknown>;
      const kind = mediaType.replace('Message', '');
      const placeholderKind: MediaKind = kind === 'sticker' ? 'image' : (kind as MediaKind);
      return {
        mediaType,
        fileName: content.fileName,
        caption: content.caption,
        size: { fileLength: content.fileLength, height: content.height, width: content.width },
        mimetype: content.mimetype,
        // URL media is never downloaded by the emulator, so its bytes are a placeholder of the right kind.
        base64: stored.media?.base64 ?? placeholderBase64(placeholderKind),
        buffer: null,
      };
    },
  });
}
