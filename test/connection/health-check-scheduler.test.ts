// The health check's interval is whatever the worker was started with, even though the
// scheduler lives in Redis and outlives the process: started again with another
// HEALTH_CHECK_INTERVAL_MS the new interval replaces the old one, and 0 removes it. Real Redis,
// three worker processes one after the other on the same prefix.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { MAINTENANCE_JOBS, QUEUES } from '../../src/jobs/catalogue.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deletePrefix, testEnv } from '../support/service.js';
import { waitFor } from '../support/wait.js';

let database: TestDatabase;
let env: Record<string, string>;
let redis: Redis;
let maintenance: Queue;
beforeAll(async () => {
  database = await createTestDatabase();
  // A worker-only process in sandbox mode needs the emulator's port; no advisor is connected, so it is never called.
  env = testEnv({ SWEEPER_INTERVAL_MS: '30000', EMULATOR_PORT: '9' });
  redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: null });
  maintenance = new Queue(QUEUES.maintenance, { connection: redis, prefix: env.REDIS_PREFIX! });
});
afterAll(async () => {
  await maintenance?.close();
  redis?.disconnect();
  await database?.destroy();
  if (env) await deletePrefix(env.REDIS_URL!, env.REDIS_PREFIX!);
});

/** Starts a worker process with this interval, waits until it set its schedulers, stops it. */
async function runWorkerWith(intervalMs: number): Promise<void> {
  const config = loadConfig({ ...env, HEALTH_CHECK_INTERVAL_MS: String(intervalMs) });
  const runtime = await createRuntime(config, createLogger('silent'), 'worker', { database });
  try {
    // The media prune is set last in the same pass, after the health check: once it is there,
    // so is the health check's final state.
    await waitFor(
      async () => {
        const [health, sweep] = await Promise.all([
          maintenance.getJobScheduler(MAINTENANCE_JOBS.healthCheck),
          maintenance.getJobScheduler(MAINTENANCE_JOBS.pruneMedia),
        ]);
        return { health: health?.every ?? null, sweep: sweep?.every ?? null };
      },
      (s) => s.sweep !== null && s.health === (intervalMs > 0 ? intervalMs : null),
      { what: `health check scheduler at ${intervalMs}` },
    );
  } finally {
    await runtime.close();
  }
}

describe('the health check scheduler', () => {
  it('follows HEALTH_CHECK_INTERVAL_MS across restarts: set, changed, switched off, back on', async () => {
    await runWorkerWith(3_600_000);
    const hourly = await maintenance.getJobScheduler(MAINTENANCE_JOBS.healthCheck);
    expect(hourly?.every).toBe(3_600_000);

    // A shorter interval also moves the next run: it is not left an hour away.
    const before = Date.now();
    await runWorkerWith(120_000);
    const shorter = await maintenance.getJobScheduler(MAINTENANCE_JOBS.healthCheck);
    expect(shorter?.every).toBe(120_000);
    expect(shorter?.next).toBeLessThanOrEqual(before + 120_000 + 5_000);

    await runWorkerWith(0);
    expect(await maintenance.getJobScheduler(MAINTENANCE_JOBS.healthCheck)).toBeUndefined();
    // Only the health check went: the other maintenance jobs are untouched.
    const names = (await maintenance.getJobSchedulers()).map((s) => s.key).sort();
    expect(names).toEqual(
      [
        MAINTENANCE_JOBS.sweep,
        MAINTENANCE_JOBS.pruneAudit,
        MAINTENANCE_JOBS.webhookSweep,
        MAINTENANCE_JOBS.pruneWebhooks,
        MAINTENANCE_JOBS.pruneMedia,
      ].sort(),
    );
    expect(await maintenance.getJobs(['delayed', 'wait', 'prioritized'])).not.toContainEqual(
      expect.objectContaining({ name: MAINTENANCE_JOBS.healthCheck }),
    );

    await runWorkerWith(300_000);
    expect((await maintenance.getJobScheduler(MAINTENANCE_JOBS.healthCheck))?.every).toBe(300_000);
  }, 60_000);

  it('leaves a scheduler that is already as configured alone (a restart does not move its next run)', async () => {
    const { next } = (await maintenance.getJobScheduler(MAINTENANCE_JOBS.healthCheck))!;
    await runWorkerWith(300_000);
    expect((await maintenance.getJobScheduler(MAINTENANCE_JOBS.healthCheck))?.next).toBe(next);
  }, 30_000);
});
