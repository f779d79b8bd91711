// API keys for the booking module: created by the advisor, shown once, listed without secrets,
// revoked by id. Scoped to the caller: another advisor's key id is a 404.
import type { FastifyInstance } from 'fastify';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { apikey } from '../../db/schema/index.js';
import { AppError, notFound } from '../../domain/app-error.js';
import { API_KEY_NAME_MAX_LENGTH } from '../../auth/auth.js';
import { credentialCachesOf } from '../../auth/session-cache.js';
import { auditAccountAction } from '../audit-account-action.js';
import type { AppDeps } from '../deps.js';
import { callerOf, requireCaller } from '../plugins/caller.js';

const keyView = z.object({
  id: z.string(),
  name: z.string().nullable(),
  start: z.string().nullable(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  enabled: z.boolean(),
});

export function apiKeyRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = requireCaller(deps.auth, deps.database.db);
  const db = deps.database.db;

  r.post(
    '/api/api-keys',
    {
      preParsing: auth,
      schema: {
        tags: ['api-keys'],
        body: z.object({ name: z.string().trim().min(1).max(API_KEY_NAME_MAX_LENGTH) }).strict(),
        response: { 201: keyView.extend({ key: z.string() }) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      if (caller.actor.type === 'api_key')
        throw new AppError('forbidden', 'API keys cannot create other API keys.');
      const created = await deps.auth.api.createApiKey({
        body: { name: request.body.name, userId: caller.advisorId },
      });
      await auditAccountAction(deps.ctx, request, 'api_key.create', {
        id: created.id,
        name: created.name ?? null,
        start: created.start ?? null,
      });
      return reply.status(201).send({
        id: created.id,
        name: created.name ?? null,
        start: created.start ?? null,
        createdAt: new Date(created.createdAt),
        expiresAt: created.expiresAt ? new Date(created.expiresAt) : null,
        enabled: created.enabled ?? true,
        key: created.key,
      });
    },
  );

  r.get(
    '/api/api-keys',
    {
      preParsing: auth,
      schema: { tags: ['api-keys'], response: { 200: z.object({ items: z.array(keyView) }) } },
    },
    async (request) => {
      const rows = await db
        .select()
        .from(apikey)
        .where(eq(apikey.referenceId, callerOf(request).advisorId))
        .orderBy(desc(apikey.createdAt));
      return {
        items: rows.map((k) => ({
          id: k.id,
          name: k.name,
          start: k.start,
          createdAt: k.createdAt,
          expiresAt: k.expiresAt,
          enabled: k.enabled ?? true,
        })),
      };
    },
  );

  r.delete(
    '/api/api-keys/:id',
    {
      preParsing: auth,
      schema: {
        tags: ['api-keys'],
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      // A key may revoke itself (a leaked key, put out of use by whoever holds it), never another:
      // a leaked key must not be able to cut the advisor's other integrations off.
      const { actor } = callerOf(request);
      if (actor.type === 'api_key' && actor.id !== request.params.id)
        throw new AppError('forbidden', 'An API key can revoke only itself; sign in to revoke other keys.');
      const deleted = await db
        .delete(apikey)
        .where(and(eq(apikey.id, request.params.id), eq(apikey.referenceId, callerOf(request).advisorId)))
        .returning({ id: apikey.id });
      if (deleted.length === 0) throw notFound('API key');
      // No API process may go on accepting it from its cache (revocation-feed.ts).
      await credentialCachesOf(deps.auth)?.feed.revoked(callerOf(request).advisorId);
      await auditAccountAction(deps.ctx, request, 'api_key.revoke', { id: request.params.id });
      return reply.status(204).send(null);
    },
  );
}
