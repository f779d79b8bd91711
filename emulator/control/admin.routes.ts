// Control API for the emulator as a whole: fault injection, counters, and a full reset between tests.
import type { FastifyInstance } from 'fastify';

import type { EmulatorContext } from '../core/context.js';
import { faultsPatchSchema } from '../core/faults.js';
import { emptyStats } from '../core/stats.js';
import type { ConnectionLifecycle } from '../whatsapp/connection.js';
import { parseBody } from './control-error.js';

export interface ResetHooks {
  /** Stops deliveries in flight and held for reordering. */
  resetWebhooks(): void;
}

export function registerAdminControl(
  app: FastifyInstance,
  ctx: EmulatorContext,
  lifecycle: ConnectionLifecycle,
  hooks: ResetHooks,
): void {
  app.get('/_emulator/faults', async () => ctx.faults.view());

  app.put('/_emulator/faults', async (request) => {
    ctx.faults.apply(parseBody(faultsPatchSchema, request.body));
    return ctx.faults.view();
  });

  app.delete('/_emulator/faults', async () => {
    ctx.faults.reset();
    return ctx.faults.view();
  });

  app.get('/_emulator/stats', async () => ({
    ...ctx.stats,
    instances: ctx.instances.size,
    pendingTimers: ctx.timers.pending,
  }));

  app.post('/_emulator/reset', async () => {
    for (const instance of ctx.instances.values()) lifecycle.stopSession(instance);
    ctx.instances.clear();
    ctx.onWhatsApp.clear();
    ctx.faults.reset();
    hooks.resetWebhooks();
    ctx.timers.cancelAll();
    Object.assign(ctx.stats, emptyStats());
    return { reset: true };
  });
}
