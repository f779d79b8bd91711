// The advisor's WhatsApp connection: configuration and settings, connect / disconnect / remove,
// and the live event stream. Everything acts on the caller's own row only.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ensureConfig } from '../../db/repositories/whatsapp-config.repository.js';
import { AppError } from '../../domain/app-error.js';
import { updateSettingsAndPlans } from '../../domain/appointments/change-settings.js';
import { configView } from '../../domain/instances/config-view.js';
import { connectInstance } from '../../domain/instances/connect-instance.js';
import { disconnectInstance, removeInstance } from '../../domain/instances/disconnect-instance.js';
import { resumeSending } from '../../domain/instances/pause-sending.js';
import { refreshConnectionState } from '../../domain/instances/refresh-connection-state.js';
import { auditAccountAction } from '../audit-account-action.js';
import type { AppDeps } from '../deps.js';
import { callerOf, requireCaller, resolveCaller } from '../plugins/caller.js';
import { configViewSchema, connectResponseSchema } from '../schemas/whatsapp-config.schema.js';
import { OpenStreams, streamEvents } from './live-events.js';

export function whatsappConfigRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = requireCaller(deps.auth, deps.database.db);
  const ctx = deps.ctx;
  const tags = ['connection'];
  const streams = new OpenStreams();
  app.addHook('preClose', async () => streams.endAll());

  r.get(
    '/api/whatsapp/config',
    {
      preParsing: auth,
      schema: {
        tags,
        querystring: z.object({ refresh: z.enum(['true', 'false', '1', '0']).optional() }),
        response: { 200: configViewSchema },
      },
    },
    async (request) => {
      const { advisorId } = callerOf(request);
      let row = await ensureConfig(ctx.db, advisorId);
      if (request.query.refresh === 'true' || request.query.refresh === '1') {
        await refreshConnectionState(ctx, advisorId);
        row = await ensureConfig(ctx.db, advisorId);
      }
      return configView(ctx, row);
    },
  );

  r.put(
    '/api/whatsapp/config',
    {
      preParsing: auth,
      schema: {
        tags,
        body: z.object({ settings: z.record(z.string(), z.unknown()) }).strict(),
        response: { 200: configViewSchema },
      },
    },
    async (request) => {
      const { advisorId, actor } = callerOf(request);
      // A new locale also rewrites the appointment messages planned in the old one (or refuses
      // with 422 naming one that the new locale cannot render).
      const { row } = await updateSettingsAndPlans(ctx, deps.messages, advisorId, request.body.settings, {
        type: actor.type,
        id: actor.id,
      });
      await auditAccountAction(ctx, request, 'settings.update', { settings: request.body.settings });
      return configView(ctx, row);
    },
  );

  r.delete(
    '/api/whatsapp/config',
    {
      preParsing: auth,
      schema: { tags, response: { 200: z.object({ status: z.literal('not_configured') }) } },
    },
    async (request) => {
      await removeInstance(ctx, callerOf(request).advisorId);
      await auditAccountAction(ctx, request, 'instance.remove');
      return { status: 'not_configured' as const };
    },
  );

  r.post(
    '/api/whatsapp/connect',
    {
      preParsing: auth,
      schema: {
        tags,
        // Optional body: Fastify hands a request without one to the schema as null, not undefined.
        body: z
          .object({
            // What the gateway client takes as E.164 once the "+" is put back: no leading 0 (a
            // national number), at most 15 digits. Anything else used to reach the gateway client,
            // whose refusal was answered 503 "try again" for a number that can never work.
            phoneNumber: z
              .string()
              .regex(/^\+?[1-9]\d{7,14}$/, 'digits only, with country code (no leading 0)')
              .optional(),
          })
          .strict()
          .nullish(),
        response: { 200: connectResponseSchema },
      },
    },
    async (request) => {
      // The gateway client takes E.164 ("+" and digits); the body may leave the "+" out.
      const digits = request.body?.phoneNumber?.replace(/^\+/, '');
      const outcome = await connectInstance(
        ctx,
        callerOf(request).advisorId,
        digits ? { phoneNumber: `+${digits}` } : {},
      );
      await auditAccountAction(ctx, request, 'instance.connect', { status: outcome.status });
      return outcome;
    },
  );

  r.post(
    '/api/whatsapp/disconnect',
    {
      preParsing: auth,
      schema: { tags, response: { 200: z.object({ status: z.literal('disconnected') }) } },
    },
    async (request) => {
      const outcome = await disconnectInstance(ctx, callerOf(request).advisorId);
      await auditAccountAction(ctx, request, 'instance.disconnect');
      return outcome;
    },
  );

  // Lifts the automatic pause after a burst of failed sends (account safety); the waiting
  // messages go out again, paced. `resumed: false` when nothing was paused.
  r.post(
    '/api/whatsapp/resume',
    {
      preParsing: auth,
      schema: {
        tags,
        response: { 200: z.object({ resumed: z.boolean(), alert: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { advisorId } = callerOf(request);
      const resumed = await resumeSending(ctx, advisorId);
      if (resumed) await auditAccountAction(ctx, request, 'sending.resume');
      return { resumed, alert: (await ensureConfig(ctx.db, advisorId)).alert };
    },
  );

  r.get(
    '/api/whatsapp/events',
    { preParsing: auth, schema: { tags, hide: true } },
    async (request, reply) => {
      const { advisorId } = callerOf(request);
      const stillAllowed = async () => {
        try {
          return (await resolveCaller(deps.auth, ctx.db, request))?.advisorId === advisorId;
        } catch (err) {
          if (err instanceof AppError && err.code === 'unauthorized') return false;
          throw err;
        }
      };
      await streamEvents(
        request,
        reply,
        deps.events,
        advisorId,
        async () => ({
          type: 'status',
          data: configView(ctx, await ensureConfig(ctx.db, advisorId)) as unknown as Record<string, unknown>,
        }),
        streams,
        { stillAllowed, everyMs: deps.config.liveEventsRecheckMs },
      );
    },
  );
}
