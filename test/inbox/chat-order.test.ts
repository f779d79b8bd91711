// A conversation follows when its messages were exchanged, not when they were written: a booking
// writes its reminder days before it goes out, and the reminder sent today is the chat's newest
// message and the conversation's last one. Pages stay gapless in that order, to the microsecond.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMessage, markSent, type NewMessage } from '../../src/db/repositories/message.repository.js';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { HttpClient } from '../support/http.js';
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

const enc = encodeURIComponent;
const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

async function clientWrites(advisor: ConnectedAdvisor, phone: string, text: string) {
  const res = await emulator.post(`/_emulator/instances/${advisor.instanceName}/inbound`, {
    from: phone,
    pushName: 'Nuria',
    text,
  });
  expect(res.status).toBe(201);
  // A 404 until the webhook has made the conversation.
  await waitFor(
    async () => (await advisor.client.get(`/api/whatsapp/conversations/${enc(phone)}/messages`)).body,
    (body) => (body.items ?? []).some((m: any) => m.text === text),
    { what: `"${text}" in the chat` },
  );
}

async function chatPage(advisor: ConnectedAdvisor, phone: string, limit: number, cursor?: string) {
  const res = await advisor.client.get(
    `/api/whatsapp/conversations/${enc(phone)}/messages?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
  );
  expect(res.status).toBe(200);
  return res.body as { items: any[]; nextCursor: string | null };
}

async function wholeChat(advisor: ConnectedAdvisor, phone: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await chatPage(advisor, phone, limit, cursor);
    ids.push(...page.items.map((m) => m.id));
    if (!page.nextCursor) return ids;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
}

describe('a conversation in the order its messages were exchanged', () => {
  it('shows a reminder booked days ago and sent now as the newest message and the last one', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const phone = '+34621000001';
    await clientWrites(ana, phone, 'me apunto');
    const booked = await ana.client.post('/api/appointments', {
      externalId: `order-${Date.now()}`,
      clientName: 'Nuria',
      clientPhone: phone,
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(booked.status).toBe(201);
    const ofPurpose = (p: string) => booked.body.messages.find((m: any) => m.purpose === p);
    const [confirmation, reminder, followUp] = ['confirmation', 'reminder', 'follow_up'].map(ofPurpose);
    expect(reminder.status).toBe('scheduled');
    await waitFor(
      async () => (await chatPage(ana, phone, 50)).items.find((m) => m.id === confirmation.id)?.status,
      (status) => ['sent', 'delivered', 'read'].includes(status),
      { what: 'the confirmation sent' },
    );
    await clientWrites(ana, phone, 'gracias');

    // The reminder's day comes: the send worker records the gateway's acceptance.
    const sent = await markSent(service.database.db, ana.userId, reminder.id, {
      evolutionMessageId: `REMINDER${Date.now()}`,
      chatJid: null,
      at: new Date(),
    });
    expect(sent?.status).toBe('sent');

    const chat = await chatPage(ana, phone, 50);
    expect(chat.items.map((m) => (m.purpose === 'manual' ? m.text : m.purpose))).toEqual([
      'reminder',
      'gracias',
      'confirmation',
      // Still scheduled: where the booking wrote it.
      'follow_up',
      'me apunto',
    ]);
    expect(chat.items[3].id).toBe(followUp.id);
    const conversations = await ana.client.get('/api/whatsapp/conversations?limit=200');
    const conversation = conversations.body.items.find((c: any) => c.phone === phone);
    expect(conversation.lastMessage).toMatchObject({ id: reminder.id, purpose: 'reminder', status: 'sent' });
  });

  it('moves the conversation up the inbox when its reminder goes out, days after the booking wrote it', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    // Whatever the hour the test runs at: quiet hours would hold the reminder until morning.
    const quiet = await ana.client.put('/api/whatsapp/config', { settings: { quietHours: null } });
    expect(quiet.status).toBe(200);
    const booked = await ana.client.post('/api/appointments', {
      externalId: `order-list-${Date.now()}`,
      clientName: 'Nuria',
      clientPhone: '+34621000011',
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(booked.status).toBe(201);
    const reminder = booked.body.messages.find((m: any) => m.purpose === 'reminder');
    // The booking's write is more than a minute old by the time its reminder goes out (days, in
    // life): date it back, as the clock would have.
    await service.database.db.execute(
      sql`update ${whatsappMessage} set created_at = created_at - interval '2 days' where ${whatsappMessage.id} = ${reminder.id}`,
    );
    // Another client writes after the booking: above it in the inbox.
    await clientWrites(ana, '+34621000012', 'hola, ¿hay hueco el jueves?');
    const order = async () =>
      ((await ana.client.get('/api/whatsapp/conversations?limit=200')).body.items as any[]).map(
        (c) => c.phone,
      );
    expect((await order()).slice(0, 2)).toEqual(['+34621000012', '+34621000011']);

    // The reminder's day comes: its delayed job runs now, through the real worker and gateway (a
    // job woken before its message's time would wait for it, so the row's time is now too).
    await service.database.db.execute(
      sql`update ${whatsappMessage} set scheduled_at = now() - interval '1 second' where ${whatsappMessage.id} = ${reminder.id}`,
    );
    const job = await service.runtime.messages.queue.getJob(`send-${reminder.id}`);
    await job!.promote();
    await waitFor(
      async () => (await chatPage(ana, '+34621000011', 50)).items.find((m) => m.id === reminder.id)?.status,
      (status) => ['sent', 'delivered', 'read'].includes(status),
      { what: 'the reminder sent' },
    );
    expect((await order()).slice(0, 2)).toEqual(['+34621000011', '+34621000012']);
  });

  it('pages gaplessly through sends, receipts, ties to the microsecond and messages never sent', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const phone = '+34621000002';
    await clientWrites(ana, phone, 'hola');
    const db = service.database.db;
    // After "hola", whatever the clock did meanwhile.
    const base = Date.now() + 60_000;
    const at = (ms: number) => new Date(base + ms);
    const insert = (values: Omit<NewMessage, 'phone' | 'type'>) =>
      insertMessage(db, ana.userId, { phone, type: 'text', ...values });
    const byIdDesc = (rows: { id: string }[]) => rows.map((r) => r.id).sort((a, b) => (a < b ? 1 : -1));

    // Written 10 minutes before, sent together later; two of them a microsecond or two later.
    const sent = await Promise.all(
      [0, 1, 2, 3].map(() =>
        insert({ direction: 'outbound', status: 'delivered', createdAt: at(-600_000), sentAt: at(5_000) }),
      ),
    );
    await db.execute(sql`update ${whatsappMessage} set sent_at = sent_at + interval '2 microseconds'
      where ${whatsappMessage.id} = ${sent[0]!.id}`);
    await db.execute(sql`update ${whatsappMessage} set sent_at = sent_at + interval '1 microsecond'
      where ${whatsappMessage.id} = ${sent[1]!.id}`);
    // Failed before reaching WhatsApp: when it was written.
    const failed = await Promise.all(
      [0, 1].map(() => insert({ direction: 'outbound', status: 'failed', createdAt: at(3_000) })),
    );
    // Received: when it reached the service, whatever the client's phone clock said.
    const inbound = [];
    for (const i of [3, 2, 1]) {
      inbound.push(
        await insert({
          direction: 'inbound',
          status: 'received',
          createdAt: at(2_000 + i),
          sentAt: at(-3_600_000),
        }),
      );
    }
    // Scheduled for later: where the booking wrote it, all in one instant.
    const scheduled = await Promise.all(
      [0, 1, 2, 3].map(() => insert({ direction: 'outbound', status: 'scheduled', createdAt: at(0) })),
    );
    const [hola] = await db
      .select()
      .from(whatsappMessage)
      .where(and(eq(whatsappMessage.advisorId, ana.userId), eq(whatsappMessage.text, 'hola')));

    const expected = [
      sent[0]!.id,
      sent[1]!.id,
      ...byIdDesc(sent.slice(2)),
      ...byIdDesc(failed),
      ...inbound.map((m) => m.id),
      ...byIdDesc(scheduled),
      hola!.id,
    ];
    for (const limit of [1, 2, 3, 50]) {
      expect(await wholeChat(ana, phone, limit), `pages of ${limit}`).toEqual(expected);
    }

    // The message history stays by creation, newest first.
    const history = await ana.client.get(`/api/whatsapp/messages?phone=${enc(phone)}&limit=50`);
    expect(history.body.items.map((m: any) => m.id)).toEqual([
      ...byIdDesc(failed),
      ...inbound.map((m) => m.id),
      ...byIdDesc(scheduled),
      hola!.id,
      ...byIdDesc(sent),
    ]);
  });

  it('takes a cursor made before the chat followed the exchange, and goes on in creation order', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const phone = '+34621000003';
    await clientWrites(ana, phone, 'hola');
    const base = Date.now() + 60_000;
    const insert = (createdAt: number, sentAt: number | null) =>
      insertMessage(service.database.db, ana.userId, {
        phone,
        type: 'text',
        direction: 'outbound',
        status: sentAt === null ? 'scheduled' : 'sent',
        createdAt: new Date(base + createdAt),
        sentAt: sentAt === null ? null : new Date(base + sentAt),
      });
    const late = await insert(0, 10_000);
    const middle = await insert(1_000, null);
    const newest = await insert(2_000, null);

    // A page read in creation order ended at `middle`: the rest in that order, with no gap.
    const old = cursorOf(`${middle.createdAt.toISOString()}|${middle.id}`);
    const first = await chatPage(ana, phone, 1, old);
    expect(first.items.map((m) => m.id)).toEqual([late.id]);
    const rest = await chatPage(ana, phone, 1, first.nextCursor!);
    expect(rest.items.map((m) => m.text)).toEqual(['hola']);
    expect(Buffer.from(first.nextCursor!, 'base64url').toString()).not.toMatch(/^x\|/);

    // The first page is in the exchange order.
    expect((await chatPage(ana, phone, 3)).items.map((m) => m.id)).toEqual([late.id, newest.id, middle.id]);

    for (const bad of [
      'garbage',
      cursorOf(`x|${new Date(base).toISOString()}|${late.id}`),
      cursorOf(`x|2026-02-30T10:00:00.000000Z|${late.id}`),
      cursorOf(`x|2026-12-01T10:00:00.000000Z|not-a-uuid`),
      cursorOf(`x|2026-12-01T10:00:00.000000Z|${late.id}|more`),
    ]) {
      const res = await ana.client.get(`/api/whatsapp/conversations/${enc(phone)}/messages?cursor=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
  });
});
