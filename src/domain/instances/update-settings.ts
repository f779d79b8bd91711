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
  ctx: Pick<DomainContext, 'db' | 'bounds' | 'wakeWaitingSends'>,
  advisorId: string,
  patch: unknown,
): Promise<ConfigRow> {
  // Created outside the transaction: its slug retries must not run under the lock.
  await ensureConfig(ctx.db, advisorId);
  const row = await ctx.db.transaction(async (tx) => {
    const current = await lockConfig(tx, advisorId);
    if (!current) throw new Error(`no whatsapp_config row for advisor ${advisorId}`);
    return updateConfig(tx, advisorId, {
      settings: storedSettingsAfter(current.settings, patch, ctx.bounds),
    });
  });
  // Messages waiting for a slot reserved under the old rate limit or pacing look again now (the
  // same wake-up as a reconnection's): a slot a day away under a cap since lifted is given up.
  const changed = patch !== null && typeof patch === 'object' ? Object.keys(patch) : [];
  // Saved either way: without Redis, they still look again at their old slot.
  if (changed.includes('rateLimit') || changed.includes('pacing'))
    await ctx.wakeWaitingSends?.(advisorId).catch(() => undefined);
  return row;
}
