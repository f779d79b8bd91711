// Builds the Fastify app: body parsing and errors that behave like the gateway's Express stack, the emulated
// Evolution API, and the control API. Kept apart from listening so tests could also inject requests.
import Fastify, { type FastifyInstance } from 'fastify';

import { ControlError } from './control/control-error.js';
import { registerAdminControl, type ResetHooks } from './control/admin.routes.js';
import { registerInstanceControl } from './control/instances.routes.js';
import type { EmulatorContext } from './core/context.js';
import { envelopeFor } from './evolution/errors.js';
import { registerEvolutionApi } from './evolution/index.js';
import type { ConnectionLifecycle } from './whatsapp/connection.js';

// express.json({ limit: '136mb' }) in the gateway's main.ts.
const BODY_LIMIT = 136 * 1024 * 1024;

export function buildEmulatorApp(
  ctx: EmulatorContext,
  lifecycle: ConnectionLifecycle,
  hooks: ResetHooks,
): FastifyInstance {
  const app = Fastify({
    logger: ctx.settings.logger,
    bodyLimit: BODY_LIMIT,
    // Express routing is case-insensitive and tolerates a trailing slash.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    forceCloseConnections: true,
  });

  // body-parser semantics: an empty JSON body is {}, a broken one is a 400 carrying the parser's message, and
  // other content types are not parsed at all (the body stays {}) instead of Fastify's 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, raw, done) => {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(Object.assign(new Error((error as Error).message), { statusCode: 400 }), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _raw, done) => done(null, {}));

  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = envelopeFor(error);
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      status: 404,
      error: 'Not Found',
      response: { message: [`Cannot ${request.method.toUpperCase()} ${request.url}`] },
    }),
  );

  registerEvolutionApi(app, ctx, lifecycle, '');
  registerEvolutionApi(app, ctx, lifecycle, '/_emulator');
  // The control API is ours, so it answers with our error body; its own scope keeps that handler to itself.
  app.register(async (scope) => {
    scope.setErrorHandler((error, _request, reply) => {
      if (error instanceof ControlError) return reply.code(error.status).send(error.body());
      const { status } = envelopeFor(error);
      const message = error instanceof Error ? error.message : String(error);
      return reply
        .code(status)
        .send(new ControlError(status, status === 500 ? 'internal' : 'invalid_request', message).body());
    });
    registerInstanceControl(scope, ctx, lifecycle);
    registerAdminControl(scope, ctx, lifecycle, hooks);
  });
  return app;
}
