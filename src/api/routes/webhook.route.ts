// POST /api/whatsapp/webhook[/:event]: Evolution's deliveries. No session: the request proves
// itself with its instance's secret (see domain/webhooks/verify-webhook-request.ts). The body is
// kept as raw bytes (a body signature covers exactly what was sent) and is limited to
// WEBHOOK_BODY_LIMIT. Answered as soon as the event is stored (a worker processes it), or, for
// delivery and read receipts of recorded messages, applied (webhook-event-writer.ts).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WebhookEventWriter } from '../../domain/webhooks/webhook-event-writer.js';
import { WebhookReceiver } from '../../domain/webhooks/receive-webhook.js';
import { WebhookTenants } from '../../domain/webhooks/webhook-tenants.js';
import type { AppDeps } from '../deps.js';

export function webhookRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { ctx } = deps;
  const writer = new WebhookEventWriter(ctx.db, ctx.events, deps.webhookQueue, ctx.logger, {
    echoGraceMs: deps.config.webhooks.echoGraceMs,
  });
  const receiver = new WebhookReceiver(new WebhookTenants(ctx.db, ctx.box), writer, ctx.logger);
  // Events accepted before shutdown are written before the database closes.
  app.addHook('onClose', () => writer.drain());

  void app.register(async (scope) => {
    const bodyLimit = deps.config.limits.webhookBodyBytes;
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );

    const r = scope.withTypeProvider<ZodTypeProvider>();
    const options = {
      bodyLimit,
      // Thousands a second at peak: per-request access logs stay off; rejections log themselves.
      logLevel: 'warn' as const,
      schema: {
        tags: ['webhooks'],
        summary: 'Evolution API webhook (instance-signed; no session)',
        response: { 200: z.object({ received: z.literal(true) }) },
      },
    };
    const handle = async (
      body: unknown,
      headers: Record<string, string | string[] | undefined>,
      ip: string,
      pathEvent?: string,
    ) => {
      await receiver.receive({ rawBody: Buffer.isBuffer(body) ? body : undefined, headers, pathEvent, ip });
      return { received: true as const };
    };

    r.post('/api/whatsapp/webhook', options, async (request) =>
      handle(request.body, request.headers, request.ip),
    );
    r.post(
      '/api/whatsapp/webhook/:event',
      { ...options, schema: { ...options.schema, params: z.object({ event: z.string().max(100) }) } },
      async (request) => handle(request.body, request.headers, request.ip, request.params.event),
    );
  });
}
