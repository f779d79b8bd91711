// The advisor's account name changed (better-auth's update-user, an admin's, or an operator's SQL):
// the appointment messages planned with the old name in `{nombre_asesor}` are rendered again
// (rerender-planned-messages.ts). better-auth writes the user row in its own transaction, so this
// cannot be the same one. What ties the two together is the mark a trigger writes with the name's
// UPDATE (`advisor_name_change`, migration 0024): it commits with the name or not at all. The auth
// route renders right after better-auth answers (advisor-rename.ts); a mark that outlives that
// render (it failed, the process died in between) is taken by the outbox sweeper
// (renderLeftRenames), so planned messages never keep an old name for good.
//
// The render takes the exclusive template lock like a template edit, then deletes the mark in the
// same transaction: a booking that read the old name before better-auth's write commits before the
// planned messages are looked for, and is rewritten with the others; two renders of one mark write
// once. It renders from the name stored now and rewrites only what differs, so a second change of
// name meanwhile leaves a mark of its own for the next render. A message the new name would push
// over WhatsApp's limit is refused before better-auth writes (assertPlansRenderWithName); one
// planned in between keeps its words, and the service logs it (unrenderable: 'keep').
import { lockAdvisorTemplates } from '../../db/repositories/planned-message.repository.js';
import {
  hasNameChangeMark,
  listNameChangeMarks,
  takeNameChangeMark,
} from '../../db/repositories/name-change.repository.js';
import type { DomainContext } from '../context.js';
import type { MessageQueue } from '../messages/message-queue.js';
import type { SendOptions } from '../messages/send-message.js';
import { runAppointmentTransaction } from './appointment-transaction.js';
import { rerenderPlannedMessages } from './rerender-planned-messages.js';

/** Marks younger than this are the auth route's, about to render them itself (with its actor). */
export const NAME_CHANGE_GRACE_MS = 10_000;
/** Marks the sweeper takes per run; the rest wait for the next. */
const SWEEP_LIMIT = 100;

/**
 * Renders the advisor's planned messages with their new name when a change of name left its mark;
 * answers how many were rewritten, or null when no render was owed (an image-only change, the same
 * name again, or a render that ran meanwhile).
 */
export async function renderPlansAfterRename(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  actor: SendOptions['actor'],
): Promise<number | null> {
  // Read first, without the lock: most calls of update-user change no name.
  if (!(await hasNameChangeMark(ctx.db, advisorId))) return null;
  return runAppointmentTransaction(ctx, queue, async (tx) => {
    await lockAdvisorTemplates(tx.db, advisorId, 'edit');
    if (!(await takeNameChangeMark(tx.db, advisorId))) return null;
    return rerenderPlannedMessages(tx, advisorId, { action: 'account.update' }, actor, {
      unrenderable: 'keep',
    });
  });
}

/**
 * The sweeper's part: renders the plans of every change of name whose render did not happen. The
 * actor is the automation: the one who changed the name is not known here. Answers how many marks
 * it took; one that fails again stays for the next run.
 */
export async function renderLeftRenames(
  ctx: DomainContext,
  queue: MessageQueue,
  now = new Date(),
): Promise<number> {
  const advisorIds = await listNameChangeMarks(
    ctx.db,
    new Date(now.getTime() - NAME_CHANGE_GRACE_MS),
    SWEEP_LIMIT,
  );
  let taken = 0;
  for (const advisorId of advisorIds) {
    try {
      const rewritten = await renderPlansAfterRename(ctx, queue, advisorId, { type: 'automation', id: null });
      if (rewritten === null) continue;
      taken++;
      ctx.logger.warn({ advisorId, rewritten }, 'sweeper rendered planned messages after a change of name');
    } catch (err) {
      ctx.logger.warn(
        { advisorId, err: (err as Error).message },
        'could not render planned messages after a change of name; the next sweep retries',
      );
    }
  }
  return taken;
}
