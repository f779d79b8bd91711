// The last attempt of a send times out: WhatsApp may have the message. Failed at once, the row
// ignored the echo that came a moment later (only a waiting row adopts one), read "failed" though
// the client had it, and a manual Retry sent a second copy. The job now waits
// SEND_UNCERTAIN_RETRY_MS for the echo with the row still queued, then only looks: recorded by
// the echo, the message stays sent; still unsent, it fails with the timeout as its reason.
import { afterEach, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone } from '../support/whatsapp.js';
import {
  SLOW_GATEWAY_LATENCY_MS as GATEWAY_LATENCY_MS,
  SLOW_TIMEOUT_MS as TIMEOUT_MS,
  useSlowGatewayService,
} from '../support/slow-gateway.js';

const UNCERTAIN_WAIT_MS = 4_000;

const slow = useSlowGatewayService(UNCERTAIN_WAIT_MS, { SEND_MAX_ATTEMPTS: '1' });
afterEach(async () => {
  await slow.ana.emulator.delete('/_emulator/faults');
});

const jobState = async (id: string) => {
  const job = await slow.service.runtime.messages.queue.getJob(`send-${id}`);
  return job ? await job.getState() : 'removed';
};

describe('an uncertain last attempt', () => {
  it('waits for the echo: the message ends sent, once, and cannot be retried', async () => {
    const text = 'Tu sesión de mañana (último intento lento)';
    await slow.ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    const res = await slow.ana.client.post('/api/whatsapp/send', { to: '+34612000821', text });
    expect(res.status).toBe(202);
    const id = res.body.message.id;
    // The attempt times out: the row waits (queued, the timeout as its reason), not failed.
    const released = await waitFor(
      () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id),
      (row) => row?.attempts === 1 && row.errorCode === 'gateway_timeout',
      { what: 'the timed-out last attempt released' },
    );
    expect(released!.status).toBe('queued');
    // The row is released before the job is moved: on a loaded machine it is still active a moment.
    await waitFor(
      () => jobState(id),
      (state) => state !== 'active',
      { what: 'the job to leave active' },
    );
    expect(await jobState(id)).toBe('delayed');
    // Evolution finishes the send after our timeout; its echo records it.
    const sent = await waitFor(
      () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id),
      (row) => row?.sentAt != null,
      { what: 'the echo confirming the slow send', timeoutMs: 10_000 },
    );
    expect(sent!.evolutionMessageId).not.toBeNull();
    await slow.ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
    // The final look finds it sent and ends the job without touching the row.
    await waitFor(
      () => jobState(id),
      (state) => !/delayed|waiting|active|prioritized/.test(state),
      { what: 'the final look', timeoutMs: UNCERTAIN_WAIT_MS + 5_000 },
    );
    const row = await findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id);
    expect(['sent', 'delivered', 'read']).toContain(row!.status);
    const retry = await slow.ana.client.post(`/api/whatsapp/messages/${id}/retry`);
    expect(retry.status).toBe(409);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await sentByPhone(slow.ana)).filter((m) => m.text === text)).toHaveLength(1);
  }, 60_000);

  it('fails with the timeout once the wait passes with no echo, without sending again', async () => {
    const text = 'Tu sesión del jueves (último intento lento, sin eco)';
    // The slow send goes out but its echo (and every later webhook) is lost.
    await slow.ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS, dropWebhookRate: 1 });
    const res = await slow.ana.client.post('/api/whatsapp/send', { to: '+34612000822', text });
    expect(res.status).toBe(202);
    const id = res.body.message.id;
    const t0 = Date.now();
    const released = await waitFor(
      () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id),
      (row) => row?.attempts === 1 && row.errorCode === 'gateway_timeout',
      { what: 'the timed-out last attempt released' },
    );
    expect(released!.status).toBe('queued');
    const failed = await waitFor(
      () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id),
      (row) => row?.status === 'failed',
      { what: 'the message failed after the wait', timeoutMs: UNCERTAIN_WAIT_MS + 8_000 },
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TIMEOUT_MS + UNCERTAIN_WAIT_MS - 500);
    expect(failed!.errorCode).toBe('gateway_timeout');
    expect(failed!.errorMessage).toMatch(/^Gave up after 1 attempts/);
    expect(failed!.attempts).toBe(1);
    await waitFor(
      () => jobState(id),
      (state) => !/delayed|waiting|active|prioritized/.test(state),
      { what: 'the job ended' },
    );
    expect((await sentByPhone(slow.ana)).filter((m) => m.text === text)).toHaveLength(1);
  }, 60_000);
});
