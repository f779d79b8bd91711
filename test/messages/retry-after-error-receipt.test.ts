// "Reintentar" on a message WhatsApp reported failed (an ERROR receipt after it was sent). The row
// kept the failed attempt's Evolution id, and the echo of a lost send is matched only to a row
// with no id: when the retry's answer was lost (a slow gateway), its echo confirmed nothing, the
// retry after the uncertain wait found the row unsent and sent it again, and the client got the
// retry twice. A retry now clears the failed attempt's id.
import { describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone } from '../support/whatsapp.js';
import { SLOW_GATEWAY_LATENCY_MS, useSlowGatewayService } from '../support/slow-gateway.js';

const UNCERTAIN_WAIT_MS = 4_000;

const slow = useSlowGatewayService(UNCERTAIN_WAIT_MS);

describe('a retry of a message WhatsApp failed', () => {
  it('reaches the client once more, not twice, when its answer is lost', async () => {
    const { service, ana } = slow;
    const row = (id: string) => findMessage(service.runtime.ctx.db, ana.userId, id);
    const text = 'Tu plan de comidas de la semana (reintento)';
    // Receipts only when the test sends them.
    await ana.emulator.put('/_emulator/faults', { statusDelaysMs: null });
    try {
      const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000831', text });
      expect(res.status).toBe(202);
      const id = res.body.message.id;
      const first = await waitFor(
        () => row(id),
        (m) => m?.status === 'sent',
        { what: 'the first send' },
      );
      const receipt = await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/receipt`, {
        keyId: first!.evolutionMessageId,
        status: 'ERROR',
      });
      expect(receipt.status).toBe(200);
      await waitFor(
        () => row(id),
        (m) => m?.status === 'failed',
        { what: 'WhatsApp failing it' },
      );

      // The gateway is slow now: the retry's answer never reaches us, only its echo.
      await ana.emulator.put('/_emulator/faults', {
        statusDelaysMs: null,
        latencyMs: SLOW_GATEWAY_LATENCY_MS,
      });
      expect((await ana.client.post(`/api/whatsapp/messages/${id}/retry`)).status).toBe(202);
      const confirmed = await waitFor(
        () => row(id),
        (m) => m?.status === 'sent' && m.evolutionMessageId !== first!.evolutionMessageId,
        { what: 'the echo confirming the retry', timeoutMs: 10_000 },
      );
      expect(confirmed!.evolutionMessageId).not.toBeNull();
      // Long enough for a second copy, sent by the uncertain retry at the slow latency, to land.
      await new Promise((resolve) => setTimeout(resolve, UNCERTAIN_WAIT_MS + SLOW_GATEWAY_LATENCY_MS + 500));
    } finally {
      await ana.emulator.delete('/_emulator/faults');
    }
    // The first send (which WhatsApp failed) and the retry: two, not three.
    const copies = (await sentByPhone(ana)).filter((m) => m.text === text);
    expect(copies).toHaveLength(2);
  });
});
