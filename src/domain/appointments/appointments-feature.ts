// Appointment automation is the `reminders` feature (an admin can switch it off per advisor):
// every appointment use case checks it, reads included, so the routes answer 403 feature_disabled.
import { findConfig } from '../../db/repositories/whatsapp-config.repository.js';
import type { DomainContext } from '../context.js';
import { assertFeature, effectiveFeatures } from '../instances/features.js';

export async function assertAppointmentsEnabled(ctx: DomainContext, advisorId: string): Promise<void> {
  const row = await findConfig(ctx.db, advisorId);
  assertFeature(effectiveFeatures(ctx.featureDefaults, row?.features ?? {}), 'reminders');
}
