// Sandbox mode only: the emulator (its control API and the Evolution API paths) is reachable on
// the service's own address under /_emulator, so the dashboard and black-box tests need one
// address. Bodies and answers pass through unchanged.
import type { FastifyInstance } from 'fastify';

const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'cookie',
]);

export async function sandboxProxyRoutes(app: FastifyInstance, emulatorUrl: string): Promise<void> {
  await app.register(async (scope) => {
    // Forward raw bytes: the emulator parses (and rejects) bodies the way Evolution does.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.all('/_emulator/*', { schema: { hide: true } }, async (request, reply) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers[name] = value;
      }
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && Buffer.isBuffer(request.body);
      const upstream = await fetch(`${emulatorUrl}${request.url}`, {
        method: request.method,
        headers,
        ...(hasBody ? { body: new Uint8Array(request.body as Buffer) } : {}),
      });
      reply.status(upstream.status);
      const type = upstream.headers.get('content-type');
      if (type) reply.header('content-type', type);
      return reply.send(Buffer.from(await upstream.arrayBuffer()));
    });
  });
}
