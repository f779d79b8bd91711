// Clients opt out by writing STOP, BAJA or ALTO (any case, spacing, accents) and back in with
// START or ALTA. From then on nothing reaches them: new sends are refused, and messages already
// queued or scheduled are skipped when their time comes.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.repository.js';
import { insertWebhookEvents } from '../../src/db/repositories/webhook-event.repository.js';
import { whatsappClient } from '../../src/db/schema/index.js';
import type { LiveEvent } from '../../src/domain/events/event-bus.js';
import { processWebhookEvent } from '../../src/domain/webhooks/process-webhook-event.js';
import { HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  postWebhook,
  upsertData,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
let emulator: HttpClient;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  emulator = new HttpClient(service.emulatorUrl);
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const clientRow = async (phone: string) => {
  const [row] = await service.database.db
    .select()
    .from(whatsappClient)
    .where(and(eq(whatsappClient.advisorId, ana.userId), eq(whatsappClient.phone, phone)));
  return row;
};

async function clientWrites(from: string, text: string) {
  const res = await emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, { from, text });
  expect(res.status).toBe(201);
}

describe('opt-out keywords', () => {
  it.each([
    ['+34630000001', 'STOP'],
    ['+34630000002', ' baja '],
    ['+34630000003', 'Bája'],
    ['+34630000004', 'ALTO'],
    ['+34630000005', 'stop.'],
  ])('%s writing %j is opted out, and sends to them are refused', async (phone, text) => {
    await clientWrites(phone, text);
    const row = await waitFor(
      () => clientRow(phone),
      (r) => r?.optedOut === true,
      { what: `${phone} opted out` },
    );
    expect(row).toMatchObject({ optSource: 'keyword' });
    expect(row!.optedOutAt).not.toBeNull();
    const send = await ana.client.post('/api/whatsapp/send', { to: phone, text: 'recordatorio' });
    expect(send.status).toBe(422);
    expect(send.body.error.code).toBe('recipient_opted_out');
  });

  it('holds however the number is written, and only for the advisor the client left', async () => {
    const phone = '+34630000006';
    await clientWrites(phone, 'BAJA');
    await waitFor(
      () => clientRow(phone),
      (r) => r?.optedOut === true,
      { what: `${phone} opted out` },
    );
    // With its country code (one lookup with the config) and national (read with Ana's default
    // country, Spain, then looked up on its own): both refused.
    for (const to of ['0034 630 00 00 06', '630 000 006']) {
      const send = await ana.client.post('/api/whatsapp/send', { to, text: 'recordatorio' });
      expect(send.status, to).toBe(422);
      expect(send.body.error.code).toBe('recipient_opted_out');
    }
    // Another advisor's client with the same number never opted out of her.
    const bea = await connectedAdvisor(service, 'Bea');
    const send = await bea.client.post('/api/whatsapp/send', { to: phone, text: 'hola' });
    expect(send.status).toBe(202);
  });

  it('holds per advisor when many sends go at once (their reads of the recipient may be shared)', async () => {
    const phone = '+34630000007';
    await clientWrites(phone, 'BAJA');
    await waitFor(
      () => clientRow(phone),
      (r) => r?.optedOut === true,
      { what: `${phone} opted out` },
    );
    const eli = await connectedAdvisor(service, 'Eli');
    // Thirty sends in flight together, Ana's to the client who left her, Eli's to the same number
    // and to another (coalesced-statements.test.ts checks the shared reads themselves).
    const sends = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const [who, to] = i % 3 === 0 ? [ana, phone] : i % 3 === 1 ? [eli, phone] : [eli, '+34630000008'];
        return who.client
          .post('/api/whatsapp/send', { to, text: `lote ${i}` })
          .then((res) => ({ who, to, res }));
      }),
    );
    for (const { who, to, res } of sends) {
      if (who === ana) {
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe('recipient_opted_out');
      } else {
        expect(res.status).toBe(202);
        expect(res.body.message.phone).toBe(to);
      }
    }
    const eliHistory = await eli.client.get('/api/whatsapp/messages?limit=100');
    expect(eliHistory.body.items).toHaveLength(20);
  });

  it('ignores sentences that merely contain a keyword', async () => {
    await clientWrites('+34630000010', 'no pares, stop no');
    await clientWrites('+34630000010', 'me doy de baja mañana');
    const row = await waitFor(
      () => clientRow('+34630000010'),
      (r) => r?.unread === 2,
    );
    expect(row!.optedOut).toBe(false);
  });

  it('reads keywords only in what the client typed: a shared contact named "Stop" or a poll is no keyword', async () => {
    const phone = '+34630000011';
    const shared = [
      { message: { contactMessage: { displayName: 'Stop', vcard: 'BEGIN:VCARD\nFN:Stop\nEND:VCARD' } } },
      { message: { pollCreationMessageV3: { name: 'Baja', options: [] } } },
    ];
    for (const [i, extra] of shared.entries()) {
      const data = upsertData(phone, '', `SHARED${i}${Date.now()}`, extra);
      const res = await postWebhook(
        service,
        JSON.stringify(envelope(ana.instanceName, 'messages.upsert', data)),
        {
          authorization: `Bearer ${webhookJwt(ana.secret)}`,
        },
      );
      expect(res.status).toBe(200);
    }
    const row = await waitFor(
      () => clientRow(phone),
      (r) => r?.unread === 2,
      { what: `${phone}'s two messages received` },
    );
    expect(row!.optedOut).toBe(false);
  });

  it('START and ALTA opt back in, and both changes are audited', async () => {
    await clientWrites('+34630000020', 'STOP');
    await waitFor(
      () => clientRow('+34630000020'),
      (r) => r?.optedOut === true,
    );
    await new Promise((r) => setTimeout(r, 1_100)); // WhatsApp timestamps are in seconds
    await clientWrites('+34630000020', 'Start');
    await waitFor(
      () => clientRow('+34630000020'),
      (r) => r?.optedOut === false,
    );
    await new Promise((r) => setTimeout(r, 1_100));
    await clientWrites('+34630000020', 'baja');
    await waitFor(
      () => clientRow('+34630000020'),
      (r) => r?.optedOut === true,
    );
    await new Promise((r) => setTimeout(r, 1_100));
    await clientWrites('+34630000020', 'ALTA');
    await waitFor(
      () => clientRow('+34630000020'),
      (r) => r?.optedOut === false,
    );
    const audit = (await listAudit(service.database.db, ana.userId, { limit: 50 })).filter(
      (a) => a.phone === '+34630000020',
    );
    expect(audit.map((a) => a.action).reverse()).toEqual([
      'client.opt_out',
      'client.opt_in',
      'client.opt_out',
      'client.opt_in',
    ]);
    expect(audit[0]).toMatchObject({ actorType: 'system', content: { source: 'keyword', text: 'ALTA' } });
  });

  it('orders STOP and START by when the client wrote them, not by when the webhooks arrived', async () => {
    // Written a minute ago: a date after the webhook's arrival is read as its arrival
    // (future-dated-messages.test.ts).
    const t = Math.floor(Date.now() / 1000) - 60;
    const post = (text: string, ts: number, id: string) =>
      postWebhook(
        service,
        JSON.stringify(
          envelope(
            ana.instanceName,
            'messages.upsert',
            upsertData('+34630000030', text, id, { messageTimestamp: ts }),
          ),
        ),
        { authorization: `Bearer ${webhookJwt(ana.secret)}` },
      );
    // START written after STOP, but delivered first.
    expect((await post('START', t + 5, 'ORDER2')).status).toBe(200);
    await waitFor(
      () => clientRow('+34630000030'),
      (r) => r !== undefined && r.unread === 1,
    );
    expect((await post('STOP', t, 'ORDER1')).status).toBe(200);
    await waitFor(
      () => clientRow('+34630000030'),
      (r) => r?.unread === 2,
    );
    expect((await clientRow('+34630000030'))!.optedOut).toBe(false);
  });
});

describe('the live inbound event', () => {
  // The dashboard's badge follows the event's clientOptedOut. It used to guess from the words, and
  // a STOP written before the client's START (delivered after it) showed the client opted out.
  it('says when a message changed the client’s consent, as the server decided it', async () => {
    const phone = '+34630000088';
    const seen: LiveEvent[] = [];
    const unsubscribe = await service.runtime.events.subscribe(ana.userId, (e) => seen.push(e));
    const inbound = (id: string) =>
      waitFor(
        async () => seen.find((e) => e.type === 'inbound' && e.data.evolutionMessageId === id),
        (e) => e !== undefined,
        { what: `the inbound event of ${id}` },
      ).then((e) => e!.data);
    // Written over the last minute, none dated after it arrived.
    const t = Math.floor(Date.now() / 1000) - 60;
    const post = async (text: string, ts: number, id: string) => {
      const res = await postWebhook(
        service,
        JSON.stringify(
          envelope(
            ana.instanceName,
            'messages.upsert',
            upsertData(phone, text, id, { messageTimestamp: ts }),
          ),
        ),
        { authorization: `Bearer ${webhookJwt(ana.secret)}` },
      );
      expect(res.status).toBe(200);
      return inbound(id);
    };
    try {
      expect(await post('hola', t, 'LIVE1')).not.toHaveProperty('clientOptedOut');
      expect(await post('STOP', t + 1, 'LIVE2')).toMatchObject({ text: 'STOP', clientOptedOut: true });
      // START written later, delivered first; then the older STOP: it changes nothing.
      expect(await post('START', t + 10, 'LIVE4')).toMatchObject({ clientOptedOut: false });
      expect(await post('STOP', t + 5, 'LIVE3')).not.toHaveProperty('clientOptedOut');
      expect((await clientRow(phone))!.optedOut).toBe(false);
    } finally {
      await unsubscribe();
    }
  });
});

describe('a STOP and a START written in the same second', () => {
  // WhatsApp dates messages to the second, so within one second only arrival tells which came
  // second. Both webhooks are stored as the receiver stores them, the one that arrived first
  // with the earlier arrival time; they are then applied in the other order, as happens when the
  // first one's attempt fails and its retry runs after the second (or the two run side by side).
  async function storedInArrivalOrder(phone: string, first: string, second: string, ids: [string, string]) {
    const t = Math.floor(Date.now() / 1000);
    const arrived = Date.now();
    const [firstId, secondId] = await insertWebhookEvents(
      service.database.db,
      [[first, ids[0], 0] as const, [second, ids[1], 40] as const].map(([text, id, afterMs]) => ({
        advisorId: ana.userId,
        event: 'MESSAGES_UPSERT',
        payload: envelope(
          ana.instanceName,
          'messages.upsert',
          upsertData(phone, text, id, { messageTimestamp: t }),
        ),
        receivedAt: new Date(arrived + afterMs),
      })),
    );
    return { firstId: firstId!, secondId: secondId! };
  }
  const apply = async (id: number) =>
    expect(await processWebhookEvent(service.runtime.ctx, ana.userId, id, { finalAttempt: false })).toBe(
      'processed',
    );

  it('leaves the client opted in when START came second, though STOP was applied last', async () => {
    const phone = '+34630000031';
    const { firstId, secondId } = await storedInArrivalOrder(phone, 'STOP', 'START', ['SAME1A', 'SAME1B']);
    await apply(secondId);
    await apply(firstId);
    expect(await clientRow(phone)).toMatchObject({ optedOut: false, unread: 2 });
    const send = await ana.client.post('/api/whatsapp/send', { to: phone, text: 'hola de nuevo' });
    expect(send.status).toBe(202);
  });

  it('leaves the client opted out when STOP came second, though START was applied last', async () => {
    const phone = '+34630000032';
    const { firstId, secondId } = await storedInArrivalOrder(phone, 'START', 'STOP', ['SAME2A', 'SAME2B']);
    await apply(secondId);
    await apply(firstId);
    expect(await clientRow(phone)).toMatchObject({ optedOut: true, unread: 2 });
    const send = await ana.client.post('/api/whatsapp/send', { to: phone, text: '¿seguro?' });
    expect(send.status).toBe(422);
    expect(send.body.error.code).toBe('recipient_opted_out');
  });

  it('still lets the last one win when they are applied in the order they came', async () => {
    const phone = '+34630000033';
    const { firstId, secondId } = await storedInArrivalOrder(phone, 'BAJA', 'ALTA', ['SAME3A', 'SAME3B']);
    await apply(firstId);
    await apply(secondId);
    expect(await clientRow(phone)).toMatchObject({ optedOut: false, unread: 2 });
  });
});

describe('messages already on their way', () => {
  it('skips a scheduled message to a client who opted out before it was due', async () => {
    const phone = '+34630000040';
    const scheduledAt = new Date(Date.now() + 2_500).toISOString();
    const send = await ana.client.post('/api/whatsapp/send', { to: phone, text: 'tu cita', scheduledAt });
    expect(send.status).toBe(202);
    expect(send.body.message.status).toBe('scheduled');
    await clientWrites(phone, 'BAJA');
    await waitFor(
      () => clientRow(phone),
      (r) => r?.optedOut === true,
    );
    const message = await waitFor(
      async () => (await ana.client.get(`/api/whatsapp/messages/${send.body.message.id}`)).body,
      (m) => m.status === 'skipped',
      { timeoutMs: 15_000, what: 'the scheduled message to be skipped' },
    );
    expect(message.error.code).toBe('recipient_opted_out');
    const sent = (await emulator.get(`/_emulator/instances/${ana.instanceName}/sent`)).body as {
      number: string;
    }[];
    expect(sent.some((s) => s.number.endsWith('630000040'))).toBe(false);
  });

  it('skips a message queued while disconnected once the number is back', async () => {
    const bea = await connectedAdvisor(service, 'Bea');
    const phone = '+34630000050';
    await emulator.post(`/_emulator/instances/${bea.instanceName}/disconnect`, { statusReason: 401 });
    await waitFor(
      () => bea.client.get('/api/whatsapp/config'),
      (r) => r.body.status === 'disconnected',
    );
    const send = await bea.client.post('/api/whatsapp/send', { to: phone, text: 'te escribo luego' });
    expect(send.status).toBe(202);
    expect(send.body.message.status).toBe('queued');
    // The client's BAJA reaches us (a webhook signed by the instance) while the message waits.
    const body = JSON.stringify(
      envelope(bea.instanceName, 'messages.upsert', upsertData(phone, 'BAJA', 'QUEUED1')),
    );
    expect(
      (await postWebhook(service, body, { authorization: `Bearer ${webhookJwt(bea.secret)}` })).status,
    ).toBe(200);
    await waitFor(
      async () => (await bea.client.get('/api/whatsapp/clients?optedOut=true')).body.items,
      (items: any[]) => items.some((c) => c.phone === phone),
    );
    await bea.client.post('/api/whatsapp/connect');
    await emulator.post(`/_emulator/instances/${bea.instanceName}/scan`, {});
    const message = await waitFor(
      async () => (await bea.client.get(`/api/whatsapp/messages/${send.body.message.id}`)).body,
      (m) => m.status === 'skipped',
      { timeoutMs: 15_000, what: 'the queued message to be skipped' },
    );
    expect(message.error.code).toBe('recipient_opted_out');
  });
});
