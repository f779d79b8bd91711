// WEBHOOK_GROUPS=store keeps group chats, apart: no phone, the group's JID, never in a client
// conversation, never unread, never read as a keyword.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ env: { WEBHOOK_GROUPS: 'store' } });
});
afterAll(async () => {
  await service?.close();
});

describe('group chats with WEBHOOK_GROUPS=store', () => {
  it('stores them apart from the author’s own conversation', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const emulator = new HttpClient(service.emulatorUrl);
    const inbound = `/_emulator/instances/${ana.instanceName}/inbound`;
    await emulator.post(inbound, {
      from: '+34650000001',
      pushName: 'Eva',
      text: 'STOP',
      group: '120363025246125486',
    });
    await emulator.post(inbound, { from: '+34650000001', pushName: 'Eva', text: 'en privado' });
    const rows = await waitFor(
      () =>
        service.database.db.select().from(whatsappMessage).where(eq(whatsappMessage.advisorId, ana.userId)),
      (r) => r.length === 2,
    );
    const group = rows.find((r) => r.text === 'STOP')!;
    expect(group).toMatchObject({
      phone: null,
      chatJid: '120363025246125486@g.us',
      clientName: 'Eva',
      direction: 'inbound',
      purpose: 'group',
      readByAdvisor: true,
    });
    const conversations = (await ana.client.get('/api/whatsapp/conversations')).body.items;
    expect(conversations).toEqual([
      expect.objectContaining({ phone: '+34650000001', unread: 1, optedOut: false }),
    ]);
    expect(conversations[0].lastMessage.text).toBe('en privado');
  });
});
