// A message's `messageTimestamp` is the gateway's word for when it was sent, and a gateway or phone
// clock ahead (or a malformed producer) can date it in the future. Nothing can have been sent after
// it reached us: the service reads such a date as the moment the webhook arrived, so a STOP dated
// next year cannot outrank the client's START of today, nor stay at the bottom of the chat.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.repository.js';
import { whatsappClient, whatsappMessage } from '../../src/db/schema/index.js';
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
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  ana = await connectedAdvisor(service, 'Ana');
});
afterAll(async () => {
  await service?.close();
});

const NEXT_YEAR_S = Math.floor(Date.now() / 1000) + 365 * 24 * 3600;

const clientRow = async (phone: string) => {
  const [row] = await service.database.db
    .select()
    .from(whatsappClient)
    .where(and(eq(whatsappClient.advisorId, ana.userId), eq(whatsappClient.phone, phone)));
  return row;
};

const messageRow = async (keyId: string) => {
  const [row] = await service.database.db
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, ana.userId), eq(whatsappMessage.evolutionMessageId, keyId)));
  return row;
};

async function postUpsert(data: Record<string, unknown>) {
  const res = await postWebhook(
    service,
    JSON.stringify(envelope(ana.instanceName, 'messages.upsert', data)),
    {
      authorization: `Bearer ${webhookJwt(ana.secret)}`,
    },
  );
  expect(res.status).toBe(200);
}

describe('a message dated in the future', () => {
  it('a STOP dated next year does not outrank the START the client writes now', async () => {
    const phone = '+34631000001';
    const before = Date.now();
    await postUpsert(upsertData(phone, 'STOP', `FUTURE${Date.now()}`, { messageTimestamp: NEXT_YEAR_S }));
    const stopped = await waitFor(
      () => clientRow(phone),
      (r) => r?.optedOut === true,
      { what: `${phone} opted out` },
    );
    // Dated when it reached us, not next year; WhatsApp's grain (the second) is kept.
    expect(stopped!.optChangedAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(stopped!.optChangedAt!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);

    // Now, through the emulator: dated this second, as a real phone would.
    const res = await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, {
      from: phone,
      text: 'START',
    });
    expect(res.status).toBe(201);
    await waitFor(
      () => clientRow(phone),
      (r) => r?.optedOut === false,
      { what: `${phone} opted back in` },
    );
    const audit = (await listAudit(service.database.db, ana.userId, { limit: 50 })).filter(
      (a) => a.phone === phone,
    );
    expect(audit.map((a) => a.action).reverse()).toEqual(['client.opt_out', 'client.opt_in']);
    const send = await ana.client.post('/api/whatsapp/send', { to: phone, text: 'bienvenida de nuevo' });
    expect(send.status).toBe(202);
  });

  it('is stored dated when it reached us, the date answers and same-second ties are read by', async () => {
    // A reminder's answer is ordered by this date too (clientResponseAt): a "1" dated next year
    // would have outranked every later "2".
    const keyId = `FUTURE1${Date.now()}`;
    await postUpsert(upsertData('+34631000002', '1', keyId, { messageTimestamp: NEXT_YEAR_S }));
    const row = await waitFor(
      () => messageRow(keyId),
      (r) => r !== undefined,
      { what: 'the message stored' },
    );
    expect(row!.sentAt!.getTime()).toBeLessThanOrEqual(row!.createdAt.getTime());
    expect(row!.createdAt.getTime() - row!.sentAt!.getTime()).toBeLessThan(1_000);
  });

  it("an advisor's phone message dated next year does not stay the chat's last message", async () => {
    const phone = '+34631000003';
    const ownId = `FUTUREOWN${Date.now()}`;
    await postUpsert(
      upsertData(phone, 'te escribo desde el móvil', ownId, {
        key: { remoteJid: `${phone.slice(1)}@s.whatsapp.net`, fromMe: true, id: ownId },
        pushName: null,
        messageTimestamp: NEXT_YEAR_S,
      }),
    );
    await waitFor(
      () => messageRow(ownId),
      (r) => r !== undefined,
      { what: 'the phone message stored' },
    );
    const res = await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, {
      from: phone,
      text: 'gracias, recibido',
    });
    expect(res.status).toBe(201);
    const replyId = res.body.key.id as string;
    await waitFor(
      () => messageRow(replyId),
      (r) => r !== undefined,
      { what: "the client's reply stored" },
    );

    const chat = await ana.client.get(`/api/whatsapp/conversations/${encodeURIComponent(phone)}/messages`);
    expect(chat.status).toBe(200);
    expect((chat.body.items as any[]).map((m) => m.evolutionMessageId)).toEqual([replyId, ownId]);
    const list = await ana.client.get('/api/whatsapp/conversations');
    const conversation = (list.body.items as any[]).find((c) => c.phone === phone);
    expect(conversation.lastMessage.evolutionMessageId).toBe(replyId);
    expect(new Date(conversation.lastActivityAt).getTime()).toBeLessThanOrEqual(Date.now());
    // The reply answers the advisor's message (its response time), which it could not while that
    // was dated after it.
    expect((await messageRow(ownId))!.repliedAt).not.toBeNull();
  });
});
