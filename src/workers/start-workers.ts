// Starts the background side of the service: the send worker, and the maintenance schedulers
// (outbox sweeper, connection health check, audit retention), each run by exactly one process
// at a time because BullMQ job schedulers are stored in Redis.
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pruneAudit } from '../db/repositories/audit.repository.js';
import type { DomainContext } from '../domain/context.js';
import { checkConnectedInstances } from '../domain/instances/refresh-connection-state.js';
import type { BullMqMessageQueue } from '../jobs/bullmq-message-queue.js';
import { backoffDelay, MAINTENANCE_JOBS, QUEUES } from '../jobs/catalogue.js';
import { SendRateLimiter } from '../jobs/send-rate-limiter.js';
import { createSendProcessor } from './send.processor.js';
import { sweepOutbox } from './sweeper.js';
import type { BullMqWebhookQueue } from '../jobs/webhook-queue.js';
import { pruneWebhookData, sweepWebhookEvents } from '../domain/webhooks/sweep-webhook-events.js';
import { createWebhookProcessor } from './webhook.processor.js';
import type { DeliveryHooks } from '../domain/messages/deliver-message.js';

export interface WorkerSettings {
  concurrency: number;
  backoff: { baseMs: number; maxMs: number };
  reconnectPollMs: number;
  sweeperIntervalMs: number;
  healthCheckIntervalMs: number;
  auditRetentionDays: number;
  mustSkip?: DeliveryHooks['mustSkip'];
}

export interface RunningWorkers {
  sendWorker: Worker;
  close(): Promise<void>;
}

export async function startWorkers(
  ctx: DomainContext,
  connection: Redis,
  prefix: string,
  messages: BullMqMessageQueue,
  settings: WorkerSettings,
  webhooks: BullMqWebhookQueue,
): Promise<RunningWorkers> {
  const limiter = new SendRateLimiter(connection, prefix);
  const sendWorker = new Worker(
    QUEUES.send,
    createSendProcessor({
      ctx,
      limiter,
      fair: messages.fair,
      reconnectPollMs: settings.reconnectPollMs,
      ...(settings.mustSkip ? { mustSkip: settings.mustSkip } : {}),
    }),
    {
      connection,
      prefix,
      concurrency: settings.concurrency,
      settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, settings.backoff) },
    },
  );
  sendWorker.on('error', (err) => ctx.logger.warn({ err: err.message }, 'send worker error'));
  sendWorker.on('failed', (job, err) => {
    if (job)
      ctx.logger.info(
        { messageId: job.data.messageId, attempts: job.attemptsMade, err: err.message },
        'send attempt failed',
      );
  });

  const webhookWorker = new Worker(QUEUES.webhook, createWebhookProcessor(ctx), {
    connection,
    prefix,
    concurrency: ctx.config.webhooks.concurrency,
  });
  webhookWorker.on('error', (err) => ctx.logger.warn({ err: err.message }, 'webhook worker error'));

  const maintenance = new Queue(QUEUES.maintenance, { connection, prefix });
  maintenance.on('error', () => undefined);
  const schedule = async (name: string, every: number) => {
    if (every > 0) {
      await maintenance.upsertJobScheduler(
        name,
        { every },
        { name, opts: { removeOnComplete: true, removeOnFail: true } },
      );
    }
  };
  // In the background: with Redis down, start-up must not hang; the schedulers land when it returns.
  let closed = false;
  const installSchedulers = async () => {
    while (!closed) {
      try {
        await schedule(MAINTENANCE_JOBS.sweep, settings.sweeperIntervalMs);
        await schedule(MAINTENANCE_JOBS.healthCheck, settings.healthCheckIntervalMs);
        await schedule(MAINTENANCE_JOBS.pruneAudit, 3_600_000);
        await schedule(MAINTENANCE_JOBS.webhookSweep, settings.sweeperIntervalMs);
        await schedule(MAINTENANCE_JOBS.pruneWebhooks, 3_600_000);
        return;
      } catch (err) {
        ctx.logger.warn(
          { err: (err as Error).message },
          'could not install maintenance schedulers; retrying',
        );
        await new Promise((r) => setTimeout(r, 5_000).unref());
      }
    }
  };
  const installing = installSchedulers();
  const maintenanceWorker = new Worker(
    QUEUES.maintenance,
    async (job) => {
      switch (job.name) {
        case MAINTENANCE_JOBS.sweep:
          return sweepOutbox(ctx, messages);
        case MAINTENANCE_JOBS.healthCheck:
          return checkConnectedInstances(ctx);
        case MAINTENANCE_JOBS.pruneAudit:
          return pruneAudit(ctx.db, new Date(Date.now() - settings.auditRetentionDays * 86_400_000));
        case MAINTENANCE_JOBS.webhookSweep:
          return sweepWebhookEvents(ctx, webhooks);
        case MAINTENANCE_JOBS.pruneWebhooks:
          return pruneWebhookData(ctx);
        default:
          return null;
      }
    },
    { connection, prefix, concurrency: 1 },
  );
  maintenanceWorker.on('error', (err) => ctx.logger.warn({ err: err.message }, 'maintenance worker error'));

  return {
    sendWorker,
    close: async () => {
      closed = true;
      // Let in-flight jobs finish (bounded by the caller's shutdown timeout), then stop. With
      // Redis gone there is nothing to hand back, so don't wait for it.
      const force = connection.status !== 'ready';
      await Promise.all([
        sendWorker.close(force),
        webhookWorker.close(force),
        maintenanceWorker.close(force),
      ]);
      if (force) void maintenance.close().catch(() => undefined);
      else await maintenance.close();
      await Promise.race([installing, new Promise((r) => setTimeout(r, 100))]);
    },
  };
}
