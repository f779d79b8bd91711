// Dropping a cancelled message's job against a real Redis, and what it does to the advisor's
// fairness backlog: each message counts once, however often it is added or released.
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

const pending = (advisorId: string) => queue.fair.pending(advisorId);
const last = (advisorId: string) => redis.get(`${prefix}:fair:{${advisorId}}:last`);

describe('BullMqMessageQueue.remove', () => {
  it('releases the fairness count of the job it drops', async () => {
    const message = { id: randomUUID(), advisorId: 'adv-a', scheduledAt: null };
    await queue.enqueue(message);
    expect(await pending('adv-a')).toBe(1);
    await queue.remove(message.id);
    expect(await queue.queue.getJob(`send-${message.id}`)).toBeUndefined();
    expect(await pending('adv-a')).toBe(0);
    expect(await last('adv-a')).toBeNull();
  });

  it('leaves the count alone when a worker took the job between its look and the removal', async () => {
    const message = { id: randomUUID(), advisorId: 'adv-b', scheduledAt: null };
    await queue.enqueue(message);
    expect(await pending('adv-b')).toBe(1);
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
    expect(await pending('adv-b')).toBe(1);
  });
});

describe('the fairness backlog', () => {
  it('counts a message once when its add is a no-op (the job already exists)', async () => {
    // The sweeper racing an enqueue, or a retry's "add anyway", adds a job id BullMQ already
    // holds. Counted twice, the backlog never came back to zero after the job ended, and the
    // advisor's highest priority ever stuck to every later send.
    const message = { id: randomUUID(), advisorId: 'adv-c', scheduledAt: null };
    await queue.enqueue(message);
    await queue.enqueue(message);
    expect((await queue.queue.getJobCounts('prioritized', 'wait')).prioritized).toBe(1);
    expect(await pending('adv-c')).toBe(1);
    await queue.fair.release('adv-c', message.id);
    expect(await pending('adv-c')).toBe(0);
    expect(await last('adv-c')).toBeNull();
    // The advisor's next send is first in line again.
    const next = { id: randomUUID(), advisorId: 'adv-c', scheduledAt: null };
    await queue.enqueue(next);
    expect((await queue.queue.getJob(`send-${next.id}`))!.priority).toBe(1);
  });

  it('gives a message back once however many times it is released', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await queue.enqueue({ id: a, advisorId: 'adv-d', scheduledAt: null });
    await queue.enqueue({ id: b, advisorId: 'adv-d', scheduledAt: null });
    expect(await pending('adv-d')).toBe(2);
    // A cancel and the worker both releasing the same job (the cancel race) used to take two.
    await queue.fair.release('adv-d', a);
    await queue.fair.release('adv-d', a);
    expect(await pending('adv-d')).toBe(1);
    expect(await last('adv-d')).toBe('2');
  });

  it('is reconciled against the jobs in Redis: ids whose job is gone leave it', async () => {
    // A release that never ran (a worker of an older release during a rolling upgrade, a job
    // removed by hand in the queue UI) is found by the sweeper instead of sinking the advisor.
    const [gone, kept] = [randomUUID(), randomUUID()];
    await queue.enqueue({ id: gone, advisorId: 'adv-e', scheduledAt: null });
    await queue.enqueue({ id: kept, advisorId: 'adv-e', scheduledAt: null });
    await queue.queue.remove(`send-${gone}`);
    const cutOff = Date.now() + 5;
    await queue.fair.acquire('adv-e', randomUUID(), cutOff - 1);
    // Counted after the cut-off, with no job yet: an enqueue between its count and its add.
    await queue.fair.acquire('adv-e', randomUUID(), cutOff + 1);
    expect(await pending('adv-e')).toBe(4);
    const dropped = await queue.fair.reconcile(cutOff, (ids) => queue.existing(ids));
    expect(dropped).toBe(2); // `gone`, and the id counted before the cut-off with no job
    expect(await pending('adv-e')).toBe(2);
    await queue.fair.release('adv-e', kept);
    expect(await pending('adv-e')).toBe(1);
  });
});

describe('BullMqMessageQueue.enqueue', () => {
  it('takes a time-critical message before the advisor’s waiting backlog, outside its count', async () => {
    const batch = [1, 2, 3].map(() => ({ id: randomUUID(), advisorId: 'adv-t', scheduledAt: null }));
    for (const message of batch) await queue.enqueue(message);
    const urgent = { id: randomUUID(), advisorId: 'adv-t', scheduledAt: null, timeCritical: true };
    await queue.enqueue(urgent);
    expect(await pending('adv-t')).toBe(3);
    const job = await queue.queue.getJob(`send-${urgent.id}`);
    expect(job?.opts.priority).toBe(1);
    expect(job?.data.fair).toBe(false);
    worker = new Worker(QUEUES.send, null, { connection: redis.duplicate(), prefix });
    const taken: string[] = [];
    for (let i = 0; i < 4; i++)
      taken.push((await worker.getNextJob(`tok${i}`, { block: false }))!.data.messageId);
    // Priority 1 is the backlog's first message's too, and BullMQ is FIFO within a priority.
    expect(taken).toEqual([batch[0]!.id, urgent.id, batch[1]!.id, batch[2]!.id]);
  });
});

describe('BullMqMessageQueue.enqueue of a scheduled message', () => {
  it('makes its job due at the planned millisecond, however long the add took', async () => {
    const at = new Date(Date.now() + 3_600_000);
    const message = { id: randomUUID(), advisorId: 'adv-s', scheduledAt: at };
    // Every reading of the clock is a millisecond later than the one before, as on a busy
    // process: the delay measured first and the job's own creation time then disagree.
    let tick = Date.now();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (tick += 1));
    await queue.enqueue(message);
    clock.mockRestore();
    const score = await redis.zscore(`${prefix}:${QUEUES.send}:delayed`, `send-${message.id}`);
    expect(score).not.toBeNull();
    // BullMQ scores a delayed job by its due time × 0x1000, plus a counter below that.
    expect(Math.floor(Number(score) / 0x1000)).toBe(at.getTime());
  });
});
