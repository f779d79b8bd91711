// A pairing switch's logout retried after the link: Evolution retries a failed webhook delivery
// for ~20 min with the body of its first attempt (evolution-api.md §4.2), so the close 401 and
// LOGOUT_INSTANCE of the logout a switch to a pairing code made can arrive after the phone typed
// the code and linked. They are dated (envelope `date_time`, §4.3) before that link's `open`, and
// must not mark the number just linked logged out; a logout after the link still must. The
// emulator holds those deliveries back and releases them after the link, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectionHistory, webhookApplied } from '../support/whatsapp.js';

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

const history = (advisorId: string) => connectionHistory(service, advisorId);

describe("a pairing switch's logout delivered after the link", () => {
  it('leaves the number linked; a logout after the link is still recorded', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Marta Gil');
    const db = service.database.db;

    expect((await client.post('/api/whatsapp/connect')).body.status).toBe('qr_pending');
    const { instanceName } = (await client.get('/api/whatsapp/config')).body;
    await webhookApplied(db, userId, 'QRCODE_UPDATED');
    await webhookApplied(db, userId, 'CONNECTION_UPDATE');
    const control = `/_emulator/instances/${instanceName}`;

    // Our receiver "fails" the switch's connection events and logout: Evolution will retry them.
    const hold = await emulator.put(`${control}/webhooks/hold`, {
      events: ['CONNECTION_UPDATE', 'LOGOUT_INSTANCE'],
    });
    expect(hold.status).toBe(200);
    const paired = await client.post('/api/whatsapp/connect', { phoneNumber: '+34622334455' });
    expect(paired.body.qr.pairingCode).toEqual(expect.any(String));
    const held = (await emulator.get(`${control}/webhooks`)).body.filter(
      (a: { outcome: string }) => a.outcome === 'held',
    );
    expect(held.map((a: { event: string }) => a.event)).toEqual(
      expect.arrayContaining(['connection.update', 'logout.instance']),
    );
    await emulator.put(`${control}/webhooks/hold`, { events: [] });

    // The advisor types the code: the new socket's open is delivered and applied.
    expect((await emulator.post(`${control}/scan`, {})).status).toBe(200);
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
      { what: 'connected status' },
    );
    const linked = await history(userId);
    expect(linked.at(-1)).toBe('connected:');

    // Now the retries of the switch's logout arrive, with their own (earlier) date_time.
    expect((await emulator.post(`${control}/webhooks/release`)).body.released).toBe(held.length);
    await webhookApplied(db, userId, 'LOGOUT_INSTANCE');
    await webhookApplied(db, userId, 'CONNECTION_UPDATE', { containing: '"statusReason":401' });
    expect((await client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'connected',
      phoneNumber: '+34622334455',
      alert: null,
    });
    expect(await history(userId)).toEqual(linked);

    // The phone logs out after the link: that one is real.
    expect((await emulator.post(`${control}/disconnect`, { statusReason: 401 })).status).toBe(200);
    const out = await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected',
      { what: 'disconnected status' },
    );
    expect(out.body.alert).toBe('logged_out');
    const after = await history(userId);
    expect(after.slice(0, linked.length)).toEqual(linked);
    expect(after.slice(linked.length)).toEqual([expect.stringMatching(/^disconnected:(close_401|logout)$/)]);
  });
});
