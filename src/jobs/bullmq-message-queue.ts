// MessageQueue on BullMQ: one `send` queue for every advisor, job id derived from the message
// id, fairness through priorities, scheduled sends as delayed jobs.
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MessageQueue, QueuedMessageRef, WakeOptions } from '../domain/messages/message-queue.js';
import { QUEUES, sendJobId, type SendJob } from './catalogue.js';
import { FairPriority } from './fair-priority.js';
import { SendPacer } from './send-pacer.js';
import { withRedisDeadline } from './redis.js';

/** How long a retry waits for the job that failed its message to leave Redis. */
const PREVIOUS_JOB_WAIT_MS = 3_000;

export class BullMqMessageQueue implements MessageQueue {
  readonly queue: Queue<SendJob>;
  readonly fair: FairPriority;
  private readonly pacer: SendPacer;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    attempts: number,
  ) {
    this.queue = new Queue<SendJob>(QUEUES.send, {
      connection,
      prefix,
      skipWaitingForReady: true,
      defaultJobOptions: {
        removeOnComplete: true,
        removeOnFail: true,
        attempts,
        backoff: { type: 'custom' },
      },
    });
    this.queue.on('error', () => undefined);
    this.fair = new FairPriority(connection, prefix);
    this.pacer = new SendPacer(connection, prefix);
  }

  enqueue(message: QueuedMessageRef): Promise<void> {
    return withRedisDeadline(this.add(message));
  }

  async requeue(message: QueuedMessageRef): Promise<void> {
    // A retry is a new send: the sweeper's restores of the failed one no longer count against it.
    await withRedisDeadline(this.connection.del(this.restoresKey(message.id)));
    return this.addAfterPrevious(message);
  }

  /**
   * Counts one more restore of this message's job by the sweeper and answers how many it has had
   * with less than `memoryMs` between one and the next. Kept in Redis on purpose: the loss of
   * Redis's data, the reason restores exist, also forgets the count, so every message it took
   * starts again from zero.
   */
  async countRestore(messageId: string, memoryMs: number): Promise<number> {
    const key = this.restoresKey(messageId);
    const replies = await withRedisDeadline(this.connection.multi().incr(key).pexpire(key, memoryMs).exec());
    const [error, count] = replies?.[0] ?? [new Error('no reply to the restore count'), null];
    if (error) throw error;
    return Number(count);
  }

  private restoresKey(messageId: string): string {
    return `${this.prefix}:send-restores:${messageId}`;
  }

  /**
   * The worker writes `failed` to the row before BullMQ moves its job out of `active`, so a retry
   * can arrive while that job still holds the message's job id. Adding then would be a no-op, and
   * the message would sit `queued` until the sweeper noticed (tens of seconds). Wait for the old
   * job to go; if it outlives the wait (a stalled worker), add anyway: a job still there runs and
   * re-reads the row, and one that left is restored by the sweeper. Each Redis call keeps the
   * usual deadline, so an unreachable Redis is still a quick 503, not a wait of the whole loop.
   */
  private async addAfterPrevious(message: QueuedMessageRef): Promise<void> {
    const jobId = sendJobId(message.id);
    const until = Date.now() + PREVIOUS_JOB_WAIT_MS;
    for (;;) {
      const state = await withRedisDeadline(this.queue.getJobState(jobId));
      // Kept finished jobs (removeOnComplete/removeOnFail off in an older deployment) block too.
      if (state === 'completed' || state === 'failed') await withRedisDeadline(this.queue.remove(jobId));
      if (state !== 'active' || Date.now() > until) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await this.enqueue(message);
  }

  private async add(message: QueuedMessageRef): Promise<void> {
    const at = message.scheduledAt?.getTime() ?? 0;
    // Future sends don't count in the backlog: an advisor with many reminders planned is not
    // pushed back for a manual send today. Nor does a time-critical one (a confirmation): it is
    // taken first, not after the advisor's own waiting batch.
    const fair = at <= Date.now() && !message.timeCritical;
    const priority = fair ? await this.fair.acquire(message.advisorId, message.id) : 1;
    // BullMQ dates a delayed job `timestamp + delay`; giving it the instant the delay was
    // measured from makes the job due at the planned millisecond, not a few after it.
    const timestamp = Date.now();
    const delay = Math.max(0, at - timestamp);
    await this.queue.add(
      'send',
      { messageId: message.id, advisorId: message.advisorId, fair },
      { jobId: sendJobId(message.id), delay, priority, timestamp },
    );
  }

  remove(messageId: string): Promise<void> {
    return withRedisDeadline(this.removeJob(messageId));
  }

  private async removeJob(messageId: string): Promise<void> {
    const job = await this.queue.getJob(sendJobId(messageId));
    if (!job) return;
    const state = await job.getState();
    if (state === 'active') return; // the worker re-reads the row and skips it
    // Refused (locked) when a worker took the job since getState: that worker releases the job's
    // place in the backlog when it ends; released here, the message would stop counting while it
    // is still being sent. (Releasing twice is harmless: the backlog is a set of message ids.)
    const removed = await job.remove().then(
      () => true,
      () => false,
    );
    if (removed && job.data.fair) await this.fair.release(job.data.advisorId, messageId);
    // A job delayed for its pacing slot holds it in the advisor's reservations: give it back.
    if (removed && job.data.slotAt !== undefined)
      await this.pacer.release(job.data.advisorId, job.data.slotNumber ?? null, messageId);
  }

  resume(advisorId: string, messageIds: string[], options: WakeOptions = {}): Promise<void> {
    return withRedisDeadline(this.promote(messageIds, options), 10_000);
  }

  private async promote(messageIds: string[], options: WakeOptions): Promise<void> {
    const delayed: Job<SendJob>[] = [];
    for (const id of messageIds) {
      const job = await this.queue.getJob(sendJobId(id));
      if (job && (await job.isDelayed())) delayed.push(job);
    }
    // Every slot given back before the first job looks: one woken early reserves after the slots
    // still held, and would go after the whole batch's old ones.
    if (options.reserveAgain) {
      for (const job of delayed) {
        if (job.data.slotAt === undefined) continue;
        await this.pacer.giveBackAhead(job.data.advisorId, job.data.slotNumber ?? null, job.data.messageId);
      }
    }
    for (const job of delayed) await job.promote().catch(() => undefined);
  }

  /** Which of these message ids have a job in Redis (any state). */
  async existing(messageIds: string[]): Promise<Set<string>> {
    const pipeline = this.connection.pipeline();
    for (const id of messageIds) pipeline.exists(`${this.prefix}:${QUEUES.send}:${sendJobId(id)}`);
    const results = (await withRedisDeadline(pipeline.exec(), 10_000)) ?? [];
    return new Set(messageIds.filter((_, i) => results[i]?.[1] === 1));
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
