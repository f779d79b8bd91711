// Registers one gateway route with the gateway's middleware order (reference §1): instance exists → 404, name
// free on create → 403, apikey → 401, then the handler. Latency and injected errors from the fault settings are
// applied here so every route gets them the same way.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { EmulatorContext } from '../core/context.js';
import type { Instance } from '../core/instance.js';
import { boom, forbidden, notFound, unauthorized } from './errors.js';

/**
 * instance: `/:instanceName` routes (global key or that instance's token);
 * create: global key only, 403 guard on the body's name; fetch: global key or any token; public: no key.
 */
export type Access = 'instance' | 'create' | 'fetch' | 'public';

export interface Call {
  request: FastifyRequest;
  reply: FastifyReply;
  body: Record<string, unknown>;
  query: Record<string, string>;
  /** Present for `instance` routes. */
  instance: Instance;
  /** The apikey when it is an instance token (fetchInstances filters on it). */
  token: string | null;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  path: string;
  access: Access;
  status: number;
  /** Routes that catch their own errors (connect, restart, whatsappNumbers, create) say how they render them. */
  onError?: (error: unknown) => { status: number; body: unknown };
  handler: (call: Call) => unknown;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function apikeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers.apikey;
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Guards; returns the instance (instance routes) and the token used (when not the global key). */
function guard(
  ctx: EmulatorContext,
  spec: RouteSpec,
  request: FastifyRequest,
  body: Record<string, unknown>,
) {
  const key = apikeyOf(request);
  const isGlobal = key === ctx.settings.apiKey;
  if (spec.access === 'instance') {
    const name = (request.params as Record<string, string>).instanceName ?? '';
    const instance = ctx.instances.get(name);
    if (!instance) throw notFound(`The "${name}" instance does not exist`);
    if (!key || (!isGlobal && instance.token !== key)) throw unauthorized();
    return { instance, token: isGlobal ? null : key };
  }
  if (spec.access === 'create') {
    const name = body.instanceName;
    if (typeof name === 'string' && ctx.instances.has(name))
      throw forbidden(`This name "${name}" is already in use.`);
    if (!isGlobal) throw unauthorized();
    return { instance: undefined, token: null };
  }
  if (spec.access === 'fetch') {
    if (isGlobal) return { instance: undefined, token: null };
    if (key && [...ctx.instances.values()].some((i) => i.token === key))
      return { instance: undefined, token: key };
    throw unauthorized();
  }
  return { instance: undefined, token: null };
}

export function registerRoute(app: FastifyInstance, ctx: EmulatorContext, spec: RouteSpec): void {
  app.route({
    method: spec.method,
    url: spec.path,
    handler: async (request, reply) => {
      ctx.stats.requests += 1;
      const latency = ctx.faults.current.latencyMs;
      if (latency > 0) await ctx.timers.sleep(latency);
      const body = asRecord(request.body);
      const { instance, token } = guard(ctx, spec, request, body);
      let status = spec.status;
      let payload: unknown;
      try {
        if (spec.access !== 'public' && ctx.faults.roll(ctx.faults.current.errorRate)) {
          ctx.stats.injectedErrors += 1;
          // What a Baileys query timing out looks like to the gateway.
          throw boom('Timed Out', 408, 'Request Time-out');
        }
        payload = await spec.handler({
          request,
          reply,
          body,
          query: request.query as Record<string, string>,
          instance: instance as Instance,
          token,
        });
      } catch (error) {
        if (!spec.onError) throw error;
        ({ status, body: payload } = spec.onError(error));
      }
      // Serialised by hand: `null` must go out as the JSON literal (webhook/find), and it skips a schema step.
      return reply.code(status).type(JSON_TYPE).send(JSON.stringify(payload));
    },
  });
}
