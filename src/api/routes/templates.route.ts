// Message templates: the built-ins (in code) merged with the advisor's own templates and
// overrides. Every route acts on the caller's templates only: another advisor's id is a 404.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  createTemplateAndPlans,
  deleteTemplateAndPlans,
  updateTemplateAndPlans,
} from '../../domain/appointments/change-template.js';
import { getTemplate, listTemplates, previewTemplate } from '../../domain/templates/index.js';
import type { AppDeps } from '../deps.js';
import { callerOf, requireCaller, type Caller } from '../plugins/caller.js';
import {
  createTemplateBodySchema,
  previewTemplateBodySchema,
  templateIdParamsSchema,
  templateListSchema,
  templatePreviewSchema,
  templateSchema,
  templateUpdateSchema,
  updateTemplateBodySchema,
} from '../schemas/templates.schema.js';

const actorOf = (caller: Caller) => ({ type: caller.actor.type, id: caller.actor.id });

export function templateRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = requireCaller(deps.auth, deps.database.db);
  const ctx = deps.ctx;
  const tags = ['templates'];

  r.get(
    '/api/whatsapp/templates',
    { preParsing: auth, schema: { tags, response: { 200: templateListSchema } } },
    async (request) => ({ items: await listTemplates(ctx, callerOf(request).advisorId) }),
  );

  r.post(
    '/api/whatsapp/templates',
    {
      preParsing: auth,
      schema: {
        tags,
        description:
          'An override of a built-in (`overridesBuiltIn: true`) also writes again, with its words, the appointment messages planned from the built-in and not sent yet; `rerendered` says how many.',
        body: createTemplateBodySchema,
        response: { 201: templateUpdateSchema },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { template, rerendered } = await createTemplateAndPlans(
        ctx,
        deps.messages,
        caller.advisorId,
        request.body,
        actorOf(caller),
      );
      return reply.status(201).send({ ...template, rerendered });
    },
  );

  r.get(
    '/api/whatsapp/templates/:id',
    { preParsing: auth, schema: { tags, params: templateIdParamsSchema, response: { 200: templateSchema } } },
    async (request) => getTemplate(ctx, callerOf(request).advisorId, request.params.id),
  );

  r.put(
    '/api/whatsapp/templates/:id',
    {
      preParsing: auth,
      schema: {
        tags,
        description:
          "Editing a built-in creates (or edits) the advisor's override of it. Appointment messages planned from the template and not sent yet are written again with it; `rerendered` says how many.",
        params: templateIdParamsSchema,
        body: updateTemplateBodySchema,
        response: { 200: templateUpdateSchema },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const { template, rerendered } = await updateTemplateAndPlans(
        ctx,
        deps.messages,
        caller.advisorId,
        request.params.id,
        request.body,
        actorOf(caller),
      );
      return { ...template, rerendered };
    },
  );

  r.delete(
    '/api/whatsapp/templates/:id',
    {
      preParsing: auth,
      schema: {
        tags,
        description:
          'Deleting an override restores the built-in (also for the appointment messages planned from it and not sent yet); built-ins themselves answer 403.',
        params: templateIdParamsSchema,
        // 204 as documented since the route exists: how many planned messages went back to the
        // built-in's words is in their `message.rerender` audit entries and live events.
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await deleteTemplateAndPlans(ctx, deps.messages, caller.advisorId, request.params.id, actorOf(caller));
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/whatsapp/templates/:id/preview',
    {
      preParsing: auth,
      schema: {
        tags,
        params: templateIdParamsSchema,
        body: previewTemplateBodySchema,
        response: { 200: templatePreviewSchema },
      },
    },
    async (request) =>
      previewTemplate(ctx, callerOf(request).advisorId, request.params.id, request.body?.variables ?? {}),
  );
}
