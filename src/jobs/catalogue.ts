// The typed catalogue of queues and jobs: names, payloads (ids only: Postgres holds the truth)
// and how each is retried. Job ids are derived from row ids so a double enqueue does nothing.
import { z } from 'zod';

export const QUEUES = { send: 'send', webhook: 'webhook', maintenance: 'maintenance' } as const;

export const sendJobSchema = z.object({
  messageId: z.string().uuid(),
  advisorId: z.string(),
  /** Counted in the advisor's fairness backlog (immediate sends, not future schedules). */
  fair: z.boolean().default(false),
  /** Set once a rate-limit slot was reserved for this job, so it is not charged twice. */
  slotAt: z.number().optional(),
});
export type SendJob = z.infer<typeof sendJobSchema>;

/** One stored event: retries of a failed event, the sweeper's re-enqueues, a lone event. */
export const webhookJobSchema = z.object({ eventId: z.number().int(), advisorId: z.string() });
/** The events stored by one batch insert (the group commit), processed together. */
export const webhookBatchJobSchema = z.object({ eventIds: z.array(z.number().int()).min(1) });
export type WebhookJob = z.infer<typeof webhookJobSchema> | z.infer<typeof webhookBatchJobSchema>;

export const MAINTENANCE_JOBS = {
  sweep: 'sweep',
  healthCheck: 'health-check',
  pruneAudit: 'prune-audit',
  /** Re-enqueues stored webhook events whose job Redis lost (crash after the ack). */
  webhookSweep: 'webhook-sweep',
  pruneWebhooks: 'prune-webhooks',
} as const;

/** Webhook processing is idempotent, so a failed job is simply retried a few times. */
export const WEBHOOK_JOB_ATTEMPTS = 5;

/** BullMQ job ids cannot contain ':' (STACK.md gotcha 5). */
export const sendJobId = (messageId: string) => `send-${messageId}`;
export const webhookJobId = (eventId: number) => `webhook-${eventId}`;
export const webhookBatchJobId = (firstEventId: number) => `webhook-batch-${firstEventId}`;

export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff with full jitter: spreads retries so a recovering gateway is not stampeded. */
export function backoffDelay(attemptsMade: number, settings: BackoffSettings, random = Math.random): number {
  const exp = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
