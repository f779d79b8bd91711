// Instance routes besides create (reference §3.2-§3.7). connect and restart catch their own errors and answer
// 200 `{error:true, message}`; the rest use the global error envelope.
import type { FastifyInstance } from 'fastify';

import type { EmulatorContext } from '../core/context.js';
import type { Instance } from '../core/instance.js';
import type { ConnectionLifecycle } from '../whatsapp/connection.js';
import { qrView, stateView } from '../whatsapp/connection.js';
import { badRequest, notFound, stringify } from './errors.js';
import { instanceRow } from './instance-row.js';
import { registerRoute } from './route.js';

const catchToErrorFlag = (error: unknown) => ({
  status: 200,
  body: { error: true, message: stringify(error) },
});

/**
 * Like the real gateway, the delete answers at once and the rows go afterwards (§3.6): until then
 * the instance is still listed and its name is taken. A second delete meanwhile succeeds again.
 */
export function removeInstance(
  ctx: EmulatorContext,
  lifecycle: ConnectionLifecycle,
  instance: Instance,
): void {
  if (instance.removing) return;
  if (instance.state !== 'close') lifecycle.closeTerminal(instance, 401);
  ctx.webhooks.emit(instance, 'instance.delete', { instanceName: instance.name, instanceId: instance.id });
  ctx.webhooks.emit(instance, 'remove.instance', null);
  lifecycle.stopSession(instance);
  instance.pendingReceipts = [];
  instance.removing = true;
  const forget = () => {
    if (ctx.instances.get(instance.name) === instance) ctx.instances.delete(instance.name);
  };
  if (ctx.settings.removeDelayMs === 0) forget();
  else ctx.timers.after(ctx.settings.removeDelayMs, forget);
}

export function registerInstanceRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
  lifecycle: ConnectionLifecycle,
  prefix: string,
): void {
  registerRoute(app, ctx, {
    method: 'GET',
    path: `${prefix}/instance/connect/:instanceName`,
    access: 'instance',
    status: 200,
    onError: catchToErrorFlag,
    handler: async ({ instance, query }) => {
      if (instance.state === 'open') return stateView(instance);
      // While connecting it only reports the current QR; it never starts a second socket.
      if (instance.state === 'connecting') return qrView(instance);
      lifecycle.startSocket(instance, typeof query.number === 'string' && query.number ? query.number : null);
      await ctx.timers.sleep(ctx.settings.connectWaitMs);
      return qrView(instance);
    },
  });

  registerRoute(app, ctx, {
    method: 'GET',
    path: `${prefix}/instance/connectionState/:instanceName`,
    access: 'instance',
    status: 200,
    handler: ({ instance }) => stateView(instance),
  });

  registerRoute(app, ctx, {
    method: 'GET',
    path: `${prefix}/instance/fetchInstances`,
    access: 'fetch',
    status: 200,
    handler: ({ query, token }) => {
      let list = [...ctx.instances.values()];
      const { instanceName, instanceId } = query;
      if (instanceName) {
        if (!ctx.instances.has(instanceName)) throw notFound(`Instance "${instanceName}" not found`);
        list = list.filter((i) => i.name === instanceName);
      }
      if (instanceId) {
        if (!list.some((i) => i.id === instanceId)) throw notFound(`Instance "${instanceId}" not found`);
        list = list.filter((i) => i.id === instanceId);
      }
      // With an instance token only that token's instances are listed.
      if (token) list = list.filter((i) => i.token === token);
      return list.map(instanceRow);
    },
  });

  registerRoute(app, ctx, {
    method: 'DELETE',
    path: `${prefix}/instance/logout/:instanceName`,
    access: 'instance',
    status: 200,
    handler: ({ instance }) => {
      if (instance.state === 'close') throw badRequest(`The "${instance.name}" instance is not connected`);
      lifecycle.closeTerminal(instance, 401);
      return { status: 'SUCCESS', error: false, response: { message: 'Instance logged out' } };
    },
  });

  registerRoute(app, ctx, {
    method: 'DELETE',
    path: `${prefix}/instance/delete/:instanceName`,
    access: 'instance',
    status: 200,
    handler: ({ instance }) => {
      removeInstance(ctx, lifecycle, instance);
      return { status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } };
    },
  });

  registerRoute(app, ctx, {
    method: 'POST',
    path: `${prefix}/instance/restart/:instanceName`,
    access: 'instance',
    status: 200,
    onError: catchToErrorFlag,
    handler: ({ instance }) => {
      if (instance.state === 'close') throw badRequest(`The "${instance.name}" instance is not connected`);
      if (instance.state === 'connecting') return qrView(instance);
      // The socket is closed but the in-memory state still says open when the answer is built.
      const answer = stateView(instance);
      lifecycle.reconnect(instance);
      return answer;
    },
  });
}
