// Every connection route acts on the caller's own instance only: advisor B disconnecting and
// removing leaves A's instance alone, in the gateway and in our database, and A stays
// connected. And disconnecting or removing still works when the gateway has already forgotten
// the instance (an Evolution restarted without its database).
import { count, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { connectionEvent, webhookEvent } from '../../src/db/schema/index.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});

/** Everything about A that B's actions could change: gateway side and database side. */
async function snapshot(advisor: ConnectedAdvisor) {
  const db = service.database.db;
  const row = (await findConfig(db, advisor.userId))!;
  const [history] = await db
    .select({ n: count() })
    .from(connectionEvent)
    .where(eq(connectionEvent.advisorId, advisor.userId));
  const gateway = (await emulator.get(`/_emulator/instances/${advisor.instanceName}`)).body;
  return {
    gateway: {
      state: gateway.state,
      wuid: gateway.wuid,
      instanceId: gateway.instanceId,
      createdAt: gateway.createdAt,
      webhookUrl: gateway.webhook?.url,
    },
    row: {
      status: row.status,
      alert: row.alert,
      instanceName: row.instanceName,
      instanceTokenEnc: row.instanceTokenEnc,
      webhookSecretEnc: row.webhookSecretEnc,
      phoneNumber: row.phoneNumber,
      connectedAt: row.connectedAt,
    },
    history: history!.n,
  };
}

/** Until every webhook the gateway sent has been delivered and processed, and a moment more. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  await waitFor(
    async () => {
      const [pending] = await service.database.db
        .select({ n: count() })
        .from(webhookEvent)
        .where(isNull(webhookEvent.processedAt));
      return pending!.n;
    },
    (n) => n === 0,
    { what: 'webhook events processed' },
  );
}

describe("another advisor's instance", () => {
  it('is untouched by B disconnecting and removing, whatever B has', async () => {
    const a = await connectedAdvisor(service, 'Alicia');
    const b = await connectedAdvisor(service, 'Berta');
    const never = await signUpAdvisor(service.url, 'Carmen');
    await settle();
    const before = await snapshot(a);
    expect(before.gateway.state).toBe('open');
    expect(before.row.status).toBe('connected');

    // B, connected on an instance of her own, logs out and removes it.
    expect((await b.client.post('/api/whatsapp/disconnect')).body).toEqual({ status: 'disconnected' });
    expect((await b.client.delete('/api/whatsapp/config')).status).toBe(200);
    // C, who never connected, has nothing to act on.
    expect((await never.client.post('/api/whatsapp/disconnect')).status).toBe(404);
    expect((await never.client.delete('/api/whatsapp/config')).status).toBe(404);
    // Ids of A's in the request change nothing: the routes take the caller's instance only.
    const aimed = [
      await b.client.request('DELETE', `/api/whatsapp/config?instanceName=${a.instanceName}`),
      await b.client.post(`/api/whatsapp/disconnect?instanceName=${a.instanceName}`, {
        instanceName: a.instanceName,
      }),
    ];
    // They act on B's own, already removed: removing again is a no-op, nothing is left to log out.
    expect(aimed.map((r) => r.status)).toEqual([200, 404]);

    // B's own instance went away in the gateway, with its logout and removal webhooks.
    expect((await emulator.get(`/_emulator/instances/${b.instanceName}`)).status).toBe(404);
    await settle();

    expect(await snapshot(a)).toEqual(before);
    const config = await a.client.get('/api/whatsapp/config?refresh=true');
    expect(config.body).toMatchObject({ status: 'connected', alert: null, phoneNumber: a.phone });
    // And A can still send.
    const sent = await a.client.post('/api/whatsapp/send', { to: '+34612000999', text: 'sigo aquí' });
    expect(sent.status).toBe(202);
    await waitFor(
      () => a.client.get(`/api/whatsapp/messages/${sent.body.message.id}`),
      (r) => ['sent', 'delivered', 'read'].includes(r.body.status),
      { what: "A's message sent" },
    );
  });
});

describe('a gateway that already forgot the instance', () => {
  /** The gateway loses the instance without telling us: no webhook reaches the service. */
  async function forget(instanceName: string): Promise<void> {
    await emulator.put('/_emulator/faults', { dropWebhookRate: 1 });
    try {
      const res = await fetch(`${service.emulatorUrl}/instance/delete/${instanceName}`, {
        method: 'DELETE',
        headers: { apikey: service.config.evolution.apiKey },
      });
      expect(res.status).toBe(200);
    } finally {
      await emulator.delete('/_emulator/faults');
    }
    // Like Evolution, the emulator removes a deleted instance a moment after answering.
    await waitFor(
      () => emulator.get(`/_emulator/instances/${instanceName}`),
      (r) => r.status === 404,
      { what: 'the gateway forgot the instance' },
    );
  }

  it('still disconnects, then removes, then connects again from scratch', async () => {
    const advisor = await connectedAdvisor(service, 'Olvido');
    await forget(advisor.instanceName);
    // We still believe it connected: nothing told us otherwise.
    expect((await advisor.client.get('/api/whatsapp/config')).body.status).toBe('connected');

    const disconnected = await advisor.client.post('/api/whatsapp/disconnect');
    expect(disconnected.status).toBe(200);
    expect(disconnected.body).toEqual({ status: 'disconnected' });
    const after = (await advisor.client.get('/api/whatsapp/config')).body;
    expect(after).toMatchObject({ status: 'disconnected', alert: null });

    const removed = await advisor.client.delete('/api/whatsapp/config');
    expect(removed.status).toBe(200);
    expect((await advisor.client.get('/api/whatsapp/config')).body).toMatchObject({
      status: 'not_configured',
      instanceName: null,
    });
    const row = (await findConfig(service.database.db, advisor.userId))!;
    expect(row).toMatchObject({ instanceTokenEnc: null, webhookSecretEnc: null });

    const again = await advisor.client.post('/api/whatsapp/connect');
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('qr_pending');
    expect((await emulator.get(`/_emulator/instances/${advisor.instanceName}`)).body.state).toBe(
      'connecting',
    );
  });

  it('keeps a message waiting, not failed, and sends it once the advisor connects again', async () => {
    const advisor = await connectedAdvisor(service, 'Olvido Tres');
    await forget(advisor.instanceName);
    const res = await advisor.client.post('/api/whatsapp/send', {
      to: '+34612000777',
      text: 'sigue en cola',
    });
    expect(res.status).toBe(202);
    // The send finds the instance gone: the advisor is shown disconnected, the message waits.
    const config = await waitFor(
      async () => (await advisor.client.get('/api/whatsapp/config')).body,
      (c) => c.status === 'disconnected',
      { what: 'the lost instance noticed' },
    );
    expect(config.alert).toBe('connection_closed');
    await new Promise((r) => setTimeout(r, 300));
    const waiting = (await advisor.client.get(`/api/whatsapp/messages/${res.body.message.id}`)).body;
    expect(waiting).toMatchObject({ status: 'queued', error: { code: 'instance_not_found' } });

    // Connecting again re-creates the instance; the phone scans; the message goes out, once.
    expect((await advisor.client.post('/api/whatsapp/connect')).body.status).toBe('qr_pending');
    expect((await emulator.post(`/_emulator/instances/${advisor.instanceName}/scan`, {})).status).toBe(200);
    await waitFor(
      () => advisor.client.get(`/api/whatsapp/messages/${res.body.message.id}`),
      (r) => ['sent', 'delivered', 'read'].includes(r.body.status),
      { what: 'the waiting message sent after reconnecting' },
    );
    const sent = (await emulator.get(`/_emulator/instances/${advisor.instanceName}/sent`)).body;
    expect(sent.filter((m: { text?: string }) => m.text === 'sigue en cola')).toHaveLength(1);
  });

  it('removes without a disconnect first', async () => {
    const advisor = await connectedAdvisor(service, 'Olvido Dos');
    await forget(advisor.instanceName);
    const removed = await advisor.client.delete('/api/whatsapp/config');
    expect(removed.status).toBe(200);
    expect((await advisor.client.get('/api/whatsapp/config')).body.status).toBe('not_configured');
  });
});
