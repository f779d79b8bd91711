// Public profile CTA (no auth): the wa.me link as JSON, as a QR code (SVG and PNG, for the
// printed card), and a counting redirect the button can point at.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isbot } from 'isbot';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CTA_QR_ERROR_CORRECTION, drawCtaQrCode } from '../../domain/public-cta/cta-qr-code.js';
import { findPublicCta, recordCtaClick } from '../../domain/public-cta/public-cta.js';
import { TEMPLATE_LANGUAGES } from '../../domain/templates/index.js';
import type { AppDeps } from '../deps.js';

// Slugs are made lower-case (whatsapp-config.repository.ts, slugify); a link typed or printed with
// capitals still finds its advisor.
const params = z.object({ slug: z.string().min(1).max(80).toLowerCase() });

/**
 * embed.js asks from the advisor's own website, another origin (without credentials), so every
 * answer under /api/public/ may be read from anywhere: a 404 or a 400 too, so the script shows
 * nothing rather than a fallback link. Installed by buildApp as its first onRequest hook and in
 * the router's own refusals, so that no answer, an error before routing included, misses it.
 */
export function allowAnyOriginOnPublicRoutes(request: FastifyRequest, reply: FastifyReply): void {
  if (request.url.startsWith('/api/public/')) reply.header('access-control-allow-origin', '*');
}

export function publicRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;
  const tags = ['public'];

  r.get(
    '/api/public/advisors/:slug/whatsapp',
    {
      schema: {
        tags,
        params,
        response: {
          200: z.object({
            url: z.string(),
            phone: z.string(),
            message: z.string(),
            name: z.string(),
            clickUrl: z.string(),
            language: z.enum(TEMPLATE_LANGUAGES),
          }),
        },
      },
    },
    async (request, reply) => {
      const cta = await findPublicCta(ctx, request.params.slug);
      reply.header('cache-control', 'public, max-age=60');
      return {
        url: cta.url,
        phone: cta.phone,
        message: cta.message,
        name: cta.name,
        language: cta.language,
        clickUrl: `${deps.config.publicBaseUrl}/api/public/advisors/${encodeURIComponent(request.params.slug)}/whatsapp/go`,
      };
    },
  );

  r.get('/api/public/advisors/:slug/whatsapp/go', { schema: { tags, params } }, async (request, reply) => {
    const cta = await findPublicCta(ctx, request.params.slug);
    // A click is a visitor's. Fastify answers HEAD with this handler too (a link checker asking
    // where the link leads), and crawlers and link previews (a search engine following the
    // profile's button, WhatsApp or Slack unfolding a pasted link) GET it: none of them counts.
    // Nor does a request with no User-Agent (or an empty one): every browser sends one, scripts
    // and health checks often do not, and isbot() takes a missing one for a human.
    const agent = request.headers['user-agent'];
    if (request.method !== 'HEAD' && agent && !isbot(agent)) {
      await recordCtaClick(ctx, cta.advisorId);
    }
    return reply.header('x-robots-tag', 'noindex, nofollow').redirect(cta.url, 302);
  });

  r.get(
    '/api/public/advisors/:slug/whatsapp/qr.svg',
    { schema: { tags, params } },
    async (request, reply) => {
      const cta = await findPublicCta(ctx, request.params.slug);
      const svg = await drawCtaQrCode(cta, (link) =>
        QRCode.toString(link, { type: 'svg', margin: 2, errorCorrectionLevel: CTA_QR_ERROR_CORRECTION }),
      );
      return reply
        .header('content-type', 'image/svg+xml; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(svg);
    },
  );

  r.get(
    '/api/public/advisors/:slug/whatsapp/qr.png',
    { schema: { tags, params } },
    async (request, reply) => {
      const cta = await findPublicCta(ctx, request.params.slug);
      const png = await drawCtaQrCode(cta, (link) =>
        QRCode.toBuffer(link, {
          type: 'png',
          margin: 2,
          width: 512,
          errorCorrectionLevel: CTA_QR_ERROR_CORRECTION,
        }),
      );
      return reply
        .header('content-type', 'image/png')
        .header('cache-control', 'public, max-age=300')
        .send(png);
    },
  );
}
