// The emulator's real deliveries (JWT-signed, over HTTP, with its retry and fault behaviour):
// every payload shape of evolution-api.md §4.4 lands where it belongs, exactly once, and statuses
// only move forward however the events are duplicated, reordered or dropped.
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertWebhookEvents } from '../../src/db/repositories/webhook-event.repository.js';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { processWebhookEvent } from '../../src/domain/webhooks/process-webhook-event.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, envelope, upsertData, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let emulator: HttpClient;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
});
afterAll(async () => {
  await service?.close();
});
afterEach(async () => {
  await emulator.delete('/_emulator/faults');
});

const messagesOf = (advisor: ConnectedAdvisor, phone: string) =>
  service.database.db
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, advisor.userId), eq(whatsappMessage.phone, phone)));

async function clientWrites(advisor: ConnectedAdvisor, body: Record<string, unknown>): Promise<string> {
  const res = await emulator.post(`/_emulator/instances/${advisor.instanceName}/inbound`, body);
  expect(res.status).toBe(201);
  return res.body.key.id as string;
}

async function send(advisor: ConnectedAdvisor, to: string, text: string): Promise<string> {
  const res = await advisor.client.post('/api/whatsapp/send', { to, text });
  expect(res.status).toBe(202);
  return res.body.message.id as string;
}

const messageById = async (advisor: ConnectedAdvisor, id: string) =>
  (await advisor.client.get(`/api/whatsapp/messages/${id}`)).body;

describe('what clients write', () => {
  it('stores a text as inbound, received and unread, named after the pushName', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const id = await clientWrites(ana, {
      from: '+34611222333',
      pushName: 'Marta',
      text: 'Hola, ¿tienes hueco?',
    });
    const [row] = await waitFor(
      () => messagesOf(ana, '+34611222333'),
      (rows) => rows.length === 1,
    );
    expect(row).toMatchObject({
      direction: 'inbound',
      phone: '+34611222333',
      clientName: 'Marta',
      type: 'text',
      text: 'Hola, ¿tienes hueco?',
      status: 'received',
      readByAdvisor: false,
      evolutionMessageId: id,
    });
    const list = (await ana.client.get('/api/whatsapp/conversations')).body.items;
    expect(list).toEqual([
      expect.objectContaining({ phone: '+34611222333', clientName: 'Marta', unread: 1, optedOut: false }),
    ]);
    expect(list[0].lastMessage.text).toBe('Hola, ¿tienes hueco?');
  });

  it('reads @lid senders, flattened extended text and media with captions', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await clientWrites(ana, { from: '+34622000001', text: 'por lid', asLid: true });
    await clientWrites(ana, {
      from: '+34622000002',
      text: 'con preview https://x.example',
      extendedText: true,
    });
    await clientWrites(ana, {
      from: '+34622000003',
      media: { type: 'image', caption: 'mi analítica', mimetype: 'image/jpeg' },
    });
    await clientWrites(ana, { from: '+34622000003', media: { type: 'document', fileName: 'plan.pdf' } });
    const [lid] = await waitFor(
      () => messagesOf(ana, '+34622000001'),
      (r) => r.length === 1,
    );
    expect(lid!.text).toBe('por lid');
    expect(lid!.chatJid).toBe('34622000001@s.whatsapp.net');
    const [ext] = await waitFor(
      () => messagesOf(ana, '+34622000002'),
      (r) => r.length === 1,
    );
    expect(ext!.text).toBe('con preview https://x.example');
    const media = await waitFor(
      () => messagesOf(ana, '+34622000003'),
      (r) => r.length === 2,
    );
    expect(media.find((m) => m.type === 'image')).toMatchObject({
      caption: 'mi analítica',
      mimetype: 'image/jpeg',
    });
    expect(media.find((m) => m.type === 'document')).toMatchObject({
      fileName: 'plan.pdf',
      mimetype: 'application/pdf',
    });
  });

  it('keeps group chats out of client conversations (WEBHOOK_GROUPS=ignore by default)', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await clientWrites(ana, { from: '+34633000001', text: 'en el grupo', group: '120363025246125486' });
    await clientWrites(ana, { from: '+34633000001', text: 'en privado' });
    const rows = await waitFor(
      () => messagesOf(ana, '+34633000001'),
      (r) => r.length === 1,
    );
    expect(rows[0]!.text).toBe('en privado');
    await new Promise((r) => setTimeout(r, 200));
    const all = await service.database.db
      .select()
      .from(whatsappMessage)
      .where(eq(whatsappMessage.advisorId, ana.userId));
    expect(all.map((m) => m.text)).toEqual(['en privado']);
  });
});

describe('what the advisor sends', () => {
  it('records messages typed on the phone as outbound, source phone, status sent', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await clientWrites(ana, { from: '+34644000001', text: 'escrito en el móvil', fromMe: true });
    const [row] = await waitFor(
      () => messagesOf(ana, '+34644000001'),
      (r) => r.length === 1,
    );
    expect(row).toMatchObject({
      direction: 'outbound',
      source: 'phone',
      status: 'sent',
      readByAdvisor: true,
    });
    const conv = (await ana.client.get('/api/whatsapp/conversations')).body.items[0];
    expect(conv).toMatchObject({ phone: '+34644000001', unread: 0 });
  });

  it("never moves a conversation's last activity back for a phone message applied late", async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const { ctx } = service.runtime;
    const phone = '+34644000002';
    const typed = (id: string, receivedAt: Date) => ({
      advisorId: ana.userId,
      event: 'MESSAGES_UPSERT',
      payload: envelope(
        ana.instanceName,
        'messages.upsert',
        upsertData(phone, `escrito ${id}`, id, {
          key: { remoteJid: `${phone.slice(1)}@s.whatsapp.net`, fromMe: true, id },
        }),
      ),
      receivedAt,
    });
    const now = new Date();
    // Two messages typed on the phone; the older one's event is applied last (a retry, a batch
    // behind a backlog): the conversation's last activity stays the newer one.
    const [newer, older] = await insertWebhookEvents(ctx.db, [
      typed('3APHONE2', now),
      typed('3APHONE1', new Date(now.getTime() - 60_000)),
    ]);
    for (const id of [newer!, older!]) {
      await processWebhookEvent(ctx, ana.userId, id, { finalAttempt: false });
    }
    const conv = (await ana.client.get('/api/whatsapp/conversations')).body.items.find(
      (c: { phone: string }) => c.phone === phone,
    );
    expect(new Date(conv.lastActivityAt).getTime()).toBe(now.getTime());
  });

  it('never duplicates an API send when its SEND_MESSAGE echo arrives, and follows receipts to read', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const id = await send(ana, '+34655000001', 'Tu cita es mañana');
    const read = await waitFor(
      () => messageById(ana, id),
      (m) => m.status === 'read',
      { what: 'read receipt' },
    );
    expect(read.sentAt).not.toBeNull();
    expect(read.deliveredAt).not.toBeNull();
    expect(read.readAt).not.toBeNull();
    const rows = await messagesOf(ana, '+34655000001');
    expect(rows).toHaveLength(1);
    // The echo may be answered after the receipts: one that beats the send's record is held for a
    // second look (WEBHOOK_ECHO_GRACE_MS) while the receipts, not held, go through.
    const log = await waitFor(
      async () =>
        (await emulator.get(`/_emulator/instances/${ana.instanceName}/webhooks?event=send.message`)).body as {
          outcome: string;
        }[],
      (entries) => entries.some((entry) => entry.outcome === 'delivered'),
      { what: 'the SEND_MESSAGE echo delivered' },
    );
    expect(log.filter((entry) => entry.outcome === 'delivered')).toHaveLength(1);
    expect(await messagesOf(ana, '+34655000001')).toHaveLength(1);
  });

  it('applies receipts in whatever order they come: READ first, then late DELIVERY_ACK and SERVER_ACK', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await emulator.put('/_emulator/faults', { statusDelaysMs: null });
    const id = await send(ana, '+34655000002', 'orden');
    const sent = await waitFor(
      () => messageById(ana, id),
      (m) => m.status === 'sent',
    );
    const receipt = (status: string) =>
      emulator.post(`/_emulator/instances/${ana.instanceName}/receipt`, {
        keyId: sent.evolutionMessageId,
        status,
      });
    await receipt('READ');
    await waitFor(
      () => messageById(ana, id),
      (m) => m.status === 'read',
    );
    await receipt('DELIVERY_ACK');
    await receipt('SERVER_ACK');
    // An edit in 2.3.7 arrives as SERVER_ACK with the new content: no delivery news either.
    await emulator.post(`/_emulator/instances/${ana.instanceName}/emit`, {
      event: 'messages.update',
      data: {
        keyId: sent.evolutionMessageId,
        remoteJid: '34655000002@s.whatsapp.net',
        fromMe: true,
        status: 'SERVER_ACK',
        message: { conversation: 'editado' },
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    const after = await messageById(ana, id);
    expect(after.status).toBe('read');
    expect(after.deliveredAt).not.toBeNull();
  });
});

describe('a failure report and a delivery receipt for one message', () => {
  it('end delivered whichever comes first: the delivery receipt is proof, ERROR never lowers it', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await emulator.put('/_emulator/faults', { statusDelaysMs: null });
    const receipt = (keyId: string, status: string) =>
      emulator.post(`/_emulator/instances/${ana.instanceName}/receipt`, { keyId, status });
    const sentMessage = async (to: string) => {
      const id = await send(ana, to, `error y entrega ${to}`);
      return waitFor(
        () => messageById(ana, id),
        (m) => m.status === 'sent',
      );
    };

    const errorFirst = await sentMessage('+34655000011');
    await receipt(errorFirst.evolutionMessageId, 'ERROR');
    await waitFor(
      () => messageById(ana, errorFirst.id),
      (m) => m.status === 'failed',
      { what: 'the ERROR receipt applied' },
    );
    await receipt(errorFirst.evolutionMessageId, 'DELIVERY_ACK');
    const revived = await waitFor(
      () => messageById(ana, errorFirst.id),
      (m) => m.status === 'delivered',
      { what: 'the late delivery receipt applied' },
    );
    expect(revived).toMatchObject({ error: null, failedAt: null, deliveredAt: expect.any(String) });

    const deliveredFirst = await sentMessage('+34655000012');
    await receipt(deliveredFirst.evolutionMessageId, 'DELIVERY_ACK');
    await waitFor(
      () => messageById(ana, deliveredFirst.id),
      (m) => m.status === 'delivered',
    );
    await receipt(deliveredFirst.evolutionMessageId, 'ERROR');
    await receipt(deliveredFirst.evolutionMessageId, 'SERVER_ACK');
    await new Promise((r) => setTimeout(r, 300));
    expect((await messageById(ana, deliveredFirst.id)).status).toBe('delivered');
  });
});

describe('under delivery faults', () => {
  it('stores each message once and keeps statuses monotonic with duplicated, reordered webhooks', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await emulator.put('/_emulator/faults', { duplicateWebhookRate: 1, reorderWebhooks: true });
    const texts = Array.from({ length: 12 }, (_, i) => `mensaje ${i}`);
    for (const text of texts) await clientWrites(ana, { from: '+34666000001', text });
    const ids = await Promise.all([1, 2, 3].map((i) => send(ana, `+3466600001${i}`, `envío ${i}`)));

    const rows = await waitFor(
      () => messagesOf(ana, '+34666000001'),
      (r) => r.length >= 12,
      { what: '12 inbound' },
    );
    await new Promise((r) => setTimeout(r, 400)); // let the duplicates arrive too
    expect((await messagesOf(ana, '+34666000001')).map((r) => r.text).sort()).toEqual([...texts].sort());
    expect(rows).toHaveLength(12);
    const conv = (await ana.client.get('/api/whatsapp/conversations')).body.items.find(
      (c: { phone: string }) => c.phone === '+34666000001',
    );
    expect(conv.unread).toBe(12);
    for (const id of ids) {
      const m = await waitFor(
        () => messageById(ana, id),
        (x) => x.status === 'read',
        { what: `read ${id}` },
      );
      expect(m.deliveredAt).not.toBeNull();
    }
    const log = (await emulator.get(`/_emulator/instances/${ana.instanceName}/webhooks`)).body as {
      duplicate: boolean;
    }[];
    expect(log.some((e) => e.duplicate)).toBe(true);
  });

  it('stores exactly what arrived when deliveries are dropped, and nothing breaks', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await emulator.put('/_emulator/faults', { dropWebhookRate: 0.5 });
    for (let i = 0; i < 20; i++) await clientWrites(ana, { from: '+34677000001', text: `drop ${i}` });
    await emulator.delete('/_emulator/faults');
    // Deliveries are asynchronous: wait until the emulator has settled all 20 of them.
    const outcomes = async () => {
      const log = (
        await emulator.get(`/_emulator/instances/${ana.instanceName}/webhooks?event=messages.upsert`)
      ).body as { outcome: string; deliveryId: number }[];
      return {
        delivered: new Set(log.filter((e) => e.outcome === 'delivered').map((e) => e.deliveryId)).size,
        dropped: log.filter((e) => e.outcome === 'dropped').length,
      };
    };
    const { delivered, dropped } = await waitFor(outcomes, (o) => o.delivered + o.dropped >= 20, {
      what: '20 deliveries settled',
    });
    expect(delivered + dropped).toBe(20);
    await waitFor(
      () => messagesOf(ana, '+34677000001'),
      (r) => r.length === delivered,
      { what: `${delivered} stored` },
    );
    // The pipeline still works afterwards.
    await clientWrites(ana, { from: '+34677000001', text: 'after' });
    await waitFor(
      () => messagesOf(ana, '+34677000001'),
      (r) => r.length === delivered + 1,
    );
  });
});
