// The gateway's "QR code limit reached" (QRCODE_UPDATED, evolution-api.md §3.2, §4.4) delivered
// late: Evolution retries a failed delivery for ~20 min with its first attempt's body (§4.2), so
// the limit of a QR session that ended can arrive after the advisor connected again and the phone
// linked. It is that ended session's news, and must not mark the linked number disconnected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { webhookApplied } from '../support/whatsapp.js';

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  // A QR lives 500 ms and the gateway gives up after two: the limit comes about a second after connect.
  service = await startTestService({ emulator: { qrTimeoutMs: 500, qrLimit: 2 } });
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

describe('a QR limit delivered after the phone linked', () => {
  it('leaves the number connected', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Lía Tarde');
    expect((await client.post('/api/whatsapp/connect')).body.status).toBe('qr_pending');
    const { instanceName } = (await client.get('/api/whatsapp/config')).body;
    const control = `/_emulator/instances/${instanceName}`;
    // Our receiver fails the QR deliveries from now on (the limit's among them): Evolution keeps
    // them for a retry.
    expect((await emulator.put(`${control}/webhooks/hold`, { events: ['QRCODE_UPDATED'] })).status).toBe(200);

    // The gateway gives up; its CONNECTION_UPDATE "refused" reaches us.
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected' && r.body.alert === 'qr_limit_reached',
      { what: 'the QR limit reached' },
    );
    expect((await emulator.put(`${control}/webhooks/hold`, { events: [] })).status).toBe(200);

    // The advisor tries again and the phone scans at once.
    expect((await client.post('/api/whatsapp/connect')).body.status).toBe('qr_pending');
    expect((await emulator.post(`${control}/scan`, { phone: '+34612000111' })).status).toBe(200);
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
      { what: 'connected' },
    );

    // Evolution's retries of the first session's QR deliveries, the limit included, arrive now.
    const released = await emulator.post(`${control}/webhooks/release`);
    expect(released.body.released).toBeGreaterThan(0);
    await webhookApplied(service.database.db, userId, 'QRCODE_UPDATED', { containing: 'limit reached' });

    expect((await client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'connected',
      phoneNumber: '+34612000111',
      alert: null,
    });
  });
});
