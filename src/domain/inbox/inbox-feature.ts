// The inbox is a per-advisor feature (an admin can switch it off): every inbox use case checks it.
import { findConfig } from '../../db/repositories/whatsapp-config.repository.js';
import type { DomainContext } from '../context.js';
import { assertFeature, effectiveFeatures } from '../instances/features.js';

export async function assertInboxEnabled(ctx: DomainContext, advisorId: string): Promise<void> {
  const row = await findConfig(ctx.db, advisorId);
  assertFeature(effectiveFeatures(ctx.featureDefaults, row?.features ?? {}), 'inbox');
}
