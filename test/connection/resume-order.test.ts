// A phone-side logout pauses the advisor's queued messages (they wait, they do not fail); the
// reconnection wakes them in creation order. With one send worker (SEND_CONCURRENCY=1) the
// gateway receives them in exactly that order; with parallel workers they are released in that
// order but up to SEND_CONCURRENCY of them are in flight at once, so only completeness is
// guaranteed (docs/ARCHITECTURE.md, "Order of an advisor's messages").
import { DelayedError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { QUEUES, sendJobId } from '../../src/jobs/catalogue.js';
import { SendRateLimiter } from '../../src/jobs/send-rate-limiter.js';
import { createSendProcessor } from '../../src/workers/send.processor.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

const services: TestService[] = [];
afterAll(async () => {
  for (const s of services) await s.close();
});

async function serviceWith(concurrency: number): Promise<TestService> {
  // A waiting message looks again only after a minute: within the test only the reconnection's
  // wake-up can send them.
  const service = await startTestService({
    env: { SEND_CONCURRENCY: String(concurrency), RECONNECT_POLL_MS: '60000' },
  });
  services.push(service);
  return service;
}

/** Logs the phone out, queues `n` messages, and checks they are all paused (delayed, queued). */
async function pausedMessages(service: TestService, advisor: ConnectedAdvisor, n: number) {
  await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/disconnect`, {
    statusReason: 401,
  });
  await waitFor(
    () => advisor.client.get('/api/whatsapp/config'),
    (r) => r.body.status === 'disconnected',
    { what: 'disconnected after the logout' },
  );
  const texts = Array.from({ length: n }, (_, i) => `mensaje ${i + 1} de ${n}`);
  const ids: string[] = [];
  for (const [i, text] of texts.entries()) {
    // Two clients, interleaved: the order is the advisor's, not a recipient's.
    const res = await advisor.client.post('/api/whatsapp/send', { to: `+3461200010${i % 2}`, text });
    expect(res.status).toBe(202);
    ids.push(res.body.message.id);
  }
  // Every job has been tried once and put aside: delayed, not failed, no attempt spent.
  await waitFor(
    async () => {
      const states = [];
      for (const id of ids) {
        const job = await service.runtime.messages.queue.getJob(sendJobId(id));
        states.push(job ? await job.getState() : 'missing');
      }
      return states;
    },
    (states) => states.every((s) => s === 'delayed'),
    { what: 'all jobs waiting for the connection' },
  );
  for (const id of ids) {
    const res = await advisor.client.get(`/api/whatsapp/messages/${id}`);
    expect(res.body.status).toBe('queued');
  }
  return { ids, texts };
}

async function reconnect(advisor: ConnectedAdvisor): Promise<void> {
  expect((await advisor.client.post('/api/whatsapp/connect')).body.status).toBe('qr_pending');
  await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/scan`, { phone: advisor.phone });
}

async function allSent(advisor: ConnectedAdvisor, ids: string[]) {
  for (const id of ids) {
    await waitFor(
      () => advisor.client.get(`/api/whatsapp/messages/${id}`),
      (r) => ['sent', 'delivered', 'read'].includes(r.body.status),
      { what: `message ${id} sent after the reconnection` },
    );
  }
}

describe('messages paused by a logout', () => {
  it('go out in creation order after the reconnection (one send worker)', async () => {
    const service = await serviceWith(1);
    const advisor = await connectedAdvisor(service, 'Orden');
    const { ids, texts } = await pausedMessages(service, advisor, 6);
    expect(await sentByPhone(advisor)).toEqual([]);

    await reconnect(advisor);
    await allSent(advisor, ids);
    const sent = await sentByPhone(advisor);
    expect(sent.map((s) => s.text)).toEqual(texts);
  }, 60_000);

  it('all go out once with parallel send workers', async () => {
    const service = await serviceWith(20);
    const advisor = await connectedAdvisor(service, 'Paralelo');
    const { ids, texts } = await pausedMessages(service, advisor, 6);

    await reconnect(advisor);
    await allSent(advisor, ids);
    const sent = (await sentByPhone(advisor)).map((s) => s.text);
    expect([...sent].sort()).toEqual([...texts].sort());
  }, 60_000);
});

describe('a reconnection while a paused message is being looked at', () => {
  it('does not leave that message behind for a whole poll', async () => {
    const service = await serviceWith(1);
    const { ctx } = service.runtime;
    const advisor = await connectedAdvisor(service, 'Carrera');
    await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/disconnect`, {
      statusReason: 401,
    });
    await waitFor(
      () => advisor.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected',
      { what: 'disconnected after the logout' },
    );
    // The service's own send worker stands aside: this test takes the job by hand.
    const sendWorker = service.runtime.workers!.sendWorker;
    await sendWorker.pause();
    const res = await advisor.client.post('/api/whatsapp/send', { to: '+34612000200', text: 'carrera' });
    const id = res.body.message.id as string;

    const connection = new Redis(service.config.redis.url, { maxRetriesPerRequest: null });
    const hand = new Worker(QUEUES.send, null, { connection, prefix: service.config.redis.prefix });
    try {
      const token = 'by-hand';
      const job = await waitFor(
        () => hand.getNextJob(token, { block: false }),
        (j) => j !== undefined,
        { what: 'the send job' },
      );
      const processor = createSendProcessor({
        ctx,
        limiter: new SendRateLimiter(connection, service.config.redis.prefix),
        fair: service.runtime.messages.fair,
        reconnectPollMs: 60_000,
        // The job has read "disconnected"; right now the phone links again and the "open"
        // webhook wakes the advisor's delayed jobs, while this one is still active.
        mustSkip: async () => {
          expect((await advisor.client.post('/api/whatsapp/connect')).body.status).toBe('qr_pending');
          await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/scan`, {
            phone: advisor.phone,
          });
          await waitFor(
            () => advisor.client.get('/api/whatsapp/config'),
            (r) => r.body.status === 'connected',
            { what: 'connected again' },
          );
          return null;
        },
      });
      await expect(processor(job, token)).rejects.toBeInstanceOf(DelayedError);
      // It decided on what it had read (wait), then saw the reconnection and woke itself.
      expect(await job.getState()).not.toBe('delayed');
    } finally {
      await hand.close();
      connection.disconnect();
      sendWorker.resume();
    }
    // Sent now, not after the minute's poll.
    await waitFor(
      () => advisor.client.get(`/api/whatsapp/messages/${id}`),
      (r) => ['sent', 'delivered', 'read'].includes(r.body.status),
      { what: 'the message sent soon after the reconnection', timeoutMs: 15_000 },
    );
    expect((await sentByPhone(advisor)).map((s) => s.text)).toEqual(['carrera']);
  }, 60_000);
});
