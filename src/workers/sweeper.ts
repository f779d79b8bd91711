// The outbox's safety net: finds unfinished messages whose job is missing from Redis (Redis
// restarted without persistence, a crash between commit and enqueue) and enqueues them again.
// Job ids are derived from message ids, so a message that does have its job is never doubled.
// Then it drops from the advisors' fairness backlogs the messages whose job is gone (fair-priority.ts).
// A message whose jobs keep ending without ending it is restored a few times only (MAX_RESTORES).
import { listUnfinished } from '../db/repositories/message.repository.js';
import type { DomainContext } from '../domain/context.js';
import { failOnInternalError } from '../domain/messages/fail-on-internal-error.js';
import { isTimeCritical } from '../domain/messages/time-critical.js';
import type { BullMqMessageQueue } from '../jobs/bullmq-message-queue.js';

const PAGE = 1_000;
/** Rows touched more recently than this are in someone's hands (just written, being sent). */
const GRACE_MS = 10_000;
/**
 * Restores of one message's job, each within RESTORE_MEMORY_MS of the one before, after which the
 * message fails `internal_error` instead. The send processor ends its messages itself, an outage
 * included (it holds the job), so a job that keeps ending with its message still waiting is one
 * that dies with its worker (BullMQ fails a job that stalled twice without our processor), or an
 * error the processor took for an outage: restored for ever, it ran again every sweep. A job Redis
 * lost is restored once; Redis losing its data forgets the counts too (bullmq-message-queue.ts).
 */
export const MAX_RESTORES = 5;
const RESTORE_MEMORY_MS = 3_600_000;

export async function sweepOutbox(
  ctx: DomainContext,
  queue: BullMqMessageQueue,
  now = new Date(),
): Promise<number> {
  let afterId: string | null = null;
  let restored = 0;
  for (;;) {
    const rows = await listUnfinished(ctx.db, {
      untouchedBefore: new Date(now.getTime() - GRACE_MS),
      afterId,
      limit: PAGE,
    });
    if (rows.length === 0) break;
    const present = await queue.existing(rows.map((r) => r.id));
    for (const row of rows) {
      if (present.has(row.id)) continue;
      if ((await queue.countRestore(row.id, RESTORE_MEMORY_MS)) > MAX_RESTORES) {
        await stopRestoring(ctx, row);
        continue;
      }
      await queue.enqueue({
        id: row.id,
        advisorId: row.advisorId,
        scheduledAt: row.status === 'scheduled' ? row.scheduledAt : echoAwaited(row, now),
        timeCritical: isTimeCritical(row),
      });
      restored++;
    }
    afterId = rows[rows.length - 1]!.id;
    if (rows.length < PAGE) break;
  }
  if (restored > 0) ctx.logger.warn({ restored }, 'sweeper re-enqueued messages missing from Redis');
  const dropped = await queue.fair.reconcile(now.getTime() - GRACE_MS, (ids) => queue.existing(ids));
  if (dropped > 0) ctx.logger.warn({ dropped }, 'sweeper dropped fairness places of jobs gone from Redis');
  return restored;
}

/** Not written (the database went away meanwhile), the message is met again by a later sweep. */
async function stopRestoring(ctx: DomainContext, row: { id: string; advisorId: string }): Promise<void> {
  const what = `Its sending was started again ${MAX_RESTORES} times and never finished`;
  const cause = new Error(`send job restored ${MAX_RESTORES} times without its message ending`);
  await failOnInternalError(ctx, row.advisorId, row.id, what, cause).catch((err: Error) =>
    ctx.logger.warn({ err: err.message, messageId: row.id }, 'could not fail a message restored too often'),
  );
}

/**
 * A queued row whose last attempt got no answer waits for that attempt's echo until
 * `uncertainUntil` (the lost job held it that long). Enqueued at once, it went out a second time
 * before the echo could record the first.
 */
function echoAwaited(row: { uncertainUntil: Date | null }, now: Date): Date | null {
  return row.uncertainUntil && row.uncertainUntil > now ? row.uncertainUntil : null;
}
