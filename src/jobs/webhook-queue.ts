// WebhookJobQueue on BullMQ: one `webhook` queue for every advisor, payload ids only. A batch
// stored by one insert is one job (`webhook-batch-<first id>`); single-event jobs (retries, the
// sweeper) have ids derived from the event id, so a double enqueue does nothing, and the sweeper
// skips events that a live batch job holds (liveEventIds).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WebhookEventRef, WebhookJobQueue } from '../domain/webhooks/webhook-job-queue.js';
import { withRedisDeadline } from './redis.js';
import {
  QUEUES,
  WEBHOOK_JOB_ATTEMPTS,
  webhookBatchJobId,
  webhookJobId,
  type WebhookJob,
} from './catalogue.js';

export class BullMqWebhookQueue implements WebhookJobQueue {
  readonly queue: Queue<WebhookJob>;

  constructor(
    private readonly connection: Redis,
    prefix: string,
  ) {
    this.queue = new Queue<WebhookJob>(QUEUES.webhook, {
      connection,
      prefix,
      skipWaitingForReady: true,
      defaultJobOptions: {
        removeOnComplete: true,
        removeOnFail: true,
        attempts: WEBHOOK_JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: 500 },
      },
    });
    this.queue.on('error', () => undefined);
  }

  async enqueue(refs: readonly WebhookEventRef[]): Promise<void> {
    if (refs.length === 0) return;
    await withRedisDeadline(
      this.queue.addBulk(
        refs.map((ref) => ({
          name: 'webhook',
          data: { eventId: ref.eventId, advisorId: ref.advisorId },
          opts: { jobId: webhookJobId(ref.eventId) },
        })),
      ),
    );
  }

  async enqueueBatch(refs: readonly WebhookEventRef[]): Promise<void> {
    if (refs.length <= 1) return this.enqueue(refs);
    await withRedisDeadline(
      this.queue.add(
        'webhook-batch',
        { eventIds: refs.map((r) => r.eventId) },
        { jobId: webhookBatchJobId(refs[0]!.eventId) },
      ),
    );
  }

  async liveEventIds(): Promise<Set<number>> {
    const jobs = await withRedisDeadline(
      this.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']),
      10_000,
    );
    const ids = new Set<number>();
    for (const job of jobs) {
      const data = job?.data;
      if (!data) continue;
      if ('eventIds' in data) for (const id of data.eventIds) ids.add(id);
      else ids.add(data.eventId);
    }
    return ids;
  }

  close(): Promise<void> {
    // With Redis unreachable, Queue.close() waits for a connection that never comes.
    if (this.connection.status !== 'ready') {
      void this.queue.close().catch(() => undefined);
      return Promise.resolve();
    }
    return this.queue.close();
  }
}
