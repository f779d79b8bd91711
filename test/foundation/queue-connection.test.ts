// The API's BullMQ queues on real Redis: a queue built before its connection is ready must work
// as soon as Redis answers (BullMQ checks the Redis version when a Queue is built, and a failed
// check used to break the queue for good, leaving every send to the 30 s sweeper), and a queue
// whose Redis is unreachable at start must fail fast and recover when Redis appears.
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { BullMqMessageQueue } from '../../src/jobs/bullmq-message-queue.js';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { createRedis } from '../../src/jobs/redis.js';
import { waitFor } from '../support/wait.js';

const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

function queueOn(url: string): { redis: Redis; queue: BullMqMessageQueue } {
  const redis = createRedis(url, 'queue');
  const queue = new BullMqMessageQueue(redis, `wwt_q_${randomBytes(4).toString('hex')}`, 3);
  cleanups.push(async () => {
    if (redis.status === 'ready') await queue.queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });
  return { redis, queue };
}

/** A TCP relay to the real Redis that starts only when asked: "Redis comes back". */
async function lateRedis(): Promise<{ url: string; start(): Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    start: async () => {
      const sockets = new Set<net.Socket>();
      const relay = net.createServer((client) => {
        const upstream = net.connect(Number(REDIS.port || 6379), REDIS.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const end = () => (client.destroy(), upstream.destroy());
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
      // Closed last, after the queue that uses it.
      cleanups.unshift(async () => {
        for (const s of sockets) s.destroy();
        await new Promise((r) => relay.close(r));
      });
    },
  };
}

describe('the API queue connection', () => {
  it('enqueues right after the queue is built, before the connection was ready', async () => {
    const { redis, queue } = queueOn(REDIS.toString());
    expect(redis.status).not.toBe('ready');
    const id = randomUUID();
    await queue.enqueue({ id, advisorId: randomUUID(), scheduledAt: null });
    const job = await queue.queue.getJob(sendJobId(id));
    expect(job?.data.messageId).toBe(id);
  });

  it('fails fast, naming Redis, while Redis is unreachable, and works once it is back', async () => {
    const late = await lateRedis();
    const { redis, queue } = queueOn(late.url);
    const first = randomUUID();
    const startedAt = Date.now();
    await expect(queue.enqueue({ id: first, advisorId: randomUUID(), scheduledAt: null })).rejects.toThrow(
      /Redis/,
    );
    expect(Date.now() - startedAt).toBeLessThan(5_000);

    await late.start();
    await waitFor(
      async () => redis.status,
      (status) => status === 'ready',
      { what: 'Redis ready' },
    );
    const second = randomUUID();
    await queue.enqueue({ id: second, advisorId: randomUUID(), scheduledAt: null });
    expect((await queue.queue.getJob(sendJobId(second)))?.data.messageId).toBe(second);
  });
});
