// The webhook pipeline's safety net. An event is stored before it is acknowledged and enqueued
// right after; if the process died in between, or Redis lost the job, the row is still
// unprocessed: hand it over again, unless a live job (a batch waiting behind a backlog, a retry)
// still holds it.
// Also applies receipts, edits and deletions parked for a message that has been stored since, by a
// path that applies none (the send worker recording an API send's id) or by a run that stopped
// before applying them, and drops processed events past the retention period, and receipts, edits
// and deletions nobody claimed.
import {
  listUnprocessedWebhookEvents,
  prunePendingReceipts,
  pruneWebhookEvents,
} from '../../db/repositories/webhook-event.repository.js';
import {
  listParkedForStoredMessages,
  prunePendingMessageChanges,
} from '../../db/repositories/message-edit.repository.js';
import type { ParkedForStored } from '../../db/repositories/parked-for-stored.js';
import { listStoredWithPendingReceipts } from '../../db/repositories/pending-receipt.repository.js';
import type { DomainContext } from '../context.js';
import { dependencyDown } from '../dependency-down.js';
import { applyParkedChangesOfStored } from './apply-message-edit.js';
import { applyParkedReceiptsOfStored } from './apply-message-status.js';
import type { WebhookJobQueue } from './webhook-job-queue.js';
import { webhookStats } from './webhook-stats.js';

/** Younger events are still on their way from the request to the queue. */
export const WEBHOOK_SWEEP_GRACE_MS = 5_000;
const PAGE = 1_000;
const MAX_PAGES = 20;
/** A receipt, edit or deletion waits this long for its message's id to be recorded. */
const PENDING_RECEIPT_TTL_MS = 24 * 3_600_000;

export async function sweepWebhookEvents(
  ctx: DomainContext,
  queue: WebhookJobQueue,
  now = new Date(),
): Promise<number> {
  const receivedBefore = new Date(now.getTime() - WEBHOOK_SWEEP_GRACE_MS);
  let afterId = 0;
  let handed = 0;
  // Events still waiting in a live job (a batch behind a backlog) are not lost: leave them.
  let live: Set<number> | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const rows = await listUnprocessedWebhookEvents(ctx.db, { receivedBefore, afterId, limit: PAGE });
    if (rows.length === 0) break;
    live ??= await queue.liveEventIds();
    const lost = rows.filter((r) => !live!.has(r.id));
    if (lost.length > 0) await queue.enqueue(lost.map((r) => ({ eventId: r.id, advisorId: r.advisorId })));
    handed += lost.length;
    afterId = rows[rows.length - 1]!.id;
    if (rows.length < PAGE) break;
  }
  webhookStats.swept += handed;
  await applyStrandedParked(ctx);
  return handed;
}

/**
 * An edit or deletion the advisor made on the phone to a message sent through the API, before the
 * worker recorded that message's id, was parked, and nothing applied it: only storing a message
 * learnt by webhook looks for parked changes (the send path would pay a statement per message for
 * a change that nearly never comes). Receipts and changes whose message's run stopped before
 * applying them (a failed statement, a crash) are still parked too, and no retry may come for them
 * (a stalled send job finds its message sent). The sweep applies them, one page of each per run.
 */
async function applyStrandedParked(ctx: DomainContext): Promise<void> {
  await applyEachParked(ctx, 'receipts', await listStoredWithPendingReceipts(ctx.db, PAGE), (p) =>
    applyParkedReceiptsOfStored(ctx, p.advisorId, p.evolutionMessageId),
  );
  await applyEachParked(ctx, 'edits and deletions', await listParkedForStoredMessages(ctx.db, PAGE), (p) =>
    applyParkedChangesOfStored(ctx, p.advisorId, p.evolutionMessageId),
  );
}

/**
 * Applies what is parked for each message on its own. One message whose application fails (a
 * statement its row refuses) used to end the sweep: every message listed after it, and every
 * parked change when a receipt failed, waited for the next run, where the same message failed
 * first again, run after run. Now it is skipped (its rows stay parked for the next run) and the
 * others are applied. An outage is different: every message would fail the same way, so the sweep
 * stops at once and the next run tries them all again.
 */
async function applyEachParked(
  ctx: DomainContext,
  what: string,
  parked: ParkedForStored[],
  apply: (p: ParkedForStored) => Promise<unknown>,
): Promise<void> {
  const failed: ParkedForStored[] = [];
  let firstError: unknown;
  for (const p of parked) {
    try {
      await apply(p);
    } catch (err) {
      if (dependencyDown(err)) throw err;
      failed.push(p);
      firstError ??= err;
    }
  }
  if (failed.length > 0) {
    ctx.logger.warn(
      {
        failed: failed.length,
        of: parked.length,
        first: failed.slice(0, 5),
        err: firstError instanceof Error ? firstError.message : String(firstError),
      },
      `webhook sweep could not apply parked ${what} of some messages; they stay parked for the next run`,
    );
  }
}

export async function pruneWebhookData(ctx: DomainContext, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - ctx.config.webhooks.retentionDays * 86_400_000);
  let removed = 0;
  for (;;) {
    const batch = await pruneWebhookEvents(ctx.db, cutoff);
    removed += batch;
    if (batch === 0) break;
  }
  removed += await prunePendingReceipts(ctx.db, new Date(now.getTime() - PENDING_RECEIPT_TTL_MS));
  removed += await prunePendingMessageChanges(ctx.db, new Date(now.getTime() - PENDING_RECEIPT_TTL_MS));
  return removed;
}
