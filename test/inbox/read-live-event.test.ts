// Found by review: marking a conversation read published no live event, so the advisor's other
// dashboard tabs and devices kept showing its unread count and the Inbox badge until the next
// client message or reconnect. Marking read now publishes `conversation_read` to every stream of
// that advisor (another session of theirs included) and to no other advisor's.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user } from '../../src/db/schema/index.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { openSse } from '../support/sse.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
const PHONE = '+34620000101';
const P = encodeURIComponent(PHONE);
const BEA_PHONE = '+34620000102';

const clientWrites = async (advisor: ConnectedAdvisor, from: string, text: string) => {
  const emulator = new HttpClient(service.emulatorUrl);
  await emulator.post(`/_emulator/instances/${advisor.instanceName}/inbound`, {
    from,
    pushName: 'Cliente',
    text,
  });
  await waitFor(
    async () => (await advisor.client.get('/api/whatsapp/conversations')).body.items,
    (items: any[]) => items.some((c) => c.phone === from && c.unread >= 1),
  );
};

/** A second device of the advisor: signs in again, with a session of its own. */
const secondSession = async (advisor: ConnectedAdvisor) => {
  const [row] = await service.database.db.select().from(user).where(eq(user.id, advisor.userId));
  const other = new HttpClient(service.url);
  const signedIn = await other.post('/api/auth/sign-in/email', {
    email: row!.email,
    password: 'correct-horse-9',
  });
  expect(signedIn.status).toBe(200);
  expect(other.cookieHeader()).not.toBe(advisor.client.cookieHeader());
  return other;
};

beforeAll(async () => {
  service = await startTestService();
  [ana, bea] = await Promise.all([connectedAdvisor(service, 'Ana'), connectedAdvisor(service, 'Bea')]);
  await clientWrites(ana, PHONE, 'hola Ana');
  await clientWrites(ana, PHONE, '¿sigues ahí?');
  await clientWrites(bea, BEA_PHONE, 'hola Bea');
});
afterAll(async () => {
  await service?.close();
});

describe('marking a conversation read', () => {
  it("tells the advisor's other sessions live, and no other advisor", async () => {
    const tablet = await secondSession(ana);
    const anaOther = await openSse(`${service.url}/api/whatsapp/events`, tablet.cookieHeader());
    const beaStream = await openSse(`${service.url}/api/whatsapp/events`, bea.client.cookieHeader());
    try {
      await anaOther.next((e) => e.event === 'status');
      await beaStream.next((e) => e.event === 'status');
      expect((await ana.client.get('/api/whatsapp/conversations/unread')).body).toEqual({
        unread: 2,
        conversations: 1,
      });

      const read = await ana.client.post(`/api/whatsapp/conversations/${P}/read`);
      expect(read.status).toBe(200);
      const event = await anaOther.next((e) => e.event === 'conversation_read');
      expect(event.data).toEqual({ phone: PHONE, unread: 0 });

      // Bea marks her own conversation read after Ana did: both go through one publisher and one
      // subscriber connection in that order, so an event of Ana's on Bea's stream would be there
      // before Bea's own.
      expect(
        (await bea.client.post(`/api/whatsapp/conversations/${encodeURIComponent(BEA_PHONE)}/read`)).status,
      ).toBe(200);
      await beaStream.next((e) => e.event === 'conversation_read');
      expect(beaStream.events.filter((e) => e.event === 'conversation_read').map((e) => e.data)).toEqual([
        { phone: BEA_PHONE, unread: 0 },
      ]);
      expect(JSON.stringify(beaStream.events)).not.toContain(PHONE);
    } finally {
      anaOther.close();
      beaStream.close();
    }
  });

  it('publishes nothing when the conversation is not the caller’s (404)', async () => {
    const beaStream = await openSse(`${service.url}/api/whatsapp/events`, bea.client.cookieHeader());
    try {
      await beaStream.next((e) => e.event === 'status');
      expect((await bea.client.post(`/api/whatsapp/conversations/${P}/read`)).status).toBe(404);
      // Then a read of her own, on the same stream: the only conversation_read it may carry.
      expect(
        (await bea.client.post(`/api/whatsapp/conversations/${encodeURIComponent(BEA_PHONE)}/read`)).status,
      ).toBe(200);
      await beaStream.next((e) => e.event === 'conversation_read');
      expect(beaStream.events.filter((e) => e.event === 'conversation_read').map((e) => e.data)).toEqual([
        { phone: BEA_PHONE, unread: 0 },
      ]);
    } finally {
      beaStream.close();
    }
  });
});
