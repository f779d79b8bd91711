// Mounts the emulated Evolution API. It is mounted twice, at `/` and under `/_emulator`, so a sandbox proxy can
// forward `/_emulator/instance/create` as-is or strip the prefix (API.md, emulator control).
import type { FastifyInstance } from 'fastify';

import type { EmulatorContext } from '../core/context.js';
import type { ConnectionLifecycle } from '../whatsapp/connection.js';
import { registerChatRoutes } from './chat.routes.js';
import { registerCreateRoute } from './instance-create.route.js';
import { registerInstanceRoutes } from './instance.routes.js';
import { registerMessageRoutes } from './message.routes.js';
import { registerRootRoute } from './root.route.js';
import { registerWebhookRoutes } from './webhook.routes.js';

export function registerEvolutionApi(
  app: FastifyInstance,
  ctx: EmulatorContext,
  lifecycle: ConnectionLifecycle,
  prefix: '' | '/_emulator',
): void {
  registerRootRoute(app, ctx, prefix);
  registerCreateRoute(app, ctx, lifecycle, prefix);
  registerInstanceRoutes(app, ctx, lifecycle, prefix);
  registerWebhookRoutes(app, ctx, prefix);
  registerMessageRoutes(app, ctx, prefix);
  registerChatRoutes(app, ctx, prefix);
}
