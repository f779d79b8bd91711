// A blank `caption` on media counts as absent (API-EXTENSIONS): it must be stored as no caption,
// not as "". The caption is left out of the gateway request when empty, so Evolution's echo of
// the send carries none (null); a row holding "" did not match it, and an attempt whose answer
// was lost (a slow gateway) was sent a second time instead of being confirmed by its echo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { startTestService, type TestService } from '../support/service.js';
import { SLOW_GATEWAY_LATENCY_MS as GATEWAY_LATENCY_MS, slowGatewayEnv } from '../support/slow-gateway.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

const UNCERTAIN_WAIT_MS = 4_000;

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: slowGatewayEnv(UNCERTAIN_WAIT_MS) });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

describe('a blank caption on media', () => {
  it('is stored as no caption', async () => {
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000851',
      type: 'document',
      media: { url: 'https://cdn.example.com/files/plan-vacio.pdf', mimetype: 'application/pdf' },
      caption: '   ',
    });
    expect(res.status).toBe(202);
    expect(res.body.message.caption).toBeNull();
  });

  it('lets the echo of a send whose answer was lost confirm it: the client gets one copy', async () => {
    const fileUrl = 'https://cdn.example.com/files/plan-semanal-eco.pdf';
    await ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    let id: string;
    try {
      const res = await ana.client.post('/api/whatsapp/send', {
        to: '+34612000852',
        type: 'document',
        media: { url: fileUrl, mimetype: 'application/pdf' },
        caption: ' ',
      });
      expect(res.status).toBe(202);
      id = res.body.message.id;
      // The attempt times out; Evolution sends after that and echoes it.
      await waitFor(
        () => findMessage(service.runtime.ctx.db, ana.userId, id),
        (row) => row?.errorCode === 'gateway_timeout' || row?.sentAt != null,
        { what: 'the timed-out attempt' },
      );
      await ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
      // The retry comes after the uncertain wait; give a second copy time to land.
      await new Promise((r) => setTimeout(r, UNCERTAIN_WAIT_MS + GATEWAY_LATENCY_MS));
    } finally {
      await ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
    }
    const row = await findMessage(service.runtime.ctx.db, ana.userId, id);
    expect(['sent', 'delivered', 'read']).toContain(row!.status);
    const copies = (await sentByPhone(ana)).filter((m) => JSON.stringify(m).includes('plan-semanal-eco.pdf'));
    expect(copies).toHaveLength(1);
  });
});
