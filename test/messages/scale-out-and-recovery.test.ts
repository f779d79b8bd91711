// Several workers and lost Redis state, on real Redis, the real database and the emulator:
// - a second worker runtime (its own Redis connections, as a second process would have) on the
//   same Redis prefix and database: every message goes out exactly once, both workers take a
//   share, and the per-advisor rate limit holds across them;
// - the queue's keys deleted in the middle of a batch (Redis restarted without persistence): the
//   outbox sweeper rebuilds the missing jobs from the rows, and nothing is lost or doubled.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAINTENANCE_JOBS, QUEUES } from '../../src/jobs/catalogue.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { sweepOutbox } from '../../src/workers/sweeper.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

const RATE = { max: 4, durationMs: 1_000 };
let service: TestService;
let second: Runtime;
beforeAll(async () => {
  service = await startTestService({
    env: {
      WHATSAPP_RATE_LIMIT_MAX: String(RATE.max),
      WHATSAPP_RATE_LIMIT_DURATION: String(RATE.durationMs),
      SEND_CONCURRENCY: '4',
      // Workers look for their maintenance schedulers as often as the sweeper runs.
      SWEEPER_INTERVAL_MS: '1000',
    },
  });
  // A worker-only runtime, pointed at the sandbox emulator the first one started.
  const config = {
    ...service.config,
    evolution: { ...service.config.evolution, url: service.emulatorUrl },
  };
  second = await createRuntime(config, createLogger('silent'), 'worker', { database: service.database });
});
afterAll(async () => {
  await second?.close();
  await service?.close();
});

async function sendMany(advisor: ConnectedAdvisor, tag: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await advisor.client.post('/api/whatsapp/send', {
      to: `+3461200${String(1000 + i)}`,
      text: `${tag} ${i}`,
    });
    expect(res.status).toBe(202);
    ids.push(res.body.message.id);
  }
  return ids;
}

async function waitAllSent(advisor: ConnectedAdvisor, ids: string[]): Promise<void> {
  await waitFor(
    () => Promise.all(ids.map((id) => advisor.client.get(`/api/whatsapp/messages/${id}`))),
    (all) => all.every((r) => ['sent', 'delivered', 'read'].includes(r.body.status)),
    { timeoutMs: 40_000, intervalMs: 250, what: `${ids.length} messages sent` },
  );
}

describe('two workers on one Redis and database', () => {
  it('send every message exactly once, share the work, and keep the advisor’s rate limit', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const counts = { first: 0, second: 0 };
    service.runtime.workers!.sendWorker.on('completed', () => counts.first++);
    second.workers!.sendWorker.on('completed', () => counts.second++);

    // Each worker must take a share whatever the scheduling (CI once saw the first take all 16):
    // each steps aside in turn until the other has sent one, then both run.
    const first = service.runtime.workers!.sendWorker;
    const other = second.workers!.sendWorker;
    await first.pause(true);
    const ids = await sendMany(ana, 'reparto', 16);
    await waitFor(
      async () => counts.second,
      (n) => n > 0,
      { what: 'the second worker sending one' },
    );
    await other.pause(true);
    first.resume();
    await waitFor(
      async () => counts.first,
      (n) => n > 0,
      { what: 'the first worker sending one' },
    );
    other.resume();
    await waitAllSent(ana, ids);

    const sent = (await sentByPhone(ana)).filter((m) => String(m.text).startsWith('reparto '));
    const texts = sent.map((m) => m.text as string);
    expect(new Set(texts).size).toBe(16);
    expect(texts).toHaveLength(16);
    expect(counts.first).toBeGreaterThan(0);
    expect(counts.second).toBeGreaterThan(0);

    // GCRA: a burst of `max`, then one every durationMs / max, whichever worker sends. The
    // 16 sends therefore span at least (16 - max) intervals, less one for slack: the times are
    // the gateway's, taken after each slot, and a send can reach it late on a stalled machine.
    // Without the limit they spanned 1.5 s (checked with the limiter's wait taken out).
    const times = sent.map((m) => Date.parse(m.at)).sort((a, b) => a - b);
    const interval = RATE.durationMs / RATE.max;
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((16 - RATE.max - 1) * interval);
  });
});

describe('Redis losing the queue mid-batch', () => {
  it('the sweeper restores every missing job from the outbox: nothing lost, nothing doubled', async () => {
    const bea = await connectedAdvisor(service, 'Bea');
    // The workers wait until the whole batch is queued, then the first one starts on it: a slow
    // machine POSTing the 12 one by one let the workers send them all before the keys went, and
    // there was nothing left to restore.
    const workers = [service.runtime.workers!.sendWorker, second.workers!.sendWorker];
    await Promise.all(workers.map((w) => w.pause(true)));
    const ids = await sendMany(bea, 'rescate', 12);
    workers[0]!.resume();
    await waitFor(
      async () => (await sentByPhone(bea)).length,
      (n) => n > 0,
      { what: 'the first message of the batch sent' },
    );
    workers[1]!.resume();
    // Sends may be in flight when the keys go: the jobs the sweeper makes again for those wait for
    // their claims (test/messages/claim-hold.test.ts) instead of sending a second copy.
    // As after a Redis restart without persistence: every key of this deployment is gone,
    // the maintenance schedulers (the sweeper's own) included.
    const redis = service.runtime.redis;
    const keys = await redis.keys(`${service.config.redis.prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);

    // Run the sweeper as its scheduler would, past the grace period for fresh rows.
    const restored = await sweepOutbox(
      service.runtime.ctx,
      service.runtime.messages,
      new Date(Date.now() + 60_000),
    );
    expect(restored).toBeGreaterThan(0);
    await waitAllSent(bea, ids);

    const texts = (await sentByPhone(bea))
      .map((m) => m.text as string)
      .filter((t) => t.startsWith('rescate '));
    expect(texts.sort()).toEqual(ids.map((_, i) => `rescate ${i}`).sort());

    // The workers put the sweeper's scheduler back by themselves.
    const maintenance = new Queue(QUEUES.maintenance, {
      connection: service.runtime.redis,
      prefix: service.config.redis.prefix,
    });
    try {
      await waitFor(
        () => maintenance.getJobScheduler(MAINTENANCE_JOBS.sweep),
        (scheduler) => Boolean(scheduler),
        { timeoutMs: 15_000, what: 'the sweep scheduler reinstalled' },
      );
    } finally {
      await maintenance.close();
    }
  });
});
