// Account actions are in the advisor's audit log next to the sends (QA: connecting, settings and
// API-key changes left no trace), with who did them, and only in that advisor's log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe('the audit log of account actions', () => {
  it('records connect, settings, API keys, disconnect and removal, by whom, for this advisor only', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Auditada');
    const other = await signUpAdvisor(service.url, 'Ajena');
    const emulator = new HttpClient(service.emulatorUrl);

    const connect = await client.post('/api/whatsapp/connect');
    expect(connect.status).toBe(200);
    const { instanceName } = (await client.get('/api/whatsapp/config')).body;
    await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
    await waitFor(
      () => client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'connected',
    );
    expect(
      (await client.put('/api/whatsapp/config', { settings: { reminderOffsetMinutes: 120 } })).status,
    ).toBe(200);
    const key = await client.post('/api/api-keys', { name: 'agenda' });
    // The key revokes itself: the entry names the key as the actor.
    const asKey = new HttpClient(service.url, { 'x-api-key': key.body.key });
    expect((await asKey.delete(`/api/api-keys/${key.body.id}`)).status).toBe(204);
    expect((await client.post('/api/whatsapp/disconnect')).status).toBe(200);
    expect((await client.delete('/api/whatsapp/config')).status).toBe(200);

    const audit = (await client.get('/api/whatsapp/audit')).body.items as {
      action: string;
      actorType: string;
      actorId: string;
      content: Record<string, unknown>;
    }[];
    const entries = audit.reverse().map((e) => [e.action, e.actorType, e.actorId]);
    expect(entries).toEqual([
      ['instance.connect', 'advisor', userId],
      ['settings.update', 'advisor', userId],
      ['api_key.create', 'advisor', userId],
      ['api_key.revoke', 'api_key', key.body.id],
      ['instance.disconnect', 'advisor', userId],
      ['instance.remove', 'advisor', userId],
    ]);
    expect(audit.find((e) => e.action === 'settings.update')!.content).toEqual({
      settings: { reminderOffsetMinutes: 120 },
    });
    // The secret never goes into the log.
    expect(JSON.stringify(audit)).not.toContain(key.body.key);
    expect((await other.client.get('/api/whatsapp/audit')).body.items).toEqual([]);
  });
});
