// A change of quiet hours (PUT /api/whatsapp/config naming `quietHours`) and the messages quiet
// hours hold at send time (appointment-send-guard.ts). A held message is a row `scheduled` for the
// old window's end and a job delayed until then: nothing else looks at it before, so turned off
// or shortened, quiet hours went on holding it until the old end, possibly the next morning. Each
// held message whose window the new setting ends elsewhere is made due again, in the settings'
// transaction, at the time it was due before the hold (already past: a hold begins when the
// message is due); after the commit the caller wakes its job, and the send-time check decides
// again under the new setting: it goes out, or is held until the new end (a second `deferred`
// event), or, a reminder that could then only go out after the start, is skipped. A hold the new
// setting ends at the same instant is left as it is (nothing recorded twice).
//
// Only holds are touched: a message scheduled for a time of its own (the caller's `scheduledAt`,
// an appointment's plan, even one the planner moved out of quiet hours when it was booked) keeps
// it, as the plan's other settings do ("Read when planned", ARCHITECTURE.md). The advisor's own
// `timezone` plays no part: quiet hours are read in each appointment's zone.
import {
  listQuietHoursHolds,
  releaseQuietHoursHold,
} from '../../db/repositories/quiet-hours-hold.repository.js';
import { nowOf, type DomainContext } from '../context.js';
import { messageView } from '../messages/message-view.js';
import { nextAllowedInstant, type QuietHours } from './quiet-hours.js';

/** The ids of the messages made due again; their jobs are to be woken after the commit. */
export async function releaseQuietHoursHolds(
  tx: Pick<DomainContext, 'db' | 'now' | 'events'>,
  advisorId: string,
  quiet: QuietHours | null,
): Promise<string[]> {
  const now = nowOf(tx);
  const released: string[] = [];
  for (const hold of await listQuietHoursHolds(tx.db, advisorId, now)) {
    const heldUntil = hold.message.scheduledAt;
    if (nextAllowedInstant(now, quiet, hold.timezone).getTime() === heldUntil.getTime()) continue;
    const row = await releaseQuietHoursHold(tx.db, advisorId, hold.message.id, heldUntil, hold.heldFrom);
    if (!row) continue;
    released.push(row.id);
    await tx.events.publish(advisorId, { type: 'message', data: messageView(row) as never });
  }
  return released;
}
