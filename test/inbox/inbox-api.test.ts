// The two-way inbox over real HTTP: clients write through the emulator, the advisor lists
// conversations, reads them, replies, and manages the opt-out list.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMessage } from '../../src/db/repositories/message.repository.js';
import { updateConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { whatsappClient, whatsappMessage } from '../../src/db/schema/index.js';
import type { LiveEvent } from '../../src/domain/events/event-bus.js';
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

async function clientWrites(advisor: ConnectedAdvisor, from: string, text: string, pushName = 'Cliente') {
  const res = await emulator.post(`/_emulator/instances/${advisor.instanceName}/inbound`, {
    from,
    pushName,
    text,
  });
  expect(res.status).toBe(201);
}

async function waitForConversation(
  advisor: ConnectedAdvisor,
  phone: string,
  accept: (c: any) => boolean = () => true,
) {
  const list = await waitFor(
    async () => (await advisor.client.get('/api/whatsapp/conversations?limit=200')).body.items as any[],
    (items) => items.some((c) => c.phone === phone && accept(c)),
    { what: `conversation ${phone}` },
  );
  return list.find((c) => c.phone === phone);
}

describe('conversations', () => {
  it('lists conversations, most recent first, with the last message and unread count, page by page', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await clientWrites(ana, '+34611000001', 'primera', 'Uno');
    await waitForConversation(ana, '+34611000001');
    await clientWrites(ana, '+34611000002', 'segunda', 'Dos');
    await waitForConversation(ana, '+34611000002');
    await clientWrites(ana, '+34611000003', 'tercera', 'Tres');
    await clientWrites(ana, '+34611000003', 'otra más', 'Tres');
    await waitForConversation(ana, '+34611000003', (c) => c.unread === 2);

    const first = await ana.client.get('/api/whatsapp/conversations?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((c: any) => c.phone)).toEqual(['+34611000003', '+34611000002']);
    expect(first.body.items[0]).toMatchObject({
      clientName: 'Tres',
      unread: 2,
      optedOut: false,
      lastMessage: { text: 'otra más', direction: 'inbound', status: 'received', phone: '+34611000003' },
    });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await ana.client.get(
      `/api/whatsapp/conversations?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((c: any) => c.phone)).toEqual(['+34611000001']);
    expect(second.body.nextCursor).toBeNull();

    expect((await ana.client.get('/api/whatsapp/conversations?cursor=garbage')).status).toBe(400);
  });

  it('shows as last message the newest one exchanged, not a reminder scheduled for later', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const phone = '+34611000051';
    await clientWrites(ana, phone, 'me apunto', 'Nuria');
    await waitForConversation(ana, phone);
    // A booking writes the confirmation, and the reminder and follow-up due days later, together.
    const booked = await ana.client.post('/api/appointments', {
      externalId: `last-${Date.now()}`,
      clientName: 'Nuria',
      clientPhone: phone,
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    expect(booked.status).toBe(201);
    expect(booked.body.messages.map((m: any) => m.status).sort()).toEqual([
      'queued',
      'scheduled',
      'scheduled',
    ]);
    const confirmation = booked.body.messages.find((m: any) => m.purpose === 'confirmation');
    const conversation = await waitForConversation(ana, phone, (c) => c.lastMessage.direction === 'outbound');
    expect(conversation.lastMessage).toMatchObject({ id: confirmation.id, purpose: 'confirmation' });
  });

  it('shows one conversation in both directions, newest first, and marks it read', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await clientWrites(ana, '+34612000001', 'hola');
    await waitForConversation(ana, '+34612000001');
    const reply = await ana.client.post(`/api/whatsapp/conversations/${enc('+34612000001')}/reply`, {
      text: 'Hola, dime',
    });
    expect(reply.status).toBe(202);
    expect(reply.body.message).toMatchObject({
      direction: 'outbound',
      phone: '+34612000001',
      text: 'Hola, dime',
      source: 'dashboard',
    });
    // The chat is in the order messages were exchanged: the reply's place is when it went out.
    await waitFor(
      async () => (await ana.client.get(`/api/whatsapp/conversations/${enc('+34612000001')}/messages`)).body,
      (body) =>
        body.items.some(
          (m: any) => m.id === reply.body.message.id && ['sent', 'delivered', 'read'].includes(m.status),
        ),
      { what: 'the reply sent' },
    );
    await clientWrites(ana, '+34612000001', '¿a qué hora?');
    await waitForConversation(ana, '+34612000001', (c) => c.unread === 2);

    const page = await ana.client.get(`/api/whatsapp/conversations/${enc('+34612000001')}/messages?limit=2`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((m: any) => [m.direction, m.text])).toEqual([
      ['inbound', '¿a qué hora?'],
      ['outbound', 'Hola, dime'],
    ]);
    const rest = await ana.client.get(
      `/api/whatsapp/conversations/${enc('+34612000001')}/messages?limit=2&cursor=${page.body.nextCursor}`,
    );
    expect(rest.body.items.map((m: any) => m.text)).toEqual(['hola']);

    const read = await ana.client.post(`/api/whatsapp/conversations/${enc('+34612000001')}/read`);
    expect(read.body).toEqual({ phone: '+34612000001', unread: 0 });
    const conv = await waitForConversation(ana, '+34612000001');
    expect(conv.unread).toBe(0);
    const unreadRows = await service.database.db
      .select()
      .from(whatsappMessage)
      .where(and(eq(whatsappMessage.advisorId, ana.userId), eq(whatsappMessage.readByAdvisor, false)));
    expect(unreadRows).toEqual([]);
  });

  it('replies through the API with source api and honours an Idempotency-Key', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await clientWrites(ana, '+34613000001', 'hola');
    await waitForConversation(ana, '+34613000001');
    const created = await ana.client.post('/api/api-keys', { name: 'booking' });
    const api = new HttpClient(service.url, { 'x-api-key': created.body.key });
    const path = `/api/whatsapp/conversations/${enc('+34613000001')}/reply`;
    const one = await api.post(path, { text: 'desde la API' }, { 'idempotency-key': 'k-1' });
    const two = await api.post(path, { text: 'desde la API' }, { 'idempotency-key': 'k-1' });
    expect(one.status).toBe(202);
    expect(one.body.message.source).toBe('api');
    expect(two.body.message.id).toBe(one.body.message.id);
    expect(one.headers.get('idempotent-replayed')).toBeNull();
    expect(two.headers.get('idempotent-replayed')).toBe('true');
  });

  it('replays a repeated reply though the client’s name changed in between', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const phone = '+34613000002';
    await clientWrites(ana, phone, 'hola', 'Marta');
    await waitForConversation(ana, phone);
    const path = `/api/whatsapp/conversations/${enc(phone)}/reply`;
    const one = await ana.client.post(path, { text: 'Hola Marta' }, { 'idempotency-key': 'k-name' });
    expect(one.status).toBe(202);
    // The answer was lost; meanwhile the client writes again under another WhatsApp name.
    await clientWrites(ana, phone, 'sigo aquí', 'Marta G.');
    await waitForConversation(ana, phone, (c) => c.clientName === 'Marta G.');
    // The same request again (same conversation, same words, same key): the same message.
    const two = await ana.client.post(path, { text: 'Hola Marta' }, { 'idempotency-key': 'k-name' });
    expect(two.status).toBe(202);
    expect(two.body.message.id).toBe(one.body.message.id);
    expect(two.headers.get('idempotent-replayed')).toBe('true');
    // Other words under that key are another request.
    const other = await ana.client.post(path, { text: 'Otra cosa' }, { 'idempotency-key': 'k-name' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
  });

  it('keeps the name the advisor gave over the one the client shows on WhatsApp', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const phone = '+34613000003';
    const sent = await ana.client.post('/api/whatsapp/send', {
      to: phone,
      text: 'Hola',
      clientName: 'Eva Martínez',
    });
    expect(sent.status).toBe(202);
    await clientWrites(ana, phone, 'gracias', 'Evi 🌸');
    // The conversation keeps the agenda's name (it became "Evi 🌸" at each reply, and the
    // booking's name again at each reminder); the message keeps what WhatsApp said.
    const conversation = await waitForConversation(ana, phone, (c) => c.unread === 1);
    expect(conversation.clientName).toBe('Eva Martínez');
    const messages = await ana.client.get(`/api/whatsapp/conversations/${enc(phone)}/messages`);
    expect(messages.body.items.find((m: any) => m.direction === 'inbound').clientName).toBe('Evi 🌸');
    // A later name from the advisor still replaces it.
    await ana.client.post('/api/whatsapp/send', { to: phone, text: 'Hasta luego', clientName: 'Eva M.' });
    await waitForConversation(ana, phone, (c) => c.clientName === 'Eva M.');
  });

  it('answers 404 for unknown conversations and phones that are not E.164, 400 for a NUL byte or an empty reply', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await clientWrites(ana, '+34614000001', 'hola');
    await waitForConversation(ana, '+34614000001');
    // A NUL byte anywhere in a URL is malformed input: 400 before any lookup.
    const nul = '%2B34614000001%00';
    expect((await ana.client.get(`/api/whatsapp/conversations/${nul}/messages`)).status).toBe(400);
    expect((await ana.client.post(`/api/whatsapp/conversations/${nul}/read`)).status).toBe(400);
    for (const phone of ['+34699999999', '34614000001', 'abc', '+0123']) {
      const p = phone.includes('%') ? phone : enc(phone);
      expect((await ana.client.get(`/api/whatsapp/conversations/${p}/messages`)).status).toBe(404);
      expect((await ana.client.post(`/api/whatsapp/conversations/${p}/read`)).status).toBe(404);
      expect((await ana.client.post(`/api/whatsapp/conversations/${p}/reply`, { text: 'x' })).status).toBe(
        404,
      );
    }
    // The unencoded form works too (a "+" in a path is a plus).
    expect((await ana.client.get('/api/whatsapp/conversations/+34614000001/messages')).status).toBe(200);
    const empty = await ana.client.post(`/api/whatsapp/conversations/${enc('+34614000001')}/reply`, {
      text: '  ',
    });
    expect(empty.status).toBe(400);
  });

  it('pushes an inbound live event with the Message, and records the reply time of our last message', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const sentAt = new Date(Date.now() - 60_000);
    const ours = await insertMessage(service.database.db, ana.userId, {
      direction: 'outbound',
      phone: '+34615000001',
      type: 'text',
      text: '¿confirmas?',
      status: 'delivered',
      createdAt: sentAt,
      sentAt,
    });
    const seen: LiveEvent[] = [];
    const unsubscribe = await service.runtime.events.subscribe(ana.userId, (e) => seen.push(e));
    try {
      await clientWrites(ana, '+34615000001', 'sí, perfecto');
      const event = await waitFor(
        async () => seen.find((e) => e.type === 'inbound'),
        (e) => e !== undefined,
      );
      expect(event!.data).toMatchObject({
        direction: 'inbound',
        phone: '+34615000001',
        text: 'sí, perfecto',
      });
    } finally {
      await unsubscribe();
    }
    const [row] = await service.database.db
      .select()
      .from(whatsappMessage)
      .where(eq(whatsappMessage.id, ours.id));
    expect(row!.repliedAt).not.toBeNull();
    const first = row!.repliedAt!.getTime();
    expect(first).toBeGreaterThan(sentAt.getTime());
    // A second reply does not move the first-reply time.
    await clientWrites(ana, '+34615000001', 'otra cosa');
    await waitForConversation(ana, '+34615000001', (c) => c.unread === 2);
    const [again] = await service.database.db
      .select()
      .from(whatsappMessage)
      .where(eq(whatsappMessage.id, ours.id));
    expect(again!.repliedAt!.getTime()).toBe(first);
  });
});

describe('the unread total (the Inbox badge)', () => {
  it('sums every unread client message over all conversations, however many there are', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    const total = async () => (await ana.client.get('/api/whatsapp/conversations/unread')).body;
    expect(await total()).toEqual({ unread: 0, conversations: 0 });

    await clientWrites(ana, '+34618000001', 'hola');
    await clientWrites(ana, '+34618000001', '¿sigues ahí?');
    await waitForConversation(ana, '+34618000001', (c) => c.unread === 2);
    // 250 more recently active conversations, one of them unread: the first one is now past the
    // largest page of conversations, and still counts.
    const at = new Date(Date.now() + 60_000);
    await service.database.db.insert(whatsappClient).values(
      Array.from({ length: 250 }, (_, i) => ({
        advisorId: ana.userId,
        phone: `+346190${String(i).padStart(5, '0')}`,
        lastInboundAt: at,
        unread: i === 0 ? 3 : 0,
        updatedAt: at,
      })),
    );
    const firstPage = (await ana.client.get('/api/whatsapp/conversations?limit=200')).body.items as any[];
    expect(firstPage.some((c) => c.phone === '+34618000001')).toBe(false);
    expect(await total()).toEqual({ unread: 5, conversations: 2 });

    // Reading a conversation takes its messages off the total.
    await ana.client.post(`/api/whatsapp/conversations/${enc('+34618000001')}/read`);
    expect(await total()).toEqual({ unread: 3, conversations: 1 });
  });
});

describe('clients and the opt-out list', () => {
  it('lets the advisor see and edit who opted out, and refuses sends to them', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await clientWrites(ana, '+34616000001', 'hola', 'Lola');
    await clientWrites(ana, '+34616000002', 'hola', 'Pepa');
    await waitForConversation(ana, '+34616000002');
    await waitForConversation(ana, '+34616000001');

    const put = await ana.client.put(`/api/whatsapp/clients/${enc('+34616000001')}`, { optedOut: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      phone: '+34616000001',
      name: 'Lola',
      optedOut: true,
      optSource: 'advisor',
    });
    // A number the advisor never wrote to can be put on the list too.
    expect(
      (await ana.client.put(`/api/whatsapp/clients/${enc('+34616000009')}`, { optedOut: true })).status,
    ).toBe(200);

    const optedOut = await ana.client.get('/api/whatsapp/clients?optedOut=true');
    expect(optedOut.body.items.map((c: any) => c.phone)).toEqual(['+34616000001', '+34616000009']);
    const everyone = await ana.client.get('/api/whatsapp/clients?limit=2');
    expect(everyone.body.items).toHaveLength(2);
    const more = await ana.client.get(`/api/whatsapp/clients?limit=2&cursor=${everyone.body.nextCursor}`);
    expect(more.body.items.map((c: any) => c.phone)).toEqual(['+34616000009']);

    const reply = await ana.client.post(`/api/whatsapp/conversations/${enc('+34616000001')}/reply`, {
      text: 'x',
    });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('recipient_opted_out');
    expect((await ana.client.post('/api/whatsapp/send', { to: '+34616000001', text: 'x' })).status).toBe(422);
    expect((await waitForConversation(ana, '+34616000001')).optedOut).toBe(true);

    const back = await ana.client.put(`/api/whatsapp/clients/${enc('+34616000001')}`, { optedOut: false });
    expect(back.body.optedOut).toBe(false);
    expect((await ana.client.post('/api/whatsapp/send', { to: '+34616000001', text: 'x' })).status).toBe(202);

    expect(
      (await ana.client.put(`/api/whatsapp/clients/${enc('+34616000001')}`, { optedOut: 'yes' })).status,
    ).toBe(400);
    expect((await ana.client.put('/api/whatsapp/clients/not-a-phone', { optedOut: true })).status).toBe(404);
  });
});

describe('the inbox feature switch', () => {
  it('answers 403 feature_disabled on every inbox route when the feature is off', async () => {
    const ana = await connectedAdvisor(service, 'Ana');
    await clientWrites(ana, '+34617000001', 'hola');
    await waitForConversation(ana, '+34617000001');
    await updateConfig(service.database.db, ana.userId, { features: { inbox: false } });
    const p = enc('+34617000001');
    const responses = await Promise.all([
      ana.client.get('/api/whatsapp/conversations'),
      ana.client.get('/api/whatsapp/conversations/unread'),
      ana.client.get(`/api/whatsapp/conversations/${p}/messages`),
      ana.client.post(`/api/whatsapp/conversations/${p}/read`),
      ana.client.post(`/api/whatsapp/conversations/${p}/reply`, { text: 'x' }),
      ana.client.get('/api/whatsapp/clients'),
      ana.client.put(`/api/whatsapp/clients/${p}`, { optedOut: true }),
    ]);
    for (const res of responses) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('feature_disabled');
    }
  });

  it('requires authentication', async () => {
    const anonymous = new HttpClient(service.url);
    expect((await anonymous.get('/api/whatsapp/conversations')).status).toBe(401);
    expect((await anonymous.get('/api/whatsapp/clients')).status).toBe(401);
    expect((await anonymous.get('/api/whatsapp/conversations/unread')).status).toBe(401);
  });
});
