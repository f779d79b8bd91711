// POST /webhook/set and GET /webhook/find (reference §3.8-§3.9): the nested `{webhook:{…}}` body, UPPER_SNAKE
// event names validated against the allow-list, the stored row (or the JSON literal null) returned.
import type { FastifyInstance } from 'fastify';

import type { EmulatorContext } from '../core/context.js';
import { CONFIGURABLE_EVENTS } from '../webhooks/events.js';
import { badRequest } from './errors.js';
import { registerRoute } from './route.js';
import { validate, type Schema } from './validate.js';
import { storeWebhook } from './webhook-store.js';

const setSchema: Schema = {
  type: 'object',
  properties: {
    webhook: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        url: { type: 'string' },
        headers: { type: 'object' },
        byEvents: { type: 'boolean' },
        base64: { type: 'boolean' },
        events: { type: 'array', items: { type: 'string', enum: CONFIGURABLE_EVENTS } },
      },
      required: ['enabled', 'url'],
      notEmpty: ['enabled', 'url'],
    },
  },
  required: ['webhook'],
};

export function registerWebhookRoutes(app: FastifyInstance, ctx: EmulatorContext, prefix: string): void {
  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/webhook/set/:instanceName`,
    access: 'instance',
    status: 201,
    handler: ({ body, instance }) => {
      const problems = validate(body, setSchema);
      if (problems.length > 0) throw badRequest(...problems);
      return storeWebhook(instance, body.webhook as Record<string, unknown>);
    },
  });

  registerRoute(app, ctx, {
    method: 'GET',
    path: `${prefix}/webhook/find/:instanceName`,
    access: 'instance',
    status: 200,
    handler: ({ instance }) => instance.webhook,
  });
}
