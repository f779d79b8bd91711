// The advisor's account name changed (better-auth's update-user, or an admin's): the appointment
// messages planned with the old name in `{nombre_asesor}` are rendered again
// (rerender-planned-messages.ts). better-auth writes the user row in its own transaction, and its
// after-hooks run once that has committed, so this is a second transaction right after it (called
// by the auth route, auth.route.ts), not the same one. It is idempotent: it renders every planned
// message from the name stored now and rewrites only those whose words differ, so running it twice,
// or after a booking that already read the new name, changes nothing more.
//
// It takes the exclusive template lock like a template edit: a booking that read the old name
// before better-auth's write commits before the planned messages are looked for, and is rewritten
// with the others. A message the new name would push over WhatsApp's limit cannot refuse a change
// already committed: it keeps its words, and the service logs it (unrenderable: 'keep').
import { lockAdvisorTemplates } from '../../db/repositories/planned-message.repository.js';
import type { DomainContext } from '../context.js';
import type { MessageQueue } from '../messages/message-queue.js';
import type { SendOptions } from '../messages/send-message.js';
import { runAppointmentTransaction } from './appointment-transaction.js';
import { rerenderPlannedMessages } from './rerender-planned-messages.js';

/** Answers how many planned messages were rewritten. */
export async function renderPlansWithNewName(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  actor: SendOptions['actor'],
): Promise<number> {
  return runAppointmentTransaction(ctx, queue, async (tx) => {
    await lockAdvisorTemplates(tx.db, advisorId, 'edit');
    return rerenderPlannedMessages(tx, advisorId, { action: 'account.update' }, actor, {
      unrenderable: 'keep',
    });
  });
}
