// Starts the background side of the service: the send worker, and the maintenance schedulers
// (outbox sweeper, connection health check, audit retention), each run by exactly one process
// at a time because BullMQ job schedulers are stored in Redis.
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { pruneAudit } from '../db/repositories/audit.repository.js';
import { pruneAllSentMedia } from '../db/repositories/media.repository.js';
import type { DomainContext } from '../domain/context.js';
import { checkConnectedInstances } from '../domain/instances/refresh-connection-state.js';
import type { BullMqMessageQueue } from '../jobs/bullmq-message-queue.js';
import { MAINTENANCE_JOBS, QUEUES, retryDelay, type BackoffSettings } from '../jobs/catalogue.js';
import { SendPacer } from '../jobs/send-pacer.js';
import { SendRateLimiter } from '../jobs/send-rate-limiter.js';
import { createSendProcessor } from './send.processor.js';
import { sweepOutbox } from './sweeper.js';
import { renderLeftRenames } from '../domain/appointments/rename-plans.js';
import type { BullMqWebhookQueue } from '../jobs/webhook-queue.js';
import { pruneWebhookData, sweepWebhookEvents } from '../domain/webhooks/sweep-webhook-events.js';
import { createWebhookProcessor } from './webhook.processor.js';
import type { DeliveryHooks } from '../domain/messages/deliver-message.js';
import { throttledWarning } from '../observability/throttled-warning.js';

export interface WorkerSettings {
  concurrency: number;
  backoff: BackoffSettings;
  reconnectPollMs: number;
  sweeperIntervalMs: number;
  healthCheckIntervalMs: number;
  auditRetentionDays: number;
  mediaRetentionDays: number;
  /** How often a worker checks that the maintenance schedulers still exist in Redis. */
  schedulerCheckMs: number;
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
  // The claimed sends in flight: waited for on close even when Redis is away (see close below).
  const sending = new Set<Promise<unknown>>();
  const sendWorker = new Worker(
    QUEUES.send,
    createSendProcessor({
      ctx,
      limiter,
      pacer: new SendPacer(connection, prefix),
      fair: messages.fair,
      reconnectPollMs: settings.reconnectPollMs,
      uncertainRetryMs: settings.backoff.uncertainMs,
      backoff: settings.backoff,
      ...(settings.mustSkip ? { mustSkip: settings.mustSkip } : {}),
      sending,
    }),
    {
      connection,
      prefix,
      concurrency: settings.concurrency,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          retryDelay(attemptsMade, settings.backoff, err),
      },
    },
  );
  sendWorker.on('error', throttledWarning(ctx.logger, 'send worker error'));
  sendWorker.on('failed', (job, err) => {
    if (!job) return;
    ctx.logger.info(
      { messageId: job.data.messageId, attempts: job.attemptsMade, err: err.message },
      'send attempt failed',
    );
    // A job that stalled more than BullMQ allows (its worker died with it twice) is failed by the
    // next worker without running the processor, so nothing of ours released its place in the
    // advisor's backlog. The sweeper enqueues the message again (its job is gone), counting it anew.
    if (job.deferredFailure && job.data.fair) {
      void messages.fair.release(job.data.advisorId, job.data.messageId).catch(() => undefined);
    }
  });

  const webhookWorker = new Worker(QUEUES.webhook, createWebhookProcessor(ctx, webhooks), {
    connection,
    prefix,
    concurrency: ctx.config.webhooks.concurrency,
  });
  webhookWorker.on('error', throttledWarning(ctx.logger, 'webhook worker error'));

  const maintenance = new Queue(QUEUES.maintenance, { connection, prefix });
  maintenance.on('error', () => undefined);
  const schedulers: [string, number][] = [
    [MAINTENANCE_JOBS.sweep, settings.sweeperIntervalMs],
    [MAINTENANCE_JOBS.healthCheck, settings.healthCheckIntervalMs],
    [MAINTENANCE_JOBS.pruneAudit, 3_600_000],
    [MAINTENANCE_JOBS.webhookSweep, settings.sweeperIntervalMs],
    [MAINTENANCE_JOBS.pruneWebhooks, 3_600_000],
    [MAINTENANCE_JOBS.pruneMedia, 3_600_000],
  ];
  const install = (name: string, every: number) =>
    maintenance.upsertJobScheduler(
      name,
      { every },
      { name, opts: { removeOnComplete: true, removeOnFail: true } },
    );
  /**
   * At start-up the configured intervals win over whatever Redis holds: a scheduler with another
   * interval (HEALTH_CHECK_INTERVAL_MS changed, or a process with other settings started before)
   * is replaced, and one switched off (0) is removed. Untouched when already as configured, so a
   * restart does not shift the next run.
   */
  const removePendingRuns = async (name: string): Promise<void> => {
    const pending = await maintenance.getJobs(['delayed', 'wait', 'prioritized']);
    for (const job of pending) {
      if (job.name === name) await job.remove().catch(() => undefined); // taken meanwhile: it runs once
    }
  };
  const applyConfigured = async (): Promise<string[]> => {
    const changed: string[] = [];
    for (const [name, every] of schedulers) {
      const current = await maintenance.getJobScheduler(name);
      if (every <= 0) {
        if (current && (await maintenance.removeJobScheduler(name))) changed.push(name);
        // removeJobScheduler takes its next delayed run, not one already due and waiting (a CI
        // run found one left behind): switched off means nothing of it is left to run.
        await removePendingRuns(name);
      } else if (current?.every !== every) {
        await install(name, every);
        changed.push(name);
      }
    }
    return changed;
  };
  /**
   * Afterwards, only what went missing from Redis is put back (with this process's interval).
   * A scheduler set differently by a process started later is left alone: the last one started
   * wins, instead of processes with different settings overwriting each other every minute.
   */
  const installMissing = async (): Promise<number> => {
    let installed = 0;
    for (const [name, every] of schedulers) {
      if (every <= 0 || (await maintenance.getJobScheduler(name))) continue;
      await install(name, every);
      installed++;
    }
    return installed;
  };
  // In the background: with Redis down, start-up must not hang; the schedulers land when it
  // returns. The schedulers live in Redis, so a Redis that lost its data (restart without
  // persistence, FLUSHALL) would take the outbox sweeper with it, the very job that repairs such
  // a loss: every worker checks for them again every minute and puts back what is missing.
  let closed = false;
  const installSchedulers = async () => {
    let first = true;
    while (!closed) {
      try {
        if (first) {
          const changed = await applyConfigured();
          if (changed.length > 0) ctx.logger.info({ changed }, 'maintenance schedulers set as configured');
        } else {
          const installed = await installMissing();
          if (installed > 0) {
            ctx.logger.warn({ installed }, 'maintenance schedulers were missing from Redis; reinstalled');
          }
        }
        first = false;
      } catch (err) {
        ctx.logger.warn(
          { err: (err as Error).message },
          'could not install maintenance schedulers; retrying',
        );
      }
      await new Promise((r) => setTimeout(r, first ? 5_000 : settings.schedulerCheckMs).unref());
    }
  };
  const installing = installSchedulers();
  // Each kind runs on its own: with one maintenance job at a time, a health check asking a hanging
  // gateway about every connected instance (EVOLUTION_REQUEST_TIMEOUT_MS each) held every sweep
  // and prune behind it for N × 30 s, run after run, the outbox sweeper (the safety net for lost
  // jobs) included. At most one run of a kind at a time in this process: a tick that finds the
  // previous run of its kind still going ends at once (that run does the work).
  const runningKinds = new Set<string>();
  const runMaintenance = (job: { name: string }) => {
    switch (job.name) {
      case MAINTENANCE_JOBS.sweep:
        // Then the changes of name whose planned messages were left unrendered (rename-plans.ts).
        return sweepOutbox(ctx, messages).finally(() => renderLeftRenames(ctx, messages));
      case MAINTENANCE_JOBS.healthCheck:
        return checkConnectedInstances(ctx);
      case MAINTENANCE_JOBS.pruneAudit:
        return pruneAudit(ctx.db, new Date(Date.now() - settings.auditRetentionDays * 86_400_000));
      case MAINTENANCE_JOBS.webhookSweep:
        return sweepWebhookEvents(ctx, webhooks);
      case MAINTENANCE_JOBS.pruneWebhooks:
        return pruneWebhookData(ctx);
      case MAINTENANCE_JOBS.pruneMedia:
        return pruneAllSentMedia(ctx.db, new Date(Date.now() - settings.mediaRetentionDays * 86_400_000));
      default:
        return null;
    }
  };
  const maintenanceWorker = new Worker(
    QUEUES.maintenance,
    async (job) => {
      if (runningKinds.has(job.name)) return null;
      runningKinds.add(job.name);
      try {
        return await runMaintenance(job);
      } finally {
        runningKinds.delete(job.name);
      }
    },
    { connection, prefix, concurrency: schedulers.length },
  );
  maintenanceWorker.on('error', throttledWarning(ctx.logger, 'maintenance worker error'));

  return {
    sendWorker,
    close: async () => {
      closed = true;
      // Let in-flight jobs finish (bounded by the caller's shutdown timeout), then stop. With
      // Redis gone there is nothing to hand back, so don't wait for it.
      const force = connection.status !== 'ready';
      // A forced close does not wait for the jobs running, but a send that holds its claim needs
      // no Redis to end: the gateway answers and PostgreSQL records it. Left behind, it died with
      // the process, its row claimed: the next worker sent it again once the claim lapsed if
      // Evolution had taken it and no echo recorded it. So wait for those (bounded by the caller,
      // like any send finishing); an attempt that claims while we wait is waited for too.
      const claimedSends = async () => {
        while (sending.size > 0) await Promise.allSettled([...sending]);
      };
      await Promise.all([
        sendWorker.close(force),
        webhookWorker.close(force),
        maintenanceWorker.close(force),
        force ? claimedSends() : undefined,
      ]);
      if (force) void maintenance.close().catch(() => undefined);
      else await maintenance.close();
      await Promise.race([installing, new Promise((r) => setTimeout(r, 100))]);
    },
  };
}
