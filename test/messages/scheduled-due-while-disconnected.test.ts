// A scheduled message that comes due while the number is disconnected waits for the connection
// like a queued one (its job is put aside for RECONNECT_POLL_MS). The reconnection's wake-up
// promoted only `queued`/`sending` messages, so a due `scheduled` one (a reminder, a message
// planned by hand) sat out a whole poll (30 s by default) after the number was back, behind
// the messages queued after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  // A waiting message looks again only after a minute: within the test only the reconnection's
  // wake-up can send it.
  service = await startTestService({ env: { RECONNECT_POLL_MS: '60000' } });
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

describe('a scheduled message that came due while disconnected', () => {
  it('goes out on the reconnection, not a poll later', async () => {
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/disconnect`, { statusReason: 401 });
    await waitFor(
      () => ana.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected',
      { what: 'disconnected after the logout' },
    );
    const text = 'Recordatorio programado (vencido sin conexión)';
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000871',
      text,
      scheduledAt: new Date(Date.now() + 2_000).toISOString(),
    });
    expect(res.status).toBe(202);
    expect(res.body.message.status).toBe('scheduled');
    const id = res.body.message.id as string;
    // Its time comes: the job finds no connection and is put aside for the poll.
    const queue = service.runtime.messages.queue;
    await waitFor(
      async () => {
        const job = await queue.getJob(sendJobId(id));
        return job ? { state: await job.getState(), processedOn: job.processedOn } : null;
      },
      (j) => j?.state === 'delayed' && j.processedOn !== undefined,
      { what: 'the due job put aside for the connection' },
    );

    expect((await ana.client.post('/api/whatsapp/connect')).body.status).toBe('qr_pending');
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/scan`, { phone: ana.phone });
    await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${id}`),
      (r) => ['sent', 'delivered', 'read'].includes(r.body.status),
      { what: 'the due message sent after the reconnection', timeoutMs: 15_000 },
    );
    expect((await sentByPhone(ana)).filter((m) => m.text === text)).toHaveLength(1);
  }, 40_000);
});
