// An uncertain send (the gateway call timed out: WhatsApp may have it) holds its retry for
// SEND_UNCERTAIN_RETRY_MS so that Evolution's echo records it first. A wake-up promotes every
// delayed job of the advisor's queued messages (a settings change, a resume, a reconnection):
// the held retry ran at once and gave the client a second copy. The job now keeps the instant
// it may try again, and a retry woken before it goes back to wait.
import { describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone } from '../support/whatsapp.js';
import {
  SLOW_GATEWAY_LATENCY_MS as GATEWAY_LATENCY_MS,
  useSlowGatewayService,
} from '../support/slow-gateway.js';

const UNCERTAIN_WAIT_MS = 8_000;

const slow = useSlowGatewayService(UNCERTAIN_WAIT_MS);

describe('the held retry of an uncertain send, woken early', () => {
  it('reaches the client once when the advisor changes the rate limit during the hold', async () => {
    const text = 'Recordatorio de tu sesión (pasarela lenta, ajustes cambiados)';
    await slow.ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    const res = await slow.ana.client.post('/api/whatsapp/send', { to: '+34612000811', text });
    expect(res.status).toBe(202);
    const id = res.body.message.id;
    try {
      await waitFor(
        () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id),
        (row) => row?.status === 'queued' && row.attempts === 1,
        { what: 'the timed-out attempt released' },
      );
      // The gateway is fast again: a retry let through now would send its copy at once, before
      // the slow first one lands.
      await slow.ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
      const put = await slow.ana.client.put('/api/whatsapp/config', { settings: { rateLimit: { max: 49 } } });
      expect(put.status).toBe(200);
      // Woken, the retry goes back to wait for the rest of the hold.
      await new Promise((r) => setTimeout(r, 1_000));
      const job = await slow.service.runtime.messages.queue.getJob(`send-${id}`);
      expect(job ? await job.getState() : 'removed').toBe('delayed');
      expect(job!.attemptsMade).toBe(1);
      // The slow first send lands and its echo records it.
      const sent = await waitFor(
        () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id),
        (row) => row?.sentAt != null,
        { what: 'the echo confirming the slow send', timeoutMs: 10_000 },
      );
      expect(sent!.evolutionMessageId).not.toBeNull();
      // The retry runs at the end of the hold, finds the message sent and sends nothing.
      await waitFor(
        async () => {
          const j = await slow.service.runtime.messages.queue.getJob(`send-${id}`);
          return j ? await j.getState() : 'removed';
        },
        (state) => !/delayed|waiting|active|prioritized/.test(state),
        { what: 'the held retry run', timeoutMs: UNCERTAIN_WAIT_MS + 5_000 },
      );
    } finally {
      await slow.ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
    }
    const copies = (await sentByPhone(slow.ana)).filter((m) => m.text === text);
    expect(copies).toHaveLength(1);
  }, 60_000);
});
