// Tenancy: advisor B attacks advisor A's inbox by phone number. Every read is empty or 404, every
// write is 404 or lands in B's own data, and A's conversation is exactly as it was.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappClient, whatsappMessage } from '../../src/db/schema/index.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
const PHONE = '+34620000001';
const P = encodeURIComponent(PHONE);

beforeAll(async () => {
  service = await startTestService();
  [ana, bea] = await Promise.all([connectedAdvisor(service, 'Ana'), connectedAdvisor(service, 'Bea')]);
  const emulator = new HttpClient(service.emulatorUrl);
  await emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, {
    from: PHONE,
    pushName: 'Secreta',
    text: 'solo para Ana',
  });
  await waitFor(
    async () => (await ana.client.get('/api/whatsapp/conversations')).body.items,
    (items: any[]) => items.some((c) => c.phone === PHONE && c.unread === 1),
  );
});
afterAll(async () => {
  await service?.close();
});

const anaState = async () => {
  const db = service.database.db;
  const client = await db
    .select()
    .from(whatsappClient)
    .where(and(eq(whatsappClient.advisorId, ana.userId), eq(whatsappClient.phone, PHONE)));
  const messages = await db.select().from(whatsappMessage).where(eq(whatsappMessage.advisorId, ana.userId));
  return { client, messages };
};

describe('another advisor', () => {
  it('sees none of A’s conversations or clients', async () => {
    const conversations = await bea.client.get('/api/whatsapp/conversations');
    expect(conversations.status).toBe(200);
    expect(conversations.body.items).toEqual([]);
    const clients = await bea.client.get('/api/whatsapp/clients');
    expect(clients.body.items).toEqual([]);
    // A's unread message is in A's total only.
    expect((await bea.client.get('/api/whatsapp/conversations/unread')).body).toEqual({
      unread: 0,
      conversations: 0,
    });
    expect((await ana.client.get('/api/whatsapp/conversations/unread')).body).toEqual({
      unread: 1,
      conversations: 1,
    });
    const messages = await bea.client.get(`/api/whatsapp/messages?phone=${P}`);
    expect(messages.body.items ?? []).toEqual([]);
  });

  it('gets 404 reading, marking or replying to A’s conversation, and A’s data is untouched', async () => {
    const before = await anaState();
    expect((await bea.client.get(`/api/whatsapp/conversations/${P}/messages`)).status).toBe(404);
    expect((await bea.client.post(`/api/whatsapp/conversations/${P}/read`)).status).toBe(404);
    const reply = await bea.client.post(`/api/whatsapp/conversations/${P}/reply`, { text: 'te leo' });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('not_found');
    await new Promise((r) => setTimeout(r, 200));
    expect(await anaState()).toEqual(before);
    const beaMessages = await service.database.db
      .select()
      .from(whatsappMessage)
      .where(eq(whatsappMessage.advisorId, bea.userId));
    expect(beaMessages).toEqual([]);
  });

  it('toggling the number’s opt-out only writes B’s own list', async () => {
    const before = await anaState();
    const put = await bea.client.put(`/api/whatsapp/clients/${P}`, { optedOut: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ phone: PHONE, name: null, optedOut: true, unread: 0 });
    expect(await anaState()).toEqual(before);
    expect(before.client[0]!.optedOut).toBe(false);
    // A can still write to the client; B cannot.
    expect((await ana.client.post(`/api/whatsapp/conversations/${P}/reply`, { text: 'hola' })).status).toBe(
      202,
    );
    expect((await bea.client.post('/api/whatsapp/send', { to: PHONE, text: 'hola' })).status).toBe(422);
  });

  it('A’s own view is intact', async () => {
    const list = (await ana.client.get('/api/whatsapp/conversations')).body.items;
    expect(list).toEqual([
      expect.objectContaining({ phone: PHONE, clientName: 'Secreta', unread: 1, optedOut: false }),
    ]);
  });
});
