// A send that outlasts our timeout: Evolution is slow, our client gives up waiting, and Evolution
// sends anyway a moment later. Retrying at once (the ordinary backoff) gave the client two copies.
// The retry now waits SEND_UNCERTAIN_RETRY_MS, by which time the send's SEND_MESSAGE echo has
// given the attempt its id, so the retry finds it sent.
import { describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone } from '../support/whatsapp.js';
import {
  SLOW_GATEWAY_LATENCY_MS as GATEWAY_LATENCY_MS,
  useSlowGatewayService,
} from '../support/slow-gateway.js';

const UNCERTAIN_WAIT_MS = 4_000;

const slow = useSlowGatewayService(UNCERTAIN_WAIT_MS);

describe('a send that outlasts the gateway timeout', () => {
  it(
    'reaches the client once: the retry waits for the echo instead of sending again',
    { timeout: 60_000 },
    async () => {
      const text = 'Confirmada tu cita del martes (pasarela lenta)';
      await slow.ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
      const res = await slow.ana.client.post('/api/whatsapp/send', { to: '+34612000801', text });
      expect(res.status).toBe(202);
      try {
        // The attempt times out and is released for a retry, with the timeout as its reason.
        const released = await waitFor(
          () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, res.body.message.id),
          (row) => row?.status === 'queued' && row.attempts === 1,
          { what: 'the timed-out attempt released' },
        );
        expect(released!.errorCode).toBe('gateway_timeout');
        // Evolution finishes the send after our timeout; its echo confirms the attempt.
        const sent = await waitFor(
          () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, res.body.message.id),
          // Sent, or already moved on by the phone's receipts (seen in CI: read between two polls).
          (row) => row?.sentAt != null,
          { what: 'the echo confirming the slow send', timeoutMs: 10_000 },
        );
        expect(sent!.evolutionMessageId).not.toBeNull();
        expect(['sent', 'delivered', 'read']).toContain(sent!.status);
        await slow.ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
        // Let the retry run: it finds the message sent and sends nothing. Once the job has ended,
        // nothing more can go out for the message (a fixed wait was too short on a loaded machine).
        const jobState = async () => {
          const job = await slow.service.runtime.messages.queue.getJob(`send-${res.body.message.id}`);
          return job ? await job.getState() : 'removed';
        };
        await waitFor(jobState, (state) => !/delayed|waiting|active|prioritized/.test(state), {
          what: 'the send job ended',
          timeoutMs: UNCERTAIN_WAIT_MS + GATEWAY_LATENCY_MS + 15_000,
        });
      } finally {
        await slow.ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
      }
      const copies = (await sentByPhone(slow.ana)).filter((m) => m.text === text);
      expect(copies).toHaveLength(1);
    },
  );
});
