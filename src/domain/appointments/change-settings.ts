// A settings change (PUT /api/whatsapp/config), with the appointment messages planned in the old
// locale rendered again (rerender-planned-messages.ts) in the same transaction: a reminder planned
// in Spanish used to go out in Spanish, its date written the Spanish way, weeks after the advisor
// had switched to Portuguese and new bookings were planned in Portuguese. If one planned message
// cannot be written in the new locale the change is refused and nothing changes (as a template
// edit is). Live events for the rewritten messages are published after the commit
// (runAppointmentTransaction). A change of quiet hours has the messages they hold look again under
// the new setting (release-quiet-hours-holds.ts).
import { lockAdvisorTemplates } from '../../db/repositories/planned-message.repository.js';
import { ensureConfig, type ConfigRow } from '../../db/repositories/whatsapp-config.repository.js';
import type { DomainContext } from '../context.js';
import { readSettings } from '../instances/advisor-settings.js';
import { settingsNamed, wakeSendsAfterSettings, writeSettings } from '../instances/update-settings.js';
import type { MessageQueue } from '../messages/message-queue.js';
import type { SendOptions } from '../messages/send-message.js';
import { runAppointmentTransaction } from './appointment-transaction.js';
import { releaseQuietHoursHolds } from './release-quiet-hours-holds.js';
import { rerenderPlannedMessages } from './rerender-planned-messages.js';

/** The settings as written, and how many planned messages were rewritten for a new locale. */
export interface SettingsUpdate {
  row: ConfigRow;
  rerendered: number;
}

export async function updateSettingsAndPlans(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  patch: unknown,
  actor: SendOptions['actor'],
): Promise<SettingsUpdate> {
  // Created outside the transaction: its slug retries must not run under the lock.
  await ensureConfig(ctx.db, advisorId);
  // Only a patch naming the locale can change what a planned message says. It takes the exclusive
  // template lock first, as a template edit does (and before the config row, the order every
  // appointment transaction takes them in), so a booking that read the old locale commits before
  // the planned messages are looked for; any other change (quiet hours, pacing) waits for no
  // booking and rewrites nothing.
  const namesLocale = settingsNamed(patch).includes('locale');
  const namesQuietHours = settingsNamed(patch).includes('quietHours');
  const update = await runAppointmentTransaction(ctx, queue, async (tx) => {
    if (namesLocale) await lockAdvisorTemplates(tx.db, advisorId, 'edit');
    const { before, row } = await writeSettings(tx, advisorId, patch);
    const from = readSettings(before.settings, ctx.bounds).locale;
    const to = readSettings(row.settings, ctx.bounds).locale;
    const rerendered =
      namesLocale && from !== to
        ? await rerenderPlannedMessages(
            tx,
            advisorId,
            { action: 'settings.update', locale: { from, to } },
            actor,
          )
        : 0;
    // Written with the setting: a change that fails releases nothing.
    const released = namesQuietHours
      ? await releaseQuietHoursHolds(tx, advisorId, readSettings(row.settings, ctx.bounds).quietHours)
      : [];
    return { row, rerendered, released };
  });
  await wakeSendsAfterSettings(ctx, advisorId, patch);
  // Woken only after the commit: a job woken before would still read the row held and wait again.
  // Not woken (Redis away), a released message still goes at the old end, as before.
  if (update.released.length > 0) await queue.resume(advisorId, update.released).catch(() => undefined);
  return { row: update.row, rerendered: update.rerendered };
}
