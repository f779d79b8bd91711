// Builds the Fastify application from its dependencies. It never listens: main.ts does, and tests
// drive it through real HTTP or app.inject.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from './deps.js';
import { AppError } from '../domain/app-error.js';
import {
  MAX_PATH_SEGMENT_LENGTH,
  answerClientError,
  overLongSegment,
  registerErrorHandler,
  sendError,
} from './plugins/error-handler.js';
import { registerApiRateLimit } from './plugins/api-rate-limit.js';
import { registerJsonBodyParser } from './plugins/json-body.js';
import { apiValidatorCompiler } from './plugins/query-validator.js';
import { apiKeyRoutes } from './routes/api-keys.route.js';
import { authRoutes } from './routes/auth.route.js';
import { RevocationFeed } from '../auth/revocation-feed.js';
import { ApiKeyCache, attachCredentialCaches, SessionCache } from '../auth/session-cache.js';
import { healthRoutes } from './routes/health.route.js';
import { whatsappConfigRoutes } from './routes/whatsapp-config.route.js';
import { adminRoutes } from './routes/admin.route.js';
import { messageRoutes } from './routes/messages.route.js';
import { allowAnyOriginOnPublicRoutes, publicRoutes } from './routes/public.route.js';
import { metricsRoutes } from './routes/metrics.route.js';
import { opsRoutes } from './routes/ops.route.js';
import { sandboxProxyRoutes } from './routes/sandbox-proxy.route.js';
import { templateRoutes } from './routes/templates.route.js';
import { webhookRoutes } from './routes/webhook.route.js';
import { inboxRoutes } from './routes/inbox.route.js';
import { appointmentRoutes } from './routes/appointments.route.js';
import { webRoutes } from './routes/web.route.js';

// A caller's (or its proxy's) request id is kept only when it looks like one, so nobody can put
// arbitrary text into every log line of a request; anything else gets a fresh id.
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && CALLER_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.limits.httpBodyBytes,
    requestIdHeader: false,
    genReqId: requestIdOf,
    // On close, idle keep-alive sockets are closed and requests in flight are answered (a POST
    // /send whose row is committed must reach its caller, or a caller without an Idempotency-Key
    // sends it again). Live-event streams are ended by their own preClose hook.
    forceCloseConnections: 'idle',
    // A request arriving on a kept-alive connection while the server closes gets our 503 body
    // (the first onRequest hook below), not Fastify's.
    return503OnClosing: false,
    trustProxy: deps.config.trustProxy,
    // Path parameters are checked by each route's schema (an appointment's externalId may be 200
    // characters); this is only the router's outer bound. Paths the router does not refuse but
    // sends to the not-found handler get the same 400 there.
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT_LENGTH },
    // The router's own refusals (a badly %-encoded URL, an over-long path parameter) answer with
    // the documented error body like every other error, not Fastify's.
    frameworkErrors: (err, request, reply) => {
      // Before any hook runs: the onRequest one below does not name the request id here.
      reply.header('x-request-id', request.id);
      allowAnyOriginOnPublicRoutes(request, reply);
      const error =
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? overLongSegment()
          : new AppError('invalid_request', 'The URL is not valid: a %-escape in its path is malformed.');
      void sendError(reply, error);
    },
    // And so do the HTTP parser's (a control character in a header, headers over the size limit).
    clientErrorHandler: answerClientError,
  });
  // JSON is the only body the API reads (webhooks and the emulator proxy register their own
  // parsers); Fastify's built-in text/plain parser would hand a string to the JSON schemas.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);
  app.setValidatorCompiler(apiValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('caller', null);
  registerErrorHandler(app);
  // Every answer, errors included, names its request id: the line to grep for in the logs; and
  // every answer of the public routes may be read from any origin (first, before any refusal).
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    allowAnyOriginOnPublicRoutes(request, reply);
    if (deps.lifecycle.closing) {
      reply.header('retry-after', '1');
      throw new AppError('service_unavailable', 'The server is shutting down: send the request again.', {
        shuttingDown: true,
      });
    }
  });
  // While the process drains or closes, every answer closes its connection: keep-alive clients
  // open their next one to an instance still serving, and no socket idle after its answer holds
  // the server's close open (Node closes only the sockets idle when the close begins).
  app.addHook('onSend', async (_request, reply, payload) => {
    if (deps.lifecycle.draining || deps.lifecycle.closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('preClose', async () => {
    deps.lifecycle.closing = true;
  });
  // A NUL byte has no business in a URL, and PostgreSQL cannot store one: refuse it up front.
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url)) {
      throw new AppError('invalid_request', 'The URL contains a NUL character (%00).');
    }
  });
  await registerApiRateLimit(
    app,
    deps.redis,
    { perMinute: deps.config.limits.apiPerMinute, authPerMinute: deps.config.limits.authPerMinute },
    deps.config.redis.prefix,
  );

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'wellness-whatsapp',
        version: '0.1.0',
        description: 'See shared/API.md for the contract.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'better-auth.session_token' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  healthRoutes(app, deps);
  const sessions = new SessionCache(deps.config.sessionCacheTtlMs);
  const apiKeys = new ApiKeyCache(deps.config.apiKeyCacheTtlMs);
  const feed = new RevocationFeed(deps.redis, deps.config.redis.prefix, [sessions, apiKeys], deps.logger);
  feed.start();
  app.addHook('onClose', () => feed.close());
  attachCredentialCaches(deps.auth, { sessions, apiKeys, feed });
  authRoutes(app, deps.auth, deps.database, deps.ctx, deps.messages);
  apiKeyRoutes(app, deps);
  whatsappConfigRoutes(app, deps);
  adminRoutes(app, deps);
  messageRoutes(app, deps);
  templateRoutes(app, deps);
  webhookRoutes(app, deps);
  inboxRoutes(app, deps);
  appointmentRoutes(app, deps);
  publicRoutes(app, deps);
  metricsRoutes(app, deps);
  await opsRoutes(app, deps, deps.queues);
  if (deps.sandbox) await sandboxProxyRoutes(app, deps.sandbox.url);
  // Last: the dashboard's catch-all GET only answers what no API route claimed.
  await webRoutes(app);
  return app;
}
