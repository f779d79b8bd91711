// An advisor's settings change (PUT /api/whatsapp/config): validated, merged over what is stored
// and written back as one step. The row is locked while the change is merged, so concurrent
// partial changes to different settings all stick instead of the last writer's copy of the whole
// settings object undoing the others. Runs inside the caller's transaction
// (change-settings.ts), which also renders the planned appointment messages again when the
// locale changed.
import {
  lockConfig,
  updateConfig,
  type ConfigRow,
} from '../../db/repositories/whatsapp-config.repository.js';
import type { DomainContext } from '../context.js';
import { storedSettingsAfter } from './advisor-settings.js';

/** The row as it was and as written; the caller created it first (ensureConfig). */
export async function writeSettings(
  tx: Pick<DomainContext, 'db' | 'bounds'>,
  advisorId: string,
  patch: unknown,
): Promise<{ before: ConfigRow; row: ConfigRow }> {
  const before = await lockConfig(tx.db, advisorId);
  if (!before) throw new Error(`no whatsapp_config row for advisor ${advisorId}`);
  const row = await updateConfig(tx.db, advisorId, {
    settings: storedSettingsAfter(before.settings, patch, tx.bounds),
  });
  return { before, row };
}

/** The settings a patch names (a partial change leaves the others alone). */
export const settingsNamed = (patch: unknown): string[] =>
  patch !== null && typeof patch === 'object' ? Object.keys(patch) : [];

/**
 * After the commit: messages waiting for a slot reserved under the old rate limit or pacing look
 * again now (the same wake-up as a reconnection's): a slot a day away under a cap since lifted is
 * given up. Their pacing slots are given back before any of them looks, so that they reserve
 * anew one after the other from now: with the others' old slots still counted, a batch held by
 * a cap since lifted went on waiting the hour or the day. Saved either way: without Redis, they
 * still look again at their old slot.
 */
export async function wakeSendsAfterSettings(
  ctx: Pick<DomainContext, 'wakeWaitingSends'>,
  advisorId: string,
  patch: unknown,
): Promise<void> {
  const changed = settingsNamed(patch);
  if (changed.includes('rateLimit') || changed.includes('pacing'))
    await ctx.wakeWaitingSends?.(advisorId, { reserveAgain: true }).catch(() => undefined);
}
