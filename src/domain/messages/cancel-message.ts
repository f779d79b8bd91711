// "Cancelar envío": a message still waiting to go out (scheduled, or queued and not yet taken by a
// worker) is cancelled for good, with the reason `cancelled_by_advisor`. The update is conditional,
// so it races the worker's claim safely: whichever moves the row first wins, and a message already
// in flight or sent answers 409 with its status. A queued message whose last attempt got no answer
// is still in flight until the wait for that attempt's echo ends (cancellable in the repository).
// Cancelling a cancelled message answers it again.
import { insertAudit } from '../../db/repositories/audit.repository.js';
import { cancelWaiting, findMessage, type MessageRow } from '../../db/repositories/message.repository.js';
import { AppError, notFound } from '../app-error.js';
import type { DomainContext } from '../context.js';
import type { MessageQueue } from './message-queue.js';
import { messageView } from './message-view.js';

const CANCELLED_BY_ADVISOR = { code: 'cancelled_by_advisor', message: 'Cancelled before it went out.' };

export async function cancelMessage(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  messageId: string,
  actor: { type: 'advisor' | 'api_key' | 'admin'; id: string },
): Promise<MessageRow> {
  const row = await findMessage(ctx.db, advisorId, messageId);
  if (!row || row.direction !== 'outbound') throw notFound('Message');
  if (row.status === 'cancelled') return row;
  const updated = await ctx.db.transaction(async (tx) => {
    const result = await cancelWaiting(tx, advisorId, messageId, CANCELLED_BY_ADVISOR);
    if (!result) return null;
    await insertAudit(tx, advisorId, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'message.cancel',
      messageId,
      phone: row.phone,
      content: { status: row.status, scheduledAt: row.scheduledAt?.toISOString() ?? null },
    });
    return result;
  });
  if (!updated) {
    // Taken by a worker (or finished) since it was read: say what it is now.
    const now = (await findMessage(ctx.db, advisorId, messageId)) ?? row;
    if (now.status === 'cancelled') return now;
    if (now.status === 'queued' || now.status === 'scheduled') {
      // Waiting for the echo of an attempt that got no answer: it may already be on the phone.
      throw new AppError(
        'state_conflict',
        'Its last attempt got no answer from WhatsApp and may have gone out; it cannot be cancelled until that is known.',
        { status: now.status, uncertainUntil: now.uncertainUntil?.toISOString() ?? null },
      );
    }
    throw new AppError(
      'state_conflict',
      `Only a scheduled or queued message can be cancelled (this one is ${now.status}).`,
      { status: now.status },
    );
  }
  // Tidying only: the worker re-reads the row and leaves a cancelled message alone.
  await queue
    .remove(messageId)
    .catch((err: Error) =>
      ctx.logger.warn({ err: err.message, messageId }, 'could not drop a cancelled job'),
    );
  await ctx.events
    .publish(advisorId, { type: 'message', data: messageView(updated) as never })
    .catch(() => undefined);
  return updated;
}
