// The wait for the echo of an uncertain attempt (SEND_UNCERTAIN_RETRY_MS) lived only in the job's
// delay. Redis losing the job in that wait (a restart without persistence, a flush) left the
// sweeper to enqueue the message again, with no delay: it went out a second time before the echo
// of the first could record it. The sweeper now restores the wait the row records.
import { describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { sweepOutbox } from '../../src/workers/sweeper.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone } from '../support/whatsapp.js';
import { SLOW_GATEWAY_LATENCY_MS, useSlowGatewayService } from '../support/slow-gateway.js';

// Longer than the sweeper's grace (10 s), as the default (60 s) is: the sweeper can meet the row
// inside the wait.
const UNCERTAIN_WAIT_MS = 15_000;

const slow = useSlowGatewayService(UNCERTAIN_WAIT_MS);

describe('a job lost while its attempt is uncertain', () => {
  it('is restored by the sweeper to wait for the echo, and the client gets one copy', async () => {
    const { service, ana } = slow;
    const text = 'Tu cita del viernes (trabajo perdido en Redis)';
    await ana.emulator.put('/_emulator/faults', { latencyMs: SLOW_GATEWAY_LATENCY_MS });
    try {
      const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000841', text });
      expect(res.status).toBe(202);
      const id = res.body.message.id;
      const released = await waitFor(
        () => findMessage(service.runtime.ctx.db, ana.userId, id),
        (m) => m?.status === 'queued' && m.attempts === 1,
        { what: 'the timed-out attempt released' },
      );
      expect(released!.uncertainUntil).not.toBeNull();
      // Redis loses the held job; the sweeper runs (its clock past the grace) before the echo.
      // The row is released before BullMQ moves the job out of `active`: wait for the move, or
      // the removal is refused (the job still locked by its worker).
      const queue = service.runtime.messages.queue;
      await waitFor(
        async () => (await queue.getJob(`send-${id}`))?.getState(),
        (state) => state === 'delayed',
        { what: "the attempt's job delayed for its retry" },
      );
      await (await queue.getJob(`send-${id}`))!.remove();
      const afterGrace = new Date(Date.now() + 10_500);
      expect(await sweepOutbox(service.runtime.ctx, service.runtime.messages, afterGrace)).toBe(1);
      const restored = (await queue.getJob(`send-${id}`))!;
      expect(await restored.getState()).toBe('delayed');
      expect(restored.timestamp + (restored.opts.delay ?? 0)).toBeGreaterThanOrEqual(
        released!.uncertainUntil!.getTime() - 50,
      );

      await ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
      await waitFor(
        () => findMessage(service.runtime.ctx.db, ana.userId, id),
        (m) => m?.sentAt != null,
        { what: 'the echo confirming the slow send', timeoutMs: 10_000 },
      );
      // Past the restored wait: the job looks, finds the message sent, and sends nothing.
      await new Promise((resolve) => setTimeout(resolve, UNCERTAIN_WAIT_MS + 1_000));
    } finally {
      await ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
    }
    expect((await sentByPhone(ana)).filter((m) => m.text === text)).toHaveLength(1);
  });
});
