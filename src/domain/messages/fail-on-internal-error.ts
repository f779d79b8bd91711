// Ends a message the pipeline could not process for a reason of its own (a bug, a row it cannot
// read, an exception no classification expected): `failed` with `internal_error`. Left waiting, such
// a message was given new jobs for ever and the advisor's history showed it pending for ever.
// Failed, it can be retried from the history (retry-message.ts) once the cause is fixed. The
// advisor sees why in words, the operator finds the details by the error id in the log; the
// account-safety pause never counts it (it says nothing about the WhatsApp account).
import { randomUUID } from 'node:crypto';
import { markFinished, type MessageRow } from '../../db/repositories/message.repository.js';
import { nowOf, type DomainContext } from '../context.js';
import { messageView } from './message-view.js';

export const INTERNAL_ERROR = 'internal_error';

/**
 * `what` says what kept failing ("Could not be processed after 3 attempts"). Null when the message
 * had already ended (sent, cancelled…): nothing is changed then. Throws when the row cannot be
 * written (the database away): it is still waiting, and the sweeper finds it again.
 */
export async function failOnInternalError(
  ctx: DomainContext,
  advisorId: string,
  messageId: string,
  what: string,
  cause: unknown,
): Promise<MessageRow | null> {
  const errorId = randomUUID();
  const reason = {
    code: INTERNAL_ERROR,
    message: `${what} because of an error on our side (error id ${errorId}). Retry it once it is fixed.`,
  };
  const row = await markFinished(ctx.db, advisorId, messageId, 'failed', reason, nowOf(ctx));
  if (!row) return null;
  ctx.logger.error({ err: cause, errorId, advisorId, messageId }, 'message failed by an internal error');
  await ctx.events
    .publish(advisorId, { type: 'message', data: messageView(row) as never })
    .catch(() => undefined);
  return row;
}
