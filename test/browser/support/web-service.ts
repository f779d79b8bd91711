// The real service (startTestService) serving the built dashboard. Until build-app.ts registers
// webRoutes, a thin front on another port serves web/dist with webRoutes and forwards /api and
// /_emulator to the service and its emulator (rewriting Origin, as a same-origin browser would send
// it); once the service serves the app itself, the front is skipped.
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { webRoutes } from '../../../src/api/routes/web.route.js';
import { startTestService, type TestService, type TestServiceOptions } from '../../support/service.js';
import { ensureWebBuild } from './web-build.js';

export interface WebService {
  /** Where the browser goes: the service itself, or the front while it cannot serve the app. */
  url: string;
  service: TestService;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-encoding',
]);

export async function startWebService(options: TestServiceOptions = {}): Promise<WebService> {
  await ensureWebBuild();
  const service = await startTestService(options);
  if (service.app.hasRoute({ method: 'GET', url: '/*' })) {
    return { url: service.url, service, close: () => service.close() };
  }
  const front = await startFront(service.url, service.emulatorUrl);
  return {
    url: front.url,
    service,
    close: async () => {
      await front.app.close();
      await service.close();
    },
  };
}

async function startFront(
  target: string,
  emulatorUrl: string,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  // The emulator answers its control API under /_emulator itself, as the sandbox proxy will.
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const base = request.url.startsWith('/_emulator') ? emulatorUrl : target;
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    if (headers.has('origin')) headers.set('origin', target);
    const hasBody = !['GET', 'HEAD'].includes(request.method) && Buffer.isBuffer(request.body);
    const res = await fetch(base + request.url, {
      method: request.method,
      headers,
      body: hasBody ? new Uint8Array(request.body as Buffer) : undefined,
      redirect: 'manual',
    });
    reply.status(res.status);
    res.headers.forEach((value, name) => {
      if (name !== 'set-cookie' && !HOP_BY_HOP.has(name)) reply.header(name, value);
    });
    const cookies = res.headers.getSetCookie();
    if (cookies.length) reply.header('set-cookie', cookies);
    return reply.send(
      res.body ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) : null,
    );
  };
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
  for (const prefix of ['/api', '/_emulator']) {
    app.route({ method: [...methods], url: prefix, handler: forward });
    app.route({ method: [...methods], url: `${prefix}/*`, handler: forward });
  }
  await webRoutes(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}
