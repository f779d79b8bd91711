// Dropping a cancelled message's job against a real Redis, and what it does to the advisor's
// fairness counter: released once for each job, by whoever ends it.
import { randomBytes, randomUUID } from 'node:crypto';
import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BullMqMessageQueue } from './bullmq-message-queue.js';
import { QUEUES } from './catalogue.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(url, { maxRetriesPerRequest: null });
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

let prefix: string;
let queue: BullMqMessageQueue;
let worker: Worker | undefined;
beforeEach(() => {
  prefix = `wwt_mq_${randomBytes(5).toString('hex')}`;
  prefixes.push(prefix);
  queue = new BullMqMessageQueue(redis, prefix, 3);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await worker?.close();
  worker = undefined;
  await queue.close();
});

const pending = (advisorId: string) => redis.get(`${prefix}:fair:{${advisorId}}:pending`);

describe('BullMqMessageQueue.remove', () => {
  it('releases the fairness count of the job it drops', async () => {
    const message = { id: randomUUID(), advisorId: 'adv-a', scheduledAt: null };
    await queue.enqueue(message);
    expect(await pending('adv-a')).toBe('1');
    await queue.remove(message.id);
    expect(await queue.queue.getJob(`send-${message.id}`)).toBeUndefined();
    expect(await pending('adv-a')).toBeNull();
  });

  it('leaves the count alone when a worker took the job between its look and the removal', async () => {
    const message = { id: randomUUID(), advisorId: 'adv-b', scheduledAt: null };
    await queue.enqueue(message);
    expect(await pending('adv-b')).toBe('1');
    // The race, made exact: right after remove() reads the job's state (waiting), a worker takes
    // the job (a real fetch: active, locked), so the removal that follows is refused.
    worker = new Worker(QUEUES.send, null, { connection: redis.duplicate(), prefix });
    const getState = Job.prototype.getState;
    vi.spyOn(Job.prototype, 'getState').mockImplementationOnce(async function (this: Job) {
      const state = await getState.call(this);
      expect(await worker!.getNextJob('tok', { block: false })).toBeTruthy();
      return state;
    });
    await queue.remove(message.id);
    expect(await queue.queue.getJobState(`send-${message.id}`)).toBe('active');
    // The job still counts: its worker releases it when it ends. Released here as well, the
    // advisor's count went one too low (to nothing here), and its next jobs jumped the queue.
    expect(await pending('adv-b')).toBe('1');
  });
});
