// "Reintentar" on a failed message: put the same message back in the queue (same id, same
// content, history of attempts kept). Only failed outbound messages can be retried, and only while
// the features a send of theirs needs are on and their client has not opted out: a retry is a send.
import { insertAudit } from '../../db/repositories/audit.repository.js';
import { isOptedOut } from '../../db/repositories/client.repository.js';
import { mediaKept } from '../../db/repositories/media.repository.js';
import { findMessage, requeueFailed, type MessageRow } from '../../db/repositories/message.repository.js';
import { findConfig } from '../../db/repositories/whatsapp-config.repository.js';
import { AppError, notFound } from '../app-error.js';
import type { DomainContext } from '../context.js';
import { assertFeature, effectiveFeatures, featuresNeededBy } from '../instances/features.js';
import type { MessageQueue } from './message-queue.js';
import { messageView } from './message-view.js';
import { isTimeCritical } from './time-critical.js';

export async function retryMessage(
  ctx: DomainContext,
  queue: MessageQueue,
  advisorId: string,
  messageId: string,
  actor: { type: 'advisor' | 'api_key' | 'admin'; id: string },
): Promise<MessageRow> {
  const row = await findMessage(ctx.db, advisorId, messageId);
  if (!row || row.direction !== 'outbound') throw notFound('Message');
  if (row.status !== 'failed') {
    throw new AppError('state_conflict', `Only failed messages can be retried (this one is ${row.status}).`, {
      status: row.status,
    });
  }
  // An upload whose bytes retention deleted cannot be sent again. The retry used to be accepted
  // (202), fail again at the worker, and count there as a failure of the WhatsApp account: a few
  // such retries paused all of the advisor's sends (pause-sending.ts).
  if (row.mediaId && !row.mediaUrl && !(await mediaKept(ctx.db, advisorId, row.mediaId))) {
    throw new AppError(
      'state_conflict',
      `The file of this message is no longer kept (uploads are deleted ${ctx.config.mediaRetentionDays} days after their message is done): send it again as a new message.`,
      { status: row.status, reason: 'media_deleted' },
    );
  }
  // Refused as POST /send is (403 feature_disabled). Accepted, the worker would find the feature
  // off and mark the message `skipped`, which no retry accepts: it could never be sent again.
  const features = effectiveFeatures(
    ctx.featureDefaults,
    (await findConfig(ctx.db, advisorId))?.features ?? {},
  );
  for (const feature of featuresNeededBy(row)) assertFeature(features, feature);
  // Likewise a client who opted out since the message failed: 422 as POST /send answers. Accepted,
  // the worker would mark it `skipped` (recipient_opted_out), and once the client opted back in
  // no retry could send it.
  if (row.phone && (await isOptedOut(ctx.db, advisorId, row.phone))) {
    throw new AppError('recipient_opted_out', `${row.phone} asked not to receive messages (opted out).`, {
      phone: row.phone,
    });
  }
  const updated = await ctx.db.transaction(async (tx) => {
    // A new send: the id of an attempt WhatsApp failed is cleared and kept as superseded, so the
    // retry's echo can confirm it and that attempt's late echo cannot (requeueFailed).
    const requeued = await requeueFailed(tx, advisorId, messageId);
    // Only the retry that moved the message: one that lost a race to another changed nothing.
    if (!requeued) return null;
    await insertAudit(tx, advisorId, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'message.retry',
      messageId,
      phone: row.phone,
    });
    return requeued;
  });
  if (!updated)
    throw new AppError('state_conflict', 'The message changed while retrying; reload and try again.');
  // The message is queued again and its audit entry written: if the hand-over fails now (Redis
  // went away since the route checked it), the sweeper enqueues it, as for a send. Failing the
  // request would tell the caller to try again a retry that already happened (409 next time).
  await queue
    .requeue({ id: updated.id, advisorId, scheduledAt: null, timeCritical: isTimeCritical(updated) })
    .catch((err: Error) => {
      ctx.logger.warn({ err: err.message, messageId }, 'requeue failed; the sweeper will retry');
    });
  await ctx.events.publish(advisorId, { type: 'message', data: messageView(updated) as never });
  return updated;
}
