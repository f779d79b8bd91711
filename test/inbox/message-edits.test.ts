// A message's author edits it, or deletes it for everyone, in WhatsApp. The emulator plays the
// author over real HTTP as 2.3.6 reports it (MESSAGES_EDITED with the raw protocolMessage, and
// MESSAGES_DELETE); 2.3.7's form (a MESSAGES_UPDATE carrying the new `message`) is posted signed,
// as the gateway would. The history and the inbox then show what the client's phone shows.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { whatsappConfig, whatsappMessage } from '../../src/db/schema/index.js';
import { instanceRefOf } from '../../src/domain/instances/instance-credentials.js';
import { checkConnectedInstances } from '../../src/domain/instances/refresh-connection-state.js';
import { subscriptionOf } from '../../src/domain/instances/webhook-subscription.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  appliedAsOneBatch,
  connectedAdvisor,
  editNotice,
  envelope,
  postWebhook,
  upsertData,
  webhookApplied,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService();
  [ana, bea] = await Promise.all([connectedAdvisor(service, 'Ana'), connectedAdvisor(service, 'Bea')]);
});
afterAll(async () => {
  await service?.close();
});

const enc = encodeURIComponent;

/** A client writes to the advisor through the emulator; resolves with the stored message. */
async function clientWrites(advisor: ConnectedAdvisor, from: string, body: Record<string, unknown>) {
  const res = await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/inbound`, {
    from,
    ...body,
  });
  expect(res.status).toBe(201);
  const keyId = res.body.key.id as string;
  return waitFor(
    () => messageByKey(advisor, from, keyId),
    (m) => m !== undefined,
    { what: `message ${keyId} in the inbox` },
  );
}

async function messageByKey(advisor: ConnectedAdvisor, phone: string, keyId: string): Promise<any> {
  const res = await advisor.client.get(`/api/whatsapp/conversations/${enc(phone)}/messages`);
  // 404 until the client's first message is stored.
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return (res.body.items as any[]).find((m) => m.evolutionMessageId === keyId);
}

async function rowOf(advisorId: string, keyId: string) {
  const [row] = await service.database.db
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, advisorId), eq(whatsappMessage.evolutionMessageId, keyId)));
  return row;
}

describe('a client edits a message', () => {
  it('shows the edited words and when, and keeps the newest edit when edits arrive out of order', async () => {
    const phone = '+34646000001';
    const original = await clientWrites(ana, phone, { text: '¿Puedo ir el martes?' });
    expect(original).toMatchObject({ text: '¿Puedo ir el martes?', editedAt: null, deletedAt: null });

    const edit = await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/edit`, {
      keyId: original.evolutionMessageId,
      text: '¿Puedo ir el miércoles?',
    });
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({ type: 'MESSAGE_EDIT', key: { id: original.evolutionMessageId } });
    const edited = await waitFor(
      () => messageByKey(ana, phone, original.evolutionMessageId),
      (m) => m.editedAt !== null,
      { what: 'the edit applied' },
    );
    expect(edited).toMatchObject({ id: original.id, text: '¿Puedo ir el miércoles?', direction: 'inbound' });
    expect(new Date(edited.editedAt).getTime()).toBe(Number(edit.body.timestampMs));

    // A replay of an earlier edit (webhooks arrive unordered, and twice) changes nothing.
    const stale = editNotice(ana, original.evolutionMessageId, 'texto viejo', {
      atMs: Number(edit.body.timestampMs) - 60_000,
    });
    const res = await postWebhook(
      service,
      JSON.stringify(envelope(ana.instanceName, 'messages.edited', stale)),
      { authorization: `Bearer ${webhookJwt(ana.secret)}` },
    );
    expect(res).toEqual({ status: 200, body: { received: true } });
    await webhookApplied(service.database.db, ana.userId, 'MESSAGES_EDITED', { containing: 'texto viejo' });
    expect(await messageByKey(ana, phone, original.evolutionMessageId)).toMatchObject({
      text: '¿Puedo ir el miércoles?',
      editedAt: edited.editedAt,
    });
  });

  it("reads 2.3.7's edit (a MESSAGES_UPDATE carrying the new message) as an edit, not a receipt", async () => {
    const phone = '+34646000002';
    const original = await clientWrites(ana, phone, { text: 'llego a las 5' });
    const update = {
      keyId: original.evolutionMessageId,
      remoteJid: `${phone.slice(1)}@s.whatsapp.net`,
      fromMe: false,
      status: 'SERVER_ACK',
      message: { editedMessage: { message: { conversation: 'llego a las 6' } } },
      instanceId: 'x',
    };
    const res = await postWebhook(
      service,
      JSON.stringify(envelope(ana.instanceName, 'messages.update', update)),
      { authorization: `Bearer ${webhookJwt(ana.secret)}` },
    );
    expect(res.status).toBe(200);
    const edited = await waitFor(
      () => messageByKey(ana, phone, original.evolutionMessageId),
      (m) => m.editedAt !== null,
      { what: "2.3.7's edit applied" },
    );
    expect(edited).toMatchObject({ text: 'llego a las 6', status: original.status });
  });

  it("edits a photo's caption", async () => {
    const phone = '+34646000003';
    const original = await clientWrites(ana, phone, {
      media: { type: 'image', caption: 'mi plato de hoy' },
    });
    expect(original).toMatchObject({ type: 'image', caption: 'mi plato de hoy' });
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/edit`, {
      keyId: original.evolutionMessageId,
      text: 'mi plato de ayer',
    });
    const edited = await waitFor(
      () => messageByKey(ana, phone, original.evolutionMessageId),
      (m) => m.editedAt !== null,
      { what: 'the caption edit applied' },
    );
    expect(edited).toMatchObject({ type: 'image', caption: 'mi plato de ayer', text: null });
  });
});

describe('a message deleted for everyone', () => {
  it('loses its words, says when, and takes no later edit', async () => {
    const phone = '+34646000004';
    const original = await clientWrites(ana, phone, { text: 'mi dirección es Calle Falsa 123' });
    const revoke = await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/revoke`, {
      keyId: original.evolutionMessageId,
    });
    expect(revoke.status).toBe(200);
    const deleted = await waitFor(
      () => messageByKey(ana, phone, original.evolutionMessageId),
      (m) => m.deletedAt !== null,
      { what: 'the deletion applied' },
    );
    expect(deleted).toMatchObject({ id: original.id, text: null, caption: null, direction: 'inbound' });
    // 2.3.6 says it twice (a REVOKE notice and MESSAGES_DELETE): the first one to land stands.
    await webhookApplied(service.database.db, ana.userId, 'MESSAGES_DELETE', {
      containing: original.evolutionMessageId,
    });
    await webhookApplied(service.database.db, ana.userId, 'MESSAGES_EDITED', {
      containing: original.evolutionMessageId,
    });
    expect((await messageByKey(ana, phone, original.evolutionMessageId)).deletedAt).toBe(deleted.deletedAt);
    // The conversation list shows the deletion too, not the words.
    const conversations = (await ana.client.get('/api/whatsapp/conversations')).body.items as any[];
    expect(conversations.find((c) => c.phone === phone)?.lastMessage).toMatchObject({
      id: original.id,
      text: null,
    });

    const late = editNotice(ana, original.evolutionMessageId, 'vuelve', { atMs: Date.now() + 1_000 });
    await postWebhook(service, JSON.stringify(envelope(ana.instanceName, 'messages.edited', late)), {
      authorization: `Bearer ${webhookJwt(ana.secret)}`,
    });
    await webhookApplied(service.database.db, ana.userId, 'MESSAGES_EDITED', { containing: 'vuelve' });
    expect(await messageByKey(ana, phone, original.evolutionMessageId)).toMatchObject({
      text: null,
      editedAt: null,
    });
    // Deleting it again on the phone is not possible: the emulator says so.
    const again = await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/revoke`, {
      keyId: original.evolutionMessageId,
    });
    expect(again.status).toBe(409);
  });
});

describe('the advisor edits, on the phone, a message the dashboard sent', () => {
  it('the history shows the words the client now sees', async () => {
    const phone = '+34646000005';
    const sent = await ana.client.post('/api/whatsapp/send', { to: phone, text: 'Tu cita es el lunes' });
    expect(sent.status).toBe(202);
    const id = sent.body.id ?? sent.body.message?.id;
    const row = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${id}`),
      (r) => r.body.evolutionMessageId !== null,
      { what: 'the send recorded' },
    );
    await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/edit`, {
      keyId: row.body.evolutionMessageId,
      text: 'Tu cita es el martes',
    });
    const edited = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${id}`),
      (r) => r.body.editedAt !== null,
      { what: 'the phone edit applied' },
    );
    expect(edited.body).toMatchObject({ direction: 'outbound', text: 'Tu cita es el martes' });
  });
});

describe('tenancy', () => {
  it("another advisor's instance cannot edit or delete A's messages", async () => {
    const phone = '+34646000006';
    const original = await clientWrites(ana, phone, { text: 'solo para Ana' });
    const before = await rowOf(ana.userId, original.evolutionMessageId);
    const key = {
      remoteJid: `${phone.slice(1)}@s.whatsapp.net`,
      fromMe: false,
      id: original.evolutionMessageId,
    };
    // Bea's own (verified) gateway names A's message id: it can only ever reach Bea's messages.
    await bea.emulator.post(`/_emulator/instances/${bea.instanceName}/emit`, {
      event: 'MESSAGES_EDITED',
      data: editNotice(bea, original.evolutionMessageId, 'hackeado', { key }),
    });
    await bea.emulator.post(`/_emulator/instances/${bea.instanceName}/emit`, {
      event: 'MESSAGES_DELETE',
      data: key,
    });
    await webhookApplied(service.database.db, bea.userId, 'MESSAGES_EDITED', { containing: 'hackeado' });
    await webhookApplied(service.database.db, bea.userId, 'MESSAGES_DELETE', {
      containing: original.evolutionMessageId,
    });
    expect(await rowOf(ana.userId, original.evolutionMessageId)).toEqual(before);
    expect(await rowOf(bea.userId, original.evolutionMessageId)).toBeUndefined();
  });
});

describe('an instance subscribed before edits were read', () => {
  it('is subscribed to them by the next health check, once', async () => {
    const { ctx } = service.runtime;
    const carla = await connectedAdvisor(service, 'Carla');
    const row = (await findConfig(ctx.db, carla.userId))!;
    expect(row.webhookSubscription).toBe(subscriptionOf(ctx));
    const ref = instanceRefOf(ctx.box, row)!;
    const subscribed = async () => (await ctx.gateway.findWebhook(ref))!.events;
    expect(await subscribed()).toEqual(expect.arrayContaining(['MESSAGES_EDITED', 'MESSAGES_DELETE']));

    // As the previous release left it: the old events, and no subscription recorded.
    const old = [
      'QRCODE_UPDATED',
      'CONNECTION_UPDATE',
      'MESSAGES_UPSERT',
      'MESSAGES_UPDATE',
      'SEND_MESSAGE',
    ] as const;
    const headers = (await ctx.gateway.findWebhook(ref))!.headers;
    await ctx.gateway.setWebhook(ref, { url: ctx.webhookUrl, events: old, headers });
    await ctx.db
      .update(whatsappConfig)
      .set({ webhookSubscription: null })
      .where(eq(whatsappConfig.advisorId, carla.userId));
    const phone = '+34646000007';
    const original = await clientWrites(carla, phone, { text: 'antes' });
    await carla.emulator.post(`/_emulator/instances/${carla.instanceName}/edit`, {
      keyId: original.evolutionMessageId,
      text: 'después (perdido)',
    });

    await checkConnectedInstances(ctx);
    expect(await subscribed()).toEqual(expect.arrayContaining(['MESSAGES_EDITED', 'MESSAGES_DELETE']));
    expect((await findConfig(ctx.db, carla.userId))!.webhookSubscription).toBe(subscriptionOf(ctx));
    // The edit made while unsubscribed never came; the next one does.
    expect((await messageByKey(carla, phone, original.evolutionMessageId)).text).toBe('antes');
    await carla.emulator.post(`/_emulator/instances/${carla.instanceName}/edit`, {
      keyId: original.evolutionMessageId,
      text: 'después',
    });
    await waitFor(
      () => messageByKey(carla, phone, original.evolutionMessageId),
      (m) => m.text === 'después',
      { what: 'the edit after the health check' },
    );

    // Recorded as this release's, it is not set again: the health check costs no extra call.
    await ctx.gateway.setWebhook(ref, { url: ctx.webhookUrl, events: old, headers });
    await checkConnectedInstances(ctx);
    expect(await subscribed()).toEqual([...old]);
  });
});

describe('a message and its edit delivered together', () => {
  it('applies the edit after the message, when both are in one batch', async () => {
    // Evolution's retries after an outage of ours can bring a client's message and its edit in the
    // same moment, so in the same batch, where events are applied a few at a time. (On PGlite
    // statements run one at a time and the two cannot race; on PostgreSQL, which CI also runs,
    // the edit overtook the message's insert without the batch's ordering.)
    const phone = '+34646000008';
    const id = `TOGETHER${Date.now()}`;
    const outcome = await appliedAsOneBatch(service, ana, [
      envelope(ana.instanceName, 'messages.upsert', upsertData(phone, 'con erata', id)),
      envelope(ana.instanceName, 'messages.edited', editNotice(ana, id, 'corregido')),
    ]);
    expect(outcome).toMatchObject({ processed: 2, retried: 0, givenUp: 0 });
    expect(await rowOf(ana.userId, id)).toMatchObject({ text: 'corregido', direction: 'inbound' });
  });
});
