// CHECK_WHATSAPP_NUMBERS=true: POST /send asks the gateway (chat/whatsappNumbers) whether the
// recipient has WhatsApp before queueing, and refuses one without it with 422 not_on_whatsapp.
// The setting used to be read and then ignored: the message was queued and failed at its attempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: { CHECK_WHATSAPP_NUMBERS: 'true', RECONNECT_POLL_MS: '200' } });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

describe('POST /api/whatsapp/send with CHECK_WHATSAPP_NUMBERS', () => {
  it('refuses a number without WhatsApp with 422 not_on_whatsapp and writes nothing', async () => {
    await ana.emulator.put('/_emulator/faults', { notOnWhatsApp: ['34612000801', '+34612000801'] });
    try {
      const res = await ana.client.post('/api/whatsapp/send', { to: '612 000 801', text: 'nadie' });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({
        code: 'not_on_whatsapp',
        details: { field: 'to', phone: '+34612000801' },
      });
      expect(res.body.error.message).toContain('+34612000801');
      const history = await ana.client.get('/api/whatsapp/messages?phone=%2B34612000801');
      expect(history.body.items).toEqual([]);
    } finally {
      await ana.emulator.delete('/_emulator/faults');
    }
  });

  it('queues and sends to a number on WhatsApp as before', async () => {
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000802', text: 'hola' });
    expect(res.status).toBe(202);
    await waitFor(
      async () => (await sentByPhone(ana)).map((m) => m.text),
      (texts) => texts.includes('hola'),
      { what: 'the message on the phone' },
    );
  });

  // The check waited the gateway's whole request budget (30 s): every send of a slow gateway took
  // that long, past many callers' HTTP timeouts, for a check that is only advice.
  it('queues unchecked when the gateway does not answer the check in time', { timeout: 12_000 }, async () => {
    await ana.emulator.put('/_emulator/faults', { latencyMs: 15_000 });
    try {
      const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000804', text: 'lento' });
      expect(res.status).toBe(202);
      expect(res.body.message.status).toBe('queued');
    } finally {
      await ana.emulator.delete('/_emulator/faults');
    }
  });

  it('queues without asking while the number is disconnected (not connected is not an error)', async () => {
    const bea = await connectedAdvisor(service, 'Bea');
    await bea.emulator.put('/_emulator/faults', { notOnWhatsApp: ['34612000803', '+34612000803'] });
    try {
      await bea.emulator.post(`/_emulator/instances/${bea.instanceName}/disconnect`, { statusReason: 401 });
      await waitFor(
        () => bea.client.get('/api/whatsapp/config'),
        (r) => r.body.status !== 'connected',
        { what: 'bea disconnected' },
      );
      const res = await bea.client.post('/api/whatsapp/send', { to: '+34612000803', text: 'luego' });
      expect(res.status).toBe(202);
      expect(res.body.message.status).toBe('queued');
    } finally {
      await bea.emulator.delete('/_emulator/faults');
    }
  });
});
