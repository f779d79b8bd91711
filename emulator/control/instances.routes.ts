// Control API for what happens on the phone side (API.md "Evolution API emulator control"): scanning the QR,
// the phone dropping or logging out, clients writing, raw events, and what was sent.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { EmulatorContext } from '../core/context.js';
import { stableDigits } from '../core/ids.js';
import type { Instance } from '../core/instance.js';
import { createJid } from '../core/jid.js';
import { toDotted, upperName } from '../webhooks/events.js';
import { TERMINAL_CLOSE_CODES, type ConnectionLifecycle } from '../whatsapp/connection.js';
import { editStoredMessage, revokeStoredMessage } from '../whatsapp/edits.js';
import { receiveInbound } from '../whatsapp/inbound.js';
import { RECEIPT_STATUSES, emitReceipt } from '../whatsapp/receipts.js';
import { ControlError, parseBody } from './control-error.js';
import { instanceSummary } from './instance-summary.js';

const scanBody = z.strictObject({
  phone: z
    .string()
    .regex(/\d{6,}/, 'must contain a phone number')
    .optional(),
  profileName: z.string().optional(),
  profilePictureUrl: z.string().nullable().optional(),
});

const disconnectBody = z.strictObject({ statusReason: z.number().int().min(100).max(999).optional() });

const inboundBody = z
  .strictObject({
    from: z.string().min(1),
    pushName: z.string().optional(),
    text: z.string().optional(),
    media: z
      .strictObject({
        type: z.enum(['image', 'document', 'audio', 'video']),
        caption: z.string().optional(),
        mimetype: z.string().optional(),
        fileName: z.string().optional(),
        base64: z.string().optional(),
      })
      .optional(),
    extendedText: z.boolean().optional(),
    asLid: z.boolean().optional(),
    fromMe: z.boolean().optional(),
    group: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
  })
  .refine((body) => body.text !== undefined || body.media !== undefined, {
    message: 'text or media is required',
  });

const emitBody = z.strictObject({ event: z.string().min(1), data: z.unknown() });

const receiptBody = z.strictObject({ keyId: z.string().min(1), status: z.enum(RECEIPT_STATUSES) });

const editBody = z.strictObject({ keyId: z.string().min(1), text: z.string().min(1) });

const revokeBody = z.strictObject({ keyId: z.string().min(1) });

const holdBody = z.strictObject({ events: z.array(z.string().min(1)) });

type Params = { name: string };

function findInstance(ctx: EmulatorContext, name: string): Instance {
  const instance = ctx.instances.get(name);
  if (!instance) throw new ControlError(404, 'instance_not_found', `No instance named "${name}"`);
  return instance;
}

function requireState(instance: Instance, states: Instance['state'][], action: string): void {
  if (!states.includes(instance.state)) {
    throw new ControlError(
      409,
      'invalid_state',
      `Cannot ${action}: instance "${instance.name}" is ${instance.state}`,
      {
        state: instance.state,
      },
    );
  }
}

/** A phone number per instance that looks random but never changes (a Brazilian mobile in São Paulo). */
export function defaultPhone(name: string): string {
  return `55119${stableDigits(`phone:${name}`, 8)}`;
}

export function registerInstanceControl(
  app: FastifyInstance,
  ctx: EmulatorContext,
  lifecycle: ConnectionLifecycle,
): void {
  app.get('/_emulator/instances', async () => [...ctx.instances.values()].map(instanceSummary));

  app.get<{ Params: Params }>('/_emulator/instances/:name', async (request) =>
    instanceSummary(findInstance(ctx, request.params.name)),
  );

  app.post<{ Params: Params }>('/_emulator/instances/:name/scan', async (request) => {
    const instance = findInstance(ctx, request.params.name);
    const body = parseBody(scanBody, request.body);
    requireState(instance, ['connecting'], 'scan (call /instance/connect first)');
    // A pairing code is typed on the phone whose number asked for it, so that number is the one
    // linked; a plain QR is scanned by whichever phone, a stable one per instance by default.
    const pairedNumber = instance.qr.pairingCode ? instance.pairingNumber : null;
    const phone = body.phone ?? pairedNumber ?? defaultPhone(instance.name);
    const digits = phone.replace(/\D/g, '');
    lifecycle.open(instance, {
      wuid: createJid(phone),
      profileName: body.profileName ?? `Advisor ${instance.name}`,
      profilePictureUrl:
        body.profilePictureUrl === undefined
          ? `https://pps.whatsapp.net/v/t61.24694-24/${digits}_${stableDigits(digits, 15)}_n.jpg?ccb=11-4&_nc_sid=5e03e0`
          : body.profilePictureUrl,
    });
    return instanceSummary(instance);
  });

  app.post<{ Params: Params }>('/_emulator/instances/:name/disconnect', async (request) => {
    const instance = findInstance(ctx, request.params.name);
    const { statusReason = 401 } = parseBody(disconnectBody, request.body);
    requireState(instance, ['open'], 'disconnect');
    const terminal = TERMINAL_CLOSE_CODES.has(statusReason);
    if (terminal) lifecycle.closeTerminal(instance, statusReason);
    else lifecycle.reconnect(instance);
    return { ...instanceSummary(instance), reconnecting: !terminal };
  });

  app.post<{ Params: Params }>('/_emulator/instances/:name/inbound', async (request, reply) => {
    const instance = findInstance(ctx, request.params.name);
    const body = parseBody(inboundBody, request.body);
    requireState(instance, ['open'], 'receive a message');
    if (!createJid(body.from).endsWith('@s.whatsapp.net')) {
      throw new ControlError(400, 'invalid_body', '`from` must be a phone number (use `group` for groups)');
    }
    const { wire } = receiveInbound(ctx, instance, body);
    return reply.code(201).send(wire);
  });

  app.post<{ Params: Params }>('/_emulator/instances/:name/emit', async (request) => {
    const instance = findInstance(ctx, request.params.name);
    const body = parseBody(emitBody, request.body);
    const event = toDotted(body.event);
    const subscribed = ctx.webhooks.emit(instance, event, body.data ?? null);
    return { event, subscribed };
  });

  app.post<{ Params: Params }>('/_emulator/instances/:name/receipt', async (request) => {
    const instance = findInstance(ctx, request.params.name);
    const body = parseBody(receiptBody, request.body);
    const stored = instance.messages.get(body.keyId);
    if (!stored) throw new ControlError(404, 'message_not_found', `No message with key.id "${body.keyId}"`);
    emitReceipt(ctx, instance, stored, body.status);
    return { keyId: body.keyId, status: body.status };
  });

  // The author of a message (a client, or the advisor on the phone) edits it or deletes it for
  // everyone. Any message the instance knows: received, sent from the phone or through the API.
  const findMessage = (instance: Instance, keyId: string) => {
    const stored = instance.messages.get(keyId);
    if (!stored) throw new ControlError(404, 'message_not_found', `No message with key.id "${keyId}"`);
    if (stored.revoked) throw new ControlError(409, 'message_revoked', `Message "${keyId}" was deleted`);
    return stored;
  };

  app.post<{ Params: Params }>('/_emulator/instances/:name/edit', async (request) => {
    const instance = findInstance(ctx, request.params.name);
    const body = parseBody(editBody, request.body);
    requireState(instance, ['open'], 'edit a message');
    return editStoredMessage(ctx, instance, findMessage(instance, body.keyId), body.text);
  });

  app.post<{ Params: Params }>('/_emulator/instances/:name/revoke', async (request) => {
    const instance = findInstance(ctx, request.params.name);
    const body = parseBody(revokeBody, request.body);
    requireState(instance, ['open'], 'delete a message');
    return revokeStoredMessage(ctx, instance, findMessage(instance, body.keyId));
  });

  app.get<{ Params: Params }>('/_emulator/instances/:name/sent', async (request) =>
    findInstance(ctx, request.params.name).sent.toArray(),
  );

  // A receiver that failed some deliveries and gets their retries later (reference §4.2: up to
  // ~20 min later, with the body of the first attempt). Held events' first attempts are not sent;
  // release sends their retries, in the order they were held. An empty list stops holding.
  app.put<{ Params: Params }>('/_emulator/instances/:name/webhooks/hold', async (request) => {
    const instance = findInstance(ctx, request.params.name);
    const { events } = parseBody(holdBody, request.body);
    instance.heldEvents = new Set(events.map((event) => upperName(toDotted(event))));
    return { events: [...instance.heldEvents], held: instance.heldDeliveries.length };
  });

  app.post<{ Params: Params }>('/_emulator/instances/:name/webhooks/release', async (request) => {
    const instance = findInstance(ctx, request.params.name);
    const retries = instance.heldDeliveries;
    instance.heldDeliveries = [];
    for (const retry of retries) retry();
    return { released: retries.length };
  });

  app.get<{ Params: Params; Querystring: { event?: string } }>(
    '/_emulator/instances/:name/webhooks',
    async (request) => {
      const log = findInstance(ctx, request.params.name).webhookLog.toArray();
      const event = request.query.event;
      return event ? log.filter((entry) => entry.event === toDotted(event)) : log;
    },
  );
}
