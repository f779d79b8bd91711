// Switching from the QR to a pairing code: an advisor who cannot scan the QR on show asks for a
// code with their number. Evolution hands out pairing codes only when it starts a socket (a
// connect to an instance already showing a QR just answers that QR), so the service logs the
// connecting instance out and connects again with the number. The logout's own webhooks (close
// 401, LOGOUT_INSTANCE) must not read as "your phone logged out". Emulator over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { webhookSecretOf } from '../../src/domain/instances/instance-credentials.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectionHistory, envelope, postWebhook, webhookApplied } from '../support/whatsapp.js';

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

const PAIRING_CODE = /^[1-9A-HJ-NP-TV-Z]{8}$/;

const history = (advisorId: string) => connectionHistory(service, advisorId);

describe('asking for a pairing code while the QR is on show', () => {
  it('logs the QR socket out, connects again with the number and returns its code; the logout raises no alert', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Elena Sanz');
    const db = service.database.db;

    const first = await client.post('/api/whatsapp/connect');
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('qr_pending');
    expect(first.body.qr.pairingCode).toBeNull();
    const { instanceName } = (await client.get('/api/whatsapp/config')).body;
    await webhookApplied(db, userId, 'QRCODE_UPDATED');
    await webhookApplied(db, userId, 'CONNECTION_UPDATE');
    // The history so far (the first QR, and the "connecting" when it arrived before it).
    const before = await history(userId);
    expect(before.at(-1)).toBe('qr_pending:');

    const paired = await client.post('/api/whatsapp/connect', { phoneNumber: '+34612345678' });
    expect(paired.status).toBe(200);
    expect(paired.body.status).toBe('qr_pending');
    expect(paired.body.qr.pairingCode).toMatch(PAIRING_CODE);
    expect(paired.body.qr.image).not.toBe(first.body.qr.image);
    // The gateway itself shows that code now (its new socket asked for it with the number).
    expect((await emulator.get(`/_emulator/instances/${instanceName}`)).body.state).toBe('connecting');

    // The logout's webhooks arrive (before or after the new QR was stored): they change nothing.
    await webhookApplied(db, userId, 'LOGOUT_INSTANCE');
    await webhookApplied(db, userId, 'CONNECTION_UPDATE', { containing: '"statusReason":401' });
    const config = await client.get('/api/whatsapp/config');
    expect(config.body).toMatchObject({ status: 'qr_pending', alert: null });
    expect(config.body.qr.pairingCode).toBe(paired.body.qr.pairingCode);

    // The same webhooks delivered again later (Evolution retries) change nothing either.
    const row = (await findConfig(db, userId))!;
    const secret = webhookSecretOf(service.runtime.box, row)!;
    for (const [event, data] of [
      ['connection.update', { instance: instanceName, state: 'close', statusReason: 401 }],
      ['logout.instance', null],
    ] as const) {
      const res = await postWebhook(service, JSON.stringify(envelope(instanceName, event, data)), {
        'x-webhook-secret': secret,
      });
      expect(res.status).toBe(200);
    }
    await webhookApplied(db, userId, 'LOGOUT_INSTANCE', { atLeast: 2 });
    await webhookApplied(db, userId, 'CONNECTION_UPDATE', { containing: '"statusReason":401', atLeast: 2 });
    expect((await client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'qr_pending',
      alert: null,
      qr: { pairingCode: paired.body.qr.pairingCode },
    });
    expect(await history(userId)).toEqual(before);

    // Asked again with the same number: the code on show is kept, nothing is restarted (a logout
    // and a new socket would send webhooks and start the QR count again).
    const instanceBefore = (await emulator.get(`/_emulator/instances/${instanceName}`)).body;
    const again = await client.post('/api/whatsapp/connect', { phoneNumber: '34612345678' });
    expect(again.body.qr.pairingCode).toBe(paired.body.qr.pairingCode);
    expect(again.body.qr.image).toBe(paired.body.qr.image);
    // Its countdown is not started again. (Not to the millisecond: the new socket's QRCODE_UPDATED,
    // applied on a row read before connect stored the code, may have re-dated it by a few ms.)
    const drift = Date.parse(again.body.qr.expiresAt) - Date.parse(paired.body.qr.expiresAt);
    expect(Math.abs(drift)).toBeLessThan(5_000);
    expect((await emulator.get(`/_emulator/instances/${instanceName}`)).body).toEqual(instanceBefore);

    // The advisor types the code on that phone: the number asked with is the one linked.
    const scan = await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    expect(scan.status).toBe(200);
    const linked = await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
      { what: 'connected status' },
    );
    expect(linked.body).toMatchObject({ phoneNumber: '+34612345678', alert: null, qr: null });
    expect(await history(userId)).toEqual([...before, 'connected:']);
    const after = (await findConfig(db, userId))!;
    expect(after).toMatchObject({ pairingNumber: null, pairingSwitchAt: null });
  });

  it('a number asked for from the start gets its code at once, with no logout', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Pablo Ruiz');
    const res = await client.post('/api/whatsapp/connect', { phoneNumber: '+34611222333' });
    expect(res.body.qr.pairingCode).toMatch(PAIRING_CODE);
    expect(await findConfig(service.database.db, userId)).toMatchObject({
      pairingNumber: '+34611222333',
      pairingSwitchAt: null,
    });
  });
});
