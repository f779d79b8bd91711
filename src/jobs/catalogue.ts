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
  /** The rate limit and pacing that slot was reserved under; other rules now, and it reserves anew. */
  slotRules: z.string().optional(),
  /** The number whose pacing slots hold that slot (pacing is counted per number). */
  slotNumber: z.string().optional(),
  /** The gateway accepted an earlier attempt's send that could not be recorded: record, never resend. */
  sent: z.object({ evolutionMessageId: z.string(), remoteJid: z.string(), at: z.number() }).optional(),
  /**
   * Epoch ms before which the job must not try again: set by an uncertain attempt (see
   * UncertainSendError), whose retry waits for the echo. A wake-up that promotes the delayed job
   * (a resume, a reconnection, a settings change) finds it too early and delays it back.
   */
  notBefore: z.number().optional(),
  /**
   * The last attempt was uncertain: the job waits (until notBefore) for the echo of that attempt
   * instead of failing the message at once, then only looks. Still unsent, the message fails
   * with this reason; recorded by the echo meanwhile, it stays sent. Never sends again.
   */
  finalLook: z.object({ code: z.string(), message: z.string() }).optional(),
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
  /** Deletes uploaded media bytes of messages done for longer than MEDIA_RETENTION_DAYS. */
  pruneMedia: 'prune-media',
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
  /** The least wait after an attempt that may have gone out (see UncertainSendError); 0 = none. */
  uncertainMs: number;
}

/**
 * The failure of an attempt whose request reached the gateway but got no answer: WhatsApp may
 * have the message. Evolution has no idempotency key; what protects the client from a second copy
 * is the SEND_MESSAGE echo, which gives the attempt its id and makes the retry find it sent. The
 * retry must therefore come after the echo: a gateway slow enough to outlast our timeout sends,
 * and echoes, only after it, while the ordinary backoff would retry within a couple of seconds.
 */
export class UncertainSendError extends Error {
  override readonly name = 'UncertainSendError';
}

/** The wait before the next attempt: the backoff, but never less than `uncertainMs` after an uncertain one. */
export function retryDelay(
  attemptsMade: number,
  settings: BackoffSettings,
  err: unknown,
  random = Math.random,
): number {
  const delay = backoffDelay(attemptsMade, settings, random);
  return err instanceof UncertainSendError ? Math.max(delay, settings.uncertainMs) : delay;
}

/** Exponential backoff with full jitter: spreads retries so a recovering gateway is not stampeded. */
export function backoffDelay(
  attemptsMade: number,
  settings: Pick<BackoffSettings, 'baseMs' | 'maxMs'>,
  random = Math.random,
): number {
  const exp = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}
