// GET / (reference §3.13): the unauthenticated welcome document.
import type { FastifyInstance } from 'fastify';

import type { EmulatorContext } from '../core/context.js';
import { registerRoute } from './route.js';

export const EMULATED_VERSION = '2.3.6';

export function registerRootRoute(app: FastifyInstance, ctx: EmulatorContext, prefix: string): void {
  registerRoute(app, ctx, {
    method: 'GET',
    path: prefix === '' ? '/' : `${prefix}/`,
    access: 'public',
    status: 200,
    handler: () => ({
      status: 200,
      message: 'Welcome to the Evolution API, it is working!',
      version: EMULATED_VERSION,
      clientName: 'evolution_exchange',
      manager: `${ctx.serverUrl}/manager`,
      documentation: 'https://doc.evolution-api.com',
      whatsappWebVersion: '2.3000.1023204200',
    }),
  });
}
