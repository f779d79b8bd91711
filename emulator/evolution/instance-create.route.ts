// POST /instance/create (reference §3.1). Validation errors list every problem; any error inside the
// controller comes back as a 400 with only its first message, like the real one.
import type { FastifyInstance } from 'fastify';

import type { EmulatorContext } from '../core/context.js';
import { generatedToken } from '../core/ids.js';
import { defaultSettings, newInstance, type InstanceSettings } from '../core/instance.js';
import { CONFIGURABLE_EVENTS } from '../webhooks/events.js';
import type { ConnectionLifecycle } from '../whatsapp/connection.js';
import { qrView } from '../whatsapp/connection.js';
import { EvolutionHttpError, UnexpectedError, badRequest } from './errors.js';
import { registerRoute } from './route.js';
import { validate, type Schema } from './validate.js';
import { storeWebhook } from './webhook-store.js';

const INTEGRATIONS = ['WHATSAPP-BAILEYS', 'WHATSAPP-BUSINESS', 'EVOLUTION'];
const BOOLEAN_SETTINGS = [
  'rejectCall',
  'groupsIgnore',
  'alwaysOnline',
  'readMessages',
  'readStatus',
  'syncFullHistory',
];

const createSchema: Schema = {
  type: 'object',
  properties: {
    instanceName: { type: 'string' },
    token: { type: 'string' },
    number: { type: 'string', pattern: '^\\d+[\\.@\\w-]+' },
    qrcode: { type: 'boolean' },
    ...Object.fromEntries(BOOLEAN_SETTINGS.map((key) => [key, { type: 'boolean' } as Schema])),
    msgCall: { type: 'string' },
    webhookUrl: { type: 'string' },
    webhookByEvents: { type: 'boolean' },
    webhookBase64: { type: 'boolean' },
    webhookEvents: { type: 'array', items: { type: 'string', enum: CONFIGURABLE_EVENTS } },
  },
  notEmpty: ['instanceName'],
};

function settingsFrom(body: Record<string, unknown>): InstanceSettings {
  const settings = defaultSettings();
  for (const key of BOOLEAN_SETTINGS) {
    if (typeof body[key] === 'boolean') (settings as unknown as Record<string, unknown>)[key] = body[key];
  }
  if (typeof body.msgCall === 'string') settings.msgCall = body.msgCall;
  if (typeof body.wavoipToken === 'string') settings.wavoipToken = body.wavoipToken;
  return settings;
}

/** The echo of the inline webhook: keys whose value is undefined vanish, so no webhook gives `{}`. */
function webhookEcho(webhook: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    webhookUrl: webhook?.url,
    webhookHeaders: webhook?.headers,
    webhookByEvents: webhook?.byEvents,
    webhookBase64: webhook?.base64,
  };
}

export function registerCreateRoute(
  app: FastifyInstance,
  ctx: EmulatorContext,
  lifecycle: ConnectionLifecycle,
  prefix: string,
): void {
  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/instance/create`,
    access: 'create',
    status: 201,
    onError: (error) => {
      if (error instanceof EvolutionHttpError) return { status: error.status, body: error.envelope() };
      const message = error instanceof Error ? error.message : String(error);
      return { status: 400, body: badRequest(message).envelope() };
    },
    handler: async ({ body }) => {
      const problems = validate(body, createSchema);
      if (problems.length > 0) throw badRequest(...problems);
      if (typeof body.integration !== 'string' || !INTEGRATIONS.includes(body.integration)) {
        throw badRequest('Invalid integration');
      }
      const name = body.instanceName;
      if (typeof name !== 'string' || name === '') throw badRequest('The "instanceName" cannot be empty');
      const webhook =
        typeof body.webhook === 'object' && body.webhook !== null
          ? (body.webhook as Record<string, unknown>)
          : undefined;
      if (webhook && !Array.isArray(webhook.events)) {
        // The inline webhook reads events.length; the half-created instance is removed again.
        throw new UnexpectedError("Cannot read properties of undefined (reading 'length')", 'TypeError');
      }
      const instance = newInstance({
        name,
        token: typeof body.token === 'string' && body.token !== '' ? body.token : generatedToken(),
        integration: body.integration,
        settings: settingsFrom(body),
        number: typeof body.number === 'string' ? body.number : null,
      });
      ctx.instances.set(name, instance);
      if (webhook) {
        // Inline webhooks are stored enabled whatever `enabled` says, and their event names are not checked.
        storeWebhook(instance, { ...webhook, enabled: true });
      }
      ctx.webhooks.emit(instance, 'instance.create', { instanceName: name, instanceId: instance.id });
      let qrcode: Record<string, unknown> | undefined;
      if (body.qrcode === true) {
        lifecycle.startSocket(instance, typeof body.number === 'string' ? body.number : null);
        await ctx.timers.sleep(ctx.settings.createQrWaitMs);
        qrcode = qrView(instance);
      }
      return {
        instance: {
          instanceName: name,
          instanceId: instance.id,
          integration: instance.integration,
          webhookWaBusiness: null,
          accessTokenWaBusiness: '',
          status: instance.state,
        },
        hash: instance.token,
        webhook: webhookEcho(webhook),
        websocket: {},
        rabbitmq: {},
        nats: {},
        sqs: {},
        settings: instance.settings,
        ...(qrcode ? { qrcode } : {}),
      };
    },
  });
}
