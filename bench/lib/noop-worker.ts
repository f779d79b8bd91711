// Child process for the raw-BullMQ baseline: a Worker whose processor does nothing but note how long
// each job waited (now − job.timestamp, the producer's clock: same machine). Prints `ready`, then
// answers `count` and `report` on stdin with one JSON line ({processed} or {processed, latencies}).
//
//   node --import tsx bench/lib/noop-worker.ts <prefix> <queue> <concurrency>
import { createInterface } from 'node:readline';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [prefix = 'wwbench', queueName = 'noop', concurrencyArg = '20'] = process.argv.slice(2);
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: null,
});
const latencies: number[] = [];
const worker = new Worker(
  queueName,
  async (job) => {
    latencies.push(Date.now() - job.timestamp);
  },
  { connection, prefix, concurrency: Number(concurrencyArg) },
);
worker.on('error', () => undefined);
await worker.waitUntilReady();
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'count') console.log(JSON.stringify({ processed: latencies.length }));
  if (line === 'report') console.log(JSON.stringify({ processed: latencies.length, latencies }));
  if (line === 'reset') latencies.length = 0;
  if (line === 'stop') break;
}
await worker.close();
await connection.quit();
process.exit(0);
