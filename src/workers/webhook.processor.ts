// BullMQ processor for `webhook` jobs: one stored event each. Failures are retried with backoff
// (processing is idempotent); on the last attempt the event is kept with its error instead.
import type { Job } from 'bullmq';
import type { DomainContext } from '../domain/context.js';
import { processWebhookEvent, type ProcessOutcome } from '../domain/webhooks/process-webhook-event.js';
import { webhookJobSchema, type WebhookJob } from '../jobs/catalogue.js';

export function createWebhookProcessor(ctx: DomainContext) {
  return async (job: Job<WebhookJob>): Promise<ProcessOutcome> => {
    const data = webhookJobSchema.parse(job.data);
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return processWebhookEvent(ctx, data.advisorId, data.eventId, { finalAttempt });
  };
}
