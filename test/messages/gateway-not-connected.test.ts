// A number the gateway finds not connected while the service still believes it connected (the
// close webhook was lost): each look of the waiting message reaches the gateway and is refused
// "not connected". Waiting for a connection is no attempt, as it is not when the service knows
// of the disconnection (send-pipeline.test.ts): the message's `attempts` must not climb with
// every look (it read 16 after two seconds of RECONNECT_POLL_MS=200, one per poll).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone } from '../support/whatsapp.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: { SEND_BACKOFF_BASE_MS: '50', SEND_BACKOFF_MAX_MS: '200', RECONNECT_POLL_MS: '100' },
  });
});
afterAll(async () => {
  await service?.close();
});

describe('a send the gateway refuses as not connected', () => {
  it('waits for the reconnection without counting an attempt per look, then goes once', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    // The phone logs out and the close webhook is lost: the service still says connected.
    await ana.emulator.put('/_emulator/faults', { dropWebhookRate: 1 });
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/disconnect`, { statusReason: 401 });
    const text = `Cuando vuelvas ${Date.now()}`;
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000301', text });
    expect(res.status).toBe(202);
    const id = res.body.message.id as string;
    const refused = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${id}`),
      (r) => r.body.error?.code === 'not_connected',
      { what: 'the gateway refusing the send' },
    );
    expect(refused.body.status).not.toBe('failed');
    // The refusal tells the service the number is not connected: the dashboard says so at once,
    // not at the next health check (5 minutes by default).
    await waitFor(
      () => ana.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected',
      { what: 'the connection read again after the refusal', timeoutMs: 5_000 },
    );
    // Many looks, each refused by the gateway (read between two of them: a look holds the
    // message `sending` while it asks).
    await new Promise((r) => setTimeout(r, 1_000));
    const waiting = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${id}`),
      (r) => r.body.status === 'queued',
      { what: 'the message between two looks' },
    );
    expect(waiting.body.attempts).toBe(0);

    await ana.emulator.delete('/_emulator/faults');
    await ana.client.post('/api/whatsapp/connect');
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/scan`, { phone: ana.phone });
    const sent = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${id}`),
      (r) => r.body.sentAt !== null,
      { what: 'sent after the reconnection' },
    );
    expect(sent.body.attempts).toBe(1);
    expect((await sentByPhone(ana)).filter((m) => m.text === text)).toHaveLength(1);
  });
});
