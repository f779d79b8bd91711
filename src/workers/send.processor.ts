// BullMQ processor for `send` jobs: turns deliverMessage's outcome into queue actions. Waiting
// for a reconnection or a rate-limit slot delays the job without spending an attempt; transient
// gateway errors are retried with backoff and jitter until the attempts run out.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { markFinished } from '../db/repositories/message.repository.js';
import type { DomainContext } from '../domain/context.js';
import { deliverMessage, type DeliveryHooks } from '../domain/messages/deliver-message.js';
import { messageView } from '../domain/messages/message-view.js';
import { sendJobSchema, type SendJob } from '../jobs/catalogue.js';
import type { FairPriority } from '../jobs/fair-priority.js';
import type { SendRateLimiter } from '../jobs/send-rate-limiter.js';
import { rateLimitDelays, sendLatency, sendsTotal } from '../observability/prometheus.js';

export interface SendProcessorDeps {
  ctx: DomainContext;
  limiter: SendRateLimiter;
  fair: FairPriority;
  /** How long a message waits before looking again at a disconnected instance. */
  reconnectPollMs: number;
  mustSkip?: DeliveryHooks['mustSkip'];
}

export function createSendProcessor(deps: SendProcessorDeps) {
  const { ctx } = deps;
  return async (job: Job<SendJob>, token?: string): Promise<string> => {
    const data = sendJobSchema.parse(job.data);
    const hooks: DeliveryHooks = {
      ...(deps.mustSkip ? { mustSkip: deps.mustSkip } : {}),
      reserveSlot: async (settings) => {
        // A job delayed for its slot already holds one: don't charge it twice.
        if (data.slotAt && data.slotAt <= Date.now() + 50) return 0;
        const wait = await deps.limiter.reserve(data.advisorId, settings.rateLimit);
        if (wait > 0) await job.updateData({ ...data, slotAt: Date.now() + wait });
        return wait;
      },
    };
    const outcome = await deliverMessage(ctx, data.advisorId, data.messageId, hooks);
    sendsTotal.inc({ outcome: outcome.kind, code: 'error' in outcome ? outcome.error.code : '' });
    if (outcome.kind === 'wait_slot') rateLimitDelays.inc();
    if (outcome.kind === 'sent') {
      const since = outcome.message.scheduledAt ?? outcome.message.createdAt;
      sendLatency.observe(Math.max(0, (Date.now() - since.getTime()) / 1000));
    }
    switch (outcome.kind) {
      case 'wait_slot':
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      case 'wait_connection':
        await job.moveToDelayed(Date.now() + deps.reconnectPollMs, token);
        throw new DelayedError();
      case 'retry': {
        const attempts = job.opts.attempts ?? 1;
        if (job.attemptsMade + 1 >= attempts) {
          const row = await markFinished(
            ctx.db,
            data.advisorId,
            data.messageId,
            'failed',
            {
              code: outcome.error.code,
              message: `Gave up after ${attempts} attempts: ${outcome.error.message}`,
            },
            new Date(),
          );
          if (row)
            await ctx.events.publish(data.advisorId, { type: 'message', data: messageView(row) as never });
          await releaseFair(deps, data);
          throw new UnrecoverableError(outcome.error.message);
        }
        throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
      }
      default:
        await releaseFair(deps, data);
        return outcome.kind;
    }
  };
}

async function releaseFair(deps: SendProcessorDeps, data: SendJob): Promise<void> {
  if (data.fair) await deps.fair.release(data.advisorId).catch(() => undefined);
}
