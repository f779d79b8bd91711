// A retry that arrives while the job that failed the message is still finishing. The worker writes
// `failed` to the row before BullMQ takes the job out of `active`, and a job added meanwhile under
// the same id is dropped as a duplicate: the message sat `queued` until the sweeper came by (CI of
// 0665d9c caught it as a flaky "retried from the history" test). Real Redis and a real BullMQ
// worker; the worker's processor is held open to stand for that window.
import { randomBytes, randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { BullMqMessageQueue } from '../../src/jobs/bullmq-message-queue.js';
import { QUEUES, sendJobId, type SendJob } from '../../src/jobs/catalogue.js';
import { createRedis } from '../../src/jobs/redis.js';
import { waitFor } from '../support/wait.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

describe('requeueing a message whose previous job is still finishing', () => {
  it('waits for that job to leave, so the retry runs instead of being dropped as a duplicate', async () => {
    const prefix = `wwt_rq_${randomBytes(4).toString('hex')}`;
    const redis = createRedis(REDIS_URL, 'queue');
    const queue = new BullMqMessageQueue(redis, prefix, 3);
    const workerRedis = createRedis(REDIS_URL, 'worker');
    let release!: () => void;
    const firstRunHeld = new Promise<void>((resolve) => (release = resolve));
    const runs: string[] = [];
    const worker = new Worker<SendJob>(
      QUEUES.send,
      async (job) => {
        runs.push(job.data.messageId);
        if (runs.length === 1) await firstRunHeld;
      },
      { connection: workerRedis, prefix },
    );
    cleanups.push(async () => {
      await worker.close();
      await queue.queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
      workerRedis.disconnect();
    });

    const ref = { id: randomUUID(), advisorId: randomUUID(), scheduledAt: null };
    await queue.enqueue(ref);
    await waitFor(
      () => queue.queue.getJobState(sendJobId(ref.id)),
      (state) => state === 'active',
      { what: 'the first job to be active' },
    );

    // The retry comes while the first job is still active; it finishes a moment later.
    const requeued = queue.requeue(ref);
    setTimeout(release, 200);
    await requeued;

    await waitFor(
      async () => runs.length,
      (n) => n === 2,
      { what: 'the retried job to run', timeoutMs: 5_000 },
    );
    expect(runs).toEqual([ref.id, ref.id]);
  });

  it('adds at once when the message has no job left', async () => {
    const prefix = `wwt_rq_${randomBytes(4).toString('hex')}`;
    const redis = createRedis(REDIS_URL, 'queue');
    const queue = new BullMqMessageQueue(redis, prefix, 3);
    cleanups.push(async () => {
      await queue.queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    });
    const ref = { id: randomUUID(), advisorId: randomUUID(), scheduledAt: null };
    await queue.requeue(ref);
    const job = await queue.queue.getJob(sendJobId(ref.id));
    expect(job?.data).toMatchObject({ messageId: ref.id, advisorId: ref.advisorId, fair: true });
  });
});
