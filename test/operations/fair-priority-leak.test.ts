// Fairness between advisors counts each advisor's immediate sends still in the queue: every job
// added with `fair` adds one, and the job gives it back when it ends. A job that ended by throwing
// on its last attempt (an internal error) never gave it back, and the count's TTL is renewed by
// every later send, so an advisor who keeps sending kept the lost counts for good: their next message, with nothing of theirs waiting, went behind that
// many messages of every other advisor.
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let redis: Redis;
beforeAll(async () => {
  service = await startTestService({ env: { SEND_MAX_ATTEMPTS: '1', PACING_MODE: 'off' } });
  ana = await connectedAdvisor(service, 'Ana Cola Justa');
  redis = new Redis(service.config.redis.url);
});
afterAll(async () => {
  redis?.disconnect();
  await service?.close().catch(() => undefined);
});

describe('a send job that stalled more often than BullMQ allows', { timeout: 60_000 }, () => {
  it("gives back its place in the advisor's fairness count", async () => {
    // Its worker died with it twice: BullMQ marks it (`defa`, what moveStalledJobsToWait writes)
    // and the next worker fails it without running our processor, which releases everywhere else.
    const bea = await connectedAdvisor(service, 'Bea Atascada');
    const fair = service.runtime.messages.fair;
    const worker = service.runtime.workers!.sendWorker;
    await worker.pause();
    const res = await bea.client.post('/api/whatsapp/send', { to: '+34611000780', text: 'hola' });
    expect(res.status).toBe(202);
    const id = res.body.message.id as string;
    expect(await fair.pending(bea.userId)).toBe(1);
    const jobKey = `${service.config.redis.prefix}:send:${sendJobId(id)}`;
    expect(await redis.hset(jobKey, 'defa', 'job stalled more than allowable limit')).toBe(1);
    worker.resume();
    await waitFor(
      () => service.runtime.messages.queue.getJobState(sendJobId(id)),
      (state) => state === 'unknown',
      { what: 'the job to fail and be removed' },
    );
    await waitFor(
      () => fair.pending(bea.userId),
      (n) => n === 0,
      { what: 'the place to be given back' },
    );
  });
});

describe('a send job that fails on its last attempt', { timeout: 60_000 }, () => {
  it("gives back its place in the advisor's fairness count", async () => {
    const worker = service.runtime.workers!.sendWorker;
    await worker.pause();
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34611000779', text: 'hola' });
    expect(res.status).toBe(202);
    const id = res.body.message.id as string;
    const fair = service.runtime.messages.fair;
    expect(await fair.pending(ana.userId)).toBe(1);

    // A row no claim can take (its attempt count at the top of its type, as a bad migration could
    // leave it): its one attempt throws, and the message fails `internal_error`. (An outage no
    // longer ends a job: it is held, keeping its place, until the database is back;
    // test/messages/outage-last-attempt.test.ts.)
    await service.database.db.execute(
      sql`update whatsapp_message set attempts = 2147483647 where id = ${id}`,
    );
    worker.resume();
    await waitFor(
      () => service.runtime.messages.queue.getJobState(sendJobId(id)),
      (state) => state === 'unknown',
      { what: 'the job to fail and be removed' },
    );

    expect(await fair.pending(ana.userId)).toBe(0);
  });
});
