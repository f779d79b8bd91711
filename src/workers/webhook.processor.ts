// BullMQ processor for `webhook` jobs: a batch of events stored together, or one event. A single
// event's failures are retried with backoff (processing is idempotent); on the last attempt the
// event is kept with its error instead. A batch hands its failed events back as single jobs.
import type { Job } from 'bullmq';
import type { DomainContext } from '../domain/context.js';
import { processWebhookBatch, type BatchOutcome } from '../domain/webhooks/process-webhook-batch.js';
import { processWebhookEvent, type ProcessOutcome } from '../domain/webhooks/process-webhook-event.js';
import type { WebhookJobQueue } from '../domain/webhooks/webhook-job-queue.js';
import { webhookBatchJobSchema, webhookJobSchema, type WebhookJob } from '../jobs/catalogue.js';

export function createWebhookProcessor(ctx: DomainContext, retries: Pick<WebhookJobQueue, 'enqueue'>) {
  return async (job: Job<WebhookJob>): Promise<ProcessOutcome | BatchOutcome> => {
    if ('eventIds' in job.data) {
      const batch = webhookBatchJobSchema.parse(job.data);
      return processWebhookBatch(ctx, batch.eventIds, retries);
    }
    const data = webhookJobSchema.parse(job.data);
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return processWebhookEvent(ctx, data.advisorId, data.eventId, { finalAttempt });
  };
}
