// The raw-BullMQ baseline every pipeline benchmark measures in the same run: the same Redis, a
// producer in this process and a no-op Worker in a child process (as the API and the send worker
// are two processes), with the job options the send queue uses.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

import { deletePrefix, REDIS_URL, ROOT, sleep } from './stack.js';

interface NoopWorker {
  pid: number;
  ask(command: 'count' | 'report'): Promise<{ processed: number; latencies?: number[] }>;
  stop(): Promise<void>;
}

async function startNoopWorker(prefix: string, queue: string, concurrency: number): Promise<NoopWorker> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/lib/noop-worker.ts', prefix, queue, String(concurrency)],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('no-op worker exited');
    return line.value as string;
  };
  if ((await next()) !== 'ready') throw new Error('no-op worker did not start');
  return {
    pid: child.pid!,
    ask: async (command) => {
      child.stdin!.write(`${command}\n`);
      return JSON.parse(await next()) as { processed: number; latencies?: number[] };
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.write('stop\n');
      await exited;
    },
  };
}

export interface RawBaseline {
  prefix: string;
  queue: Queue;
  worker: NoopWorker;
  close(): Promise<void>;
}

export async function startRawBaseline(workerConcurrency: number): Promise<RawBaseline> {
  const prefix = `wwbench_raw_${randomBytes(3).toString('hex')}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 8 },
  });
  const worker = await startNoopWorker(prefix, 'noop', workerConcurrency);
  return {
    prefix,
    queue,
    worker,
    close: async () => {
      await worker.stop();
      await queue.close();
      await connection.quit();
      await deletePrefix(prefix);
    },
  };
}

const payload = () => ({ messageId: randomUUID(), advisorId: 'bench-advisor', fair: true });

/** `total` no-op jobs added by `concurrency` loops; time from the first add to the last one processed. */
export async function rawThroughput(
  raw: RawBaseline,
  total: number,
  concurrency: number,
): Promise<{ seconds: number; perSecond: number }> {
  const before = (await raw.worker.ask('count')).processed;
  let added = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (added < total) {
        added++;
        const data = payload();
        await raw.queue.add('noop', data, { jobId: `send-${data.messageId}` });
      }
    }),
  );
  while ((await raw.worker.ask('count')).processed - before < total) await sleep(10);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: total / seconds };
}

/** Open loop: one add every 1000/rate ms for `seconds`; returns each job's add → processed ms. */
export async function rawLatencyAtRate(raw: RawBaseline, rate: number, seconds: number): Promise<number[]> {
  const before = (await raw.worker.ask('count')).processed;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const data = payload();
    pending.push(raw.queue.add('noop', data, { jobId: `send-${data.messageId}` }));
  }
  await Promise.all(pending);
  while ((await raw.worker.ask('count')).processed - before < total) await sleep(20);
  const { latencies = [] } = await raw.worker.ask('report');
  return latencies.slice(before);
}
