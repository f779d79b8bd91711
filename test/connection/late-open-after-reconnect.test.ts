// An "open" of a link that has ended, delivered again after the advisor started a new connect:
// Evolution retries a failed delivery for ~20 min with its first attempt's body (evolution-api.md
// §4.2). The advisor is looking at a new QR and the gateway is showing it (state connecting); that
// old open must neither show "connected" nor release the waiting sends into a closed instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, replayStoredOpen, storedOpenEvent, webhookApplied } from '../support/whatsapp.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe('the open of an ended link, delivered while a new QR is on show', () => {
  it('keeps the QR, and a connect still answers with one', async () => {
    const ana = await connectedAdvisor(service, 'Ana Nuevo Código');
    const db = service.database.db;
    const open = await storedOpenEvent(db, ana.userId);

    // The phone logs out; the advisor connects again and is shown a new QR.
    const control = `/_emulator/instances/${ana.instanceName}`;
    expect((await ana.emulator.post(`${control}/disconnect`, { statusReason: 401 })).status).toBe(200);
    await waitFor(
      () => ana.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected' && r.body.alert === 'logged_out',
      { what: 'logged out' },
    );
    await webhookApplied(db, ana.userId, 'LOGOUT_INSTANCE');
    const connect = await ana.client.post('/api/whatsapp/connect');
    expect(connect.body).toMatchObject({ status: 'qr_pending' });
    expect((await ana.emulator.get(control)).body.state).toBe('connecting');

    // Evolution's retry of the old link's open, applied.
    await replayStoredOpen(service, ana, open);

    // The gateway is still showing QRs: nothing is linked.
    expect((await ana.emulator.get(control)).body.state).toBe('connecting');
    expect((await ana.client.get('/api/whatsapp/config?refresh=true')).body).toMatchObject({
      status: 'qr_pending',
    });
    const again = await ana.client.post('/api/whatsapp/connect');
    expect(again.body).toMatchObject({ status: 'qr_pending', qr: { image: expect.any(String) } });

    // Scanning the new QR links the number.
    expect((await ana.emulator.post(`${control}/scan`, { phone: ana.phone })).status).toBe(200);
    await waitFor(
      () => ana.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected' && r.body.alert === null,
      { what: 'connected by the new scan' },
    );
  });
});
