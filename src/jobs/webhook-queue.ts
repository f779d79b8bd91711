// WebhookJobQueue on BullMQ: one `webhook` queue for every advisor, job id derived from the
// stored event's id (a double enqueue, e.g. by the sweeper, does nothing), payload ids only.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WebhookEventRef, WebhookJobQueue } from '../domain/webhooks/webhook-job-queue.js';
import { withRedisDeadline } from './redis.js';
import { QUEUES, WEBHOOK_JOB_ATTEMPTS, webhookJobId, type WebhookJob } from './catalogue.js';

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

  close(): Promise<void> {
    // With Redis unreachable, Queue.close() waits for a connection that never comes.
    if (this.connection.status !== 'ready') {
      void this.queue.close().catch(() => undefined);
      return Promise.resolve();
    }
    return this.queue.close();
  }
}
