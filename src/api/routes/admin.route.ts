// Platform administration: feature switches for any advisor.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { eq } from 'drizzle-orm';
import { user } from '../../db/schema/index.js';
import { ensureConfig, mergeFeatureOverrides } from '../../db/repositories/whatsapp-config.repository.js';
import { notFound } from '../../domain/app-error.js';
import { effectiveFeatures } from '../../domain/instances/features.js';
import { auditAdminAction } from '../audit-account-action.js';
import type { AppDeps } from '../deps.js';
import { requireCaller } from '../plugins/caller.js';
import { featureOverridesSchema, featuresSchema } from '../schemas/whatsapp-config.schema.js';

export function adminRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireCaller(deps.auth, deps.database.db, { admin: true });
  const ctx = deps.ctx;

  r.put(
    '/api/admin/advisors/:id/features',
    {
      preParsing: admin,
      schema: {
        tags: ['admin'],
        params: z.object({ id: z.string().min(1).max(200) }),
        body: featureOverridesSchema,
        response: { 200: featuresSchema },
      },
    },
    async (request) => {
      const [advisor] = await ctx.db
        .select({ id: user.id })
        .from(user)
        .where(eq(user.id, request.params.id))
        .limit(1);
      if (!advisor) throw notFound('Advisor');
      await ensureConfig(ctx.db, advisor.id);
      // Merged in SQL, not read-modify-write: concurrent changes to other features are kept.
      // `null` removes the override (back to the server default), a boolean sets it.
      const updated = await mergeFeatureOverrides(ctx.db, advisor.id, request.body);
      // In the advisor's own log: their sends refused or skipped as feature_disabled say who and when.
      await auditAdminAction(ctx, request, advisor.id, 'features.update', { features: request.body });
      return effectiveFeatures(ctx.featureDefaults, updated.features);
    },
  );
}
