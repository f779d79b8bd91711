// Evolution answers DELETE /instance/delete at once and removes the instance a moment later (after
// its REMOVE_INSTANCE webhook): until then the name is taken and the old instance is listed. An
// advisor who removes the connection and connects again right away must get a fresh instance
// whose QR stays, not the dying one (which a name-taken create would otherwise adopt).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { openSse } from '../support/sse.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, connectionHistory, webhookApplied } from '../support/whatsapp.js';

const REMOVE_DELAY_MS = 1_500;

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService({ emulator: { removeDelayMs: REMOVE_DELAY_MS } });
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

describe('remove, then connect at once', () => {
  it('waits for the gateway to release the name, then links a fresh instance that stays', async () => {
    const advisor = await connectedAdvisor(service, 'Remedios Paz');
    expect((await advisor.client.delete('/api/whatsapp/config')).status).toBe(200);
    // The remove answered once the gateway no longer lists the instance.
    expect((await emulator.get(`/_emulator/instances/${advisor.instanceName}`)).status).toBe(404);

    const connect = await advisor.client.post('/api/whatsapp/connect');
    expect(connect.status).toBe(200);
    expect(connect.body.status).toBe('qr_pending');
    const { instanceName } = (await advisor.client.get('/api/whatsapp/config')).body;
    expect(instanceName).toBe(advisor.instanceName); // the name is derived from the advisor

    // Longer than a dying instance would live: this one stays, and its QR links the phone.
    await new Promise((resolve) => setTimeout(resolve, REMOVE_DELAY_MS + 300));
    expect((await emulator.get(`/_emulator/instances/${instanceName}`)).status).toBe(200);
    const scanned = await emulator.post(`/_emulator/instances/${instanceName}/scan`, {
      phone: advisor.phone,
    });
    expect(scanned.status).toBeLessThan(300);
    await waitFor(
      () => advisor.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
      { what: 'the new instance connected' },
    );
  });
});

// Evolution logs a linked instance out before deleting it (§3.6) and reports that as its usual
// logout webhooks (CONNECTION_UPDATE close 401, LOGOUT_INSTANCE). They arrive while the remove
// waits for the name to be released, and are the advisor's own removal, not the phone logging out.
describe('the logout webhooks of a remove', () => {
  it('are not read as the phone logging out', async () => {
    const advisor = await connectedAdvisor(service, 'Quita Sola');
    const stream = await openSse(`${service.url}/api/whatsapp/events`, advisor.client.cookieHeader());
    try {
      await stream.next((e) => e.event === 'status');
      expect((await advisor.client.delete('/api/whatsapp/config')).status).toBe(200);
      // The gateway's close was applied while the remove waited (the row still named the instance).
      await webhookApplied(service.database.db, advisor.userId, 'CONNECTION_UPDATE', {
        containing: '"close"',
      });
      await stream.next((e) => e.event === 'status' && e.data.status === 'not_configured');
      // No "your phone logged out" on the way, live or in the history.
      expect(stream.events.filter((e) => e.data.alert === 'logged_out')).toEqual([]);
      const history = await connectionHistory(service, advisor.userId);
      expect(history.slice(history.indexOf('connected:'))).toEqual(['connected:', 'not_configured:removed']);
    } finally {
      stream.close();
    }
  });
});
