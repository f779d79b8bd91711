// An advisor's settings change (PUT /api/whatsapp/config): validated, merged over what is stored
// and written back as one step. The row is locked while the change is merged, so concurrent
// partial changes to different settings all stick instead of the last writer's copy of the whole
// settings object undoing the others.
import {
  ensureConfig,
  lockConfig,
  updateConfig,
  type ConfigRow,
} from '../../db/repositories/whatsapp-config.repository.js';
import type { DomainContext } from '../context.js';
import { storedSettingsAfter } from './advisor-settings.js';

export async function updateSettings(
  ctx: Pick<DomainContext, 'db' | 'bounds'>,
  advisorId: string,
  patch: unknown,
): Promise<ConfigRow> {
  // Created outside the transaction: its slug retries must not run under the lock.
  await ensureConfig(ctx.db, advisorId);
  return ctx.db.transaction(async (tx) => {
    const row = await lockConfig(tx, advisorId);
    if (!row) throw new Error(`no whatsapp_config row for advisor ${advisorId}`);
    return updateConfig(tx, advisorId, { settings: storedSettingsAfter(row.settings, patch, ctx.bounds) });
  });
}
