// The worker's half for a batch of events stored together: one read for the batch, one read that
// finds the echoes of our own sends that change nothing (settled-echoes.ts), every other event
// applied as processWebhookEvent would (a few at a time), one write to mark the batch done.
// Per event that saves a job and two statements. An event that fails to apply is handed back as
// a single-event job, which has the usual retries and keeps its error; one that can never be
// applied is closed with the reason. Applying is idempotent, so a batch that runs twice (a
// crashed worker, the sweeper) changes nothing more.
import {
  listUnprocessedWebhookEventsByIds,
  markWebhookEventDone,
  markWebhookEventsDone,
  recordWebhookEventError,
  type WebhookEventRow,
} from '../../db/repositories/webhook-event.repository.js';
import type { DomainContext } from '../context.js';
import { applyStoredEvent, describeError, parseStoredEvent } from './process-webhook-event.js';
import { settledEchoRows } from './settled-echoes.js';
import type { WebhookJobQueue } from './webhook-job-queue.js';
import { webhookStats } from './webhook-stats.js';

/** Events of one batch applied at the same time (each holds a database connection while it works). */
const PARALLEL = 4;

export interface BatchOutcome {
  processed: number;
  givenUp: number;
  retried: number;
  /** Already processed, or gone (pruned): nothing to do. */
  skipped: number;
}

export async function processWebhookBatch(
  ctx: DomainContext,
  eventIds: readonly number[],
  retries: Pick<WebhookJobQueue, 'enqueue'>,
): Promise<BatchOutcome> {
  const rows = await listUnprocessedWebhookEventsByIds(ctx.db, eventIds);
  const parsed = new Map<number, ReturnType<typeof parseStoredEvent>>();
  for (const row of rows) {
    try {
      parsed.set(row.id, parseStoredEvent(row));
    } catch {
      // Not a parse error but a fault: parsed again in its lane, where it fails that row alone.
    }
  }
  const settled = await settledEchoRows(ctx, rows, parsed);
  const applied: number[] = [...settled];
  const failed: { row: WebhookEventRow; error: unknown }[] = [];
  let givenUp = 0;

  const pending = rows.filter((row) => !settled.has(row.id));
  const applyAll = async (queue: WebhookEventRow[]) => {
    let next = 0;
    const lane = async () => {
      while (next < queue.length) {
        const row = queue[next++]!;
        try {
          const unusable = await applyStoredEvent(ctx, row, parsed.get(row.id));
          if (unusable === null) {
            applied.push(row.id);
          } else {
            await markWebhookEventDone(ctx.db, row.advisorId, row.id, unusable);
            givenUp += 1;
          }
        } catch (error) {
          failed.push({ row, error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, lane));
  };
  // Edits and deletions go after the rest of the batch: the message they change may be in it (a
  // client's message and its edit, delivered together by Evolution's retries after an outage).
  const isChange = (row: WebhookEventRow) => {
    const events = parsed.get(row.id);
    return (
      Array.isArray(events) && events.some((e) => e.type === 'message_edit' || e.type === 'message_delete')
    );
  };
  await applyAll(pending.filter((row) => !isChange(row)));
  await applyAll(pending.filter(isChange));

  await markWebhookEventsDone(ctx.db, applied);
  for (const { row, error } of failed) {
    await recordWebhookEventError(ctx.db, row.advisorId, row.id, describeError(error)).catch(() => undefined);
  }
  if (failed.length > 0) {
    ctx.logger.warn(
      { events: failed.length, err: describeError(failed[0]!.error) },
      'webhook events failed in a batch; retried one by one',
    );
    await retries.enqueue(failed.map(({ row }) => ({ eventId: row.id, advisorId: row.advisorId })));
  }
  webhookStats.processed += applied.length;
  webhookStats.failed += givenUp;
  return {
    processed: applied.length,
    givenUp,
    retried: failed.length,
    skipped: eventIds.length - rows.length,
  };
}
