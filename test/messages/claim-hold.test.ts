// A message has one attempt in flight at a time. A second job for it (the sweeper's, after Redis
// lost the first; BullMQ's, after it found the first stalled) used to claim the row in `sending`
// at once and send it again while the first attempt was still waiting for a slow gateway: the
// client got two copies (CI saw it in the Redis-loss drill). A claim now stands for as long as a
// send can take (the request timeout and a margin); only then is it taken as abandoned and the
// message sent by whoever looks next. Real database, real Redis, the emulator over HTTP.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimForSending, findMessage } from '../../src/db/repositories/message.repository.js';
import { claimHoldMs, deliverMessage } from '../../src/domain/messages/deliver-message.js';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { sweepOutbox } from '../../src/workers/sweeper.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

const REQUEST_TIMEOUT_MS = 3_000;
const GATEWAY_LATENCY_MS = 1_500;

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: { EVOLUTION_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } });
  ana = await connectedAdvisor(service, 'Ana');
});
afterEach(async () => {
  await ana?.emulator.put('/_emulator/faults', { latencyMs: 0 });
});
afterAll(async () => {
  await service?.close();
});

const ctx = () => service.runtime.ctx;
const copiesOf = async (text: string) => (await sentByPhone(ana)).filter((m) => m.text === text).length;
const inSending = (id: string) =>
  waitFor(
    () => findMessage(ctx().db, ana.userId, id),
    (row) => row?.status === 'sending',
    { what: 'the first attempt claiming the message' },
  );

describe('a claim in flight', () => {
  it('holds off a second attempt at the same message until the first has finished', async () => {
    const text = 'Tu cita es el lunes a las 9:00 (envío lento)';
    const row = await unqueuedTextRow(ctx().db, ana.userId, '+34612000871', text);
    await ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    const first = deliverMessage(ctx(), ana.userId, row.id);
    const claimed = await inSending(row.id);

    const second = await deliverMessage(ctx(), ana.userId, row.id);
    expect(second.kind).toBe('wait_claim');
    // It looks again once the claim counts as abandoned, not before and not much later.
    const holdLeft = claimed!.updatedAt.getTime() + claimHoldMs(ctx()) - Date.now();
    expect((second as { delayMs: number }).delayMs).toBeGreaterThan(holdLeft - 1_000);
    expect((second as { delayMs: number }).delayMs).toBeLessThanOrEqual(claimHoldMs(ctx()));
    // The row is still the first attempt's.
    expect(await findMessage(ctx().db, ana.userId, row.id)).toMatchObject({ status: 'sending', attempts: 1 });

    expect(await first).toMatchObject({ kind: 'sent' });
    // Looking again afterwards finds it done.
    expect(await deliverMessage(ctx(), ana.userId, row.id)).toEqual({ kind: 'done' });
    expect(await copiesOf(text)).toBe(1);
  });

  it('is taken over once it is older than the longest a send can take (its worker is gone)', async () => {
    const text = 'Recordatorio: mañana a las 11:00 (trabajador caído)';
    const row = await unqueuedTextRow(ctx().db, ana.userId, '+34612000872', text);
    // The worker that dies: it claims the row and never gets to the gateway.
    expect(await claimForSending(ctx().db, ana.userId, row.id)).not.toBeNull();
    const claimAgo = async (ms: number) =>
      ctx().db.execute(
        sql`update whatsapp_message set updated_at = ${new Date(Date.now() - ms).toISOString()}::timestamptz
            where advisor_id = ${ana.userId} and id = ${row.id}`,
      );

    await claimAgo(claimHoldMs(ctx()) - 2_000);
    const early = await deliverMessage(ctx(), ana.userId, row.id);
    expect(early.kind).toBe('wait_claim');
    expect((early as { delayMs: number }).delayMs).toBeGreaterThan(1_000);
    expect((early as { delayMs: number }).delayMs).toBeLessThanOrEqual(2_000);
    expect(await copiesOf(text)).toBe(0);

    await claimAgo(claimHoldMs(ctx()) + 1_000);
    expect(await deliverMessage(ctx(), ana.userId, row.id)).toMatchObject({ kind: 'sent' });
    expect(await findMessage(ctx().db, ana.userId, row.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await copiesOf(text)).toBe(1);
  });
});

describe('Redis losing its data while a slow send is in flight', () => {
  it('the job the sweeper makes again waits for the claim, finds the message sent, and sends nothing', async () => {
    const text = 'Confirmada tu cita del viernes (Redis reiniciado)';
    // What each job for this message ended with (the first one cannot complete: its lock went with Redis).
    const results: unknown[] = [];
    let id = '';
    service.runtime.workers!.sendWorker.on('completed', (job, result) => {
      if (job.id === sendJobId(id)) results.push(result);
    });
    await ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000873', text });
    expect(res.status).toBe(202);
    id = res.body.message.id as string;
    await inSending(id);

    // As after a Redis restart without persistence, while the worker waits for the gateway.
    const redis = service.runtime.redis;
    const keys = await redis.keys(`${service.config.redis.prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    // The sweeper, run past its grace for rows in a worker's hands (as a late run would be).
    const restored = await sweepOutbox(ctx(), service.runtime.messages, new Date(Date.now() + 60_000));
    expect(restored).toBeGreaterThan(0);

    const queue = service.runtime.messages.queue;
    const waiting = await waitFor(
      async () => {
        const job = await queue.getJob(sendJobId(id));
        return job ? job.getState() : 'missing';
      },
      // Without the hold it would be sending the message again now ('active'), then be gone.
      (state) => state !== 'active' && state !== 'waiting' && state !== 'prioritized',
      { what: 'the restored job looking at the message' },
    );
    expect(waiting).toBe('delayed');

    // The first attempt finishes and records the send.
    await waitFor(
      () => findMessage(ctx().db, ana.userId, id),
      (row) => row?.sentAt != null,
      { what: 'the first attempt recorded' },
    );
    // The restored job, woken now instead of at the end of the hold, finds nothing to do.
    await (await queue.getJob(sendJobId(id)))!.promote();
    await waitFor(
      async () => results,
      (all) => all.includes('done'),
      { what: 'the restored job completed' },
    );
    expect(results).not.toContain('sent');
    expect(await copiesOf(text)).toBe(1);
  });
});
