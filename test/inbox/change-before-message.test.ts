// An edit or a deletion for everyone that arrives before the message it names. Evolution does not
// await most deliveries and retries each on its own backoff (evolution-api.md §4.2): after an
// outage of ours, a client's edit, made later but on an earlier retry, lands before the message
// itself. The contract says out-of-order events are harmless; the change used to be dropped (no
// message to change yet), and the inbox then showed words the client had taken back.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingMessageChange, whatsappMessage } from '../../src/db/schema/index.js';
import { parkMessageChange } from '../../src/db/repositories/message-edit.repository.js';
import { pruneWebhookData, sweepWebhookEvents } from '../../src/domain/webhooks/sweep-webhook-events.js';
import { waitFor } from '../support/wait.js';
import { startTestService, type TestService } from '../support/service.js';
import {
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

async function post(advisor: ConnectedAdvisor, event: string, data: unknown) {
  const res = await postWebhook(service, JSON.stringify(envelope(advisor.instanceName, event, data)), {
    authorization: `Bearer ${webhookJwt(advisor.secret)}`,
  });
  expect(res.status).toBe(200);
}

async function rowOf(advisorId: string, keyId: string) {
  const [row] = await service.database.db
    .select()
    .from(whatsappMessage)
    .where(and(eq(whatsappMessage.advisorId, advisorId), eq(whatsappMessage.evolutionMessageId, keyId)));
  return row;
}

async function clientMessage(advisor: ConnectedAdvisor, phone: string, text: string, id: string) {
  await post(advisor, 'messages.upsert', upsertData(phone, text, id));
  await webhookApplied(service.database.db, advisor.userId, 'MESSAGES_UPSERT', { containing: id });
  return rowOf(advisor.userId, id);
}

describe('a change that arrives before its message', () => {
  it('a deletion for everyone still deletes the message once it arrives', async () => {
    const id = `EARLYDEL${Date.now()}`;
    await post(ana, 'messages.delete', {
      remoteJid: '34646100001@s.whatsapp.net',
      fromMe: false,
      id,
    });
    await webhookApplied(service.database.db, ana.userId, 'MESSAGES_DELETE', { containing: id });

    const row = await clientMessage(ana, '+34646100001', 'mi DNI es 12345678Z', id);
    expect(row).toMatchObject({ text: null, direction: 'inbound' });
    expect(row!.deletedAt).not.toBeNull();
  });

  it('an edit still changes the words, and only the newest edit stands', async () => {
    const id = `EARLYEDIT${Date.now()}`;
    // Made over the last few seconds: an edit dated after its webhook arrived is read as made then.
    const t = Date.now() - 10_000;
    await post(ana, 'messages.edited', editNotice(ana, id, 'el miércoles', { atMs: t + 2_000 }));
    await post(
      ana,
      'messages.edited',
      editNotice(ana, id, 'el martes (primera corrección)', { atMs: t + 1_000 }),
    );
    await webhookApplied(service.database.db, ana.userId, 'MESSAGES_EDITED', { containing: id, atLeast: 2 });

    const row = await clientMessage(ana, '+34646100002', '¿Puedo ir el lunes?', id);
    expect(row).toMatchObject({ text: 'el miércoles' });
    expect(row!.editedAt?.getTime()).toBe(t + 2_000);
  });

  it("another advisor's early change never touches this advisor's message", async () => {
    const id = `EARLYOTHER${Date.now()}`;
    await post(bea, 'messages.delete', { remoteJid: '34646100003@s.whatsapp.net', fromMe: false, id });
    await webhookApplied(service.database.db, bea.userId, 'MESSAGES_DELETE', { containing: id });

    const row = await clientMessage(ana, '+34646100003', 'hola', id);
    expect(row).toMatchObject({ text: 'hola', deletedAt: null, editedAt: null });
  });

  it('is applied by a repeated delivery of a message already stored, when the first one stopped before applying it', async () => {
    const id = `EARLYRETRY${Date.now()}`;
    const phone = '+34646100005';
    await post(ana, 'messages.delete', { remoteJid: '34646100005@s.whatsapp.net', fromMe: false, id });
    await webhookApplied(service.database.db, ana.userId, 'MESSAGES_DELETE', { containing: id });
    // The message's first delivery committed its row and then the process died (or a statement
    // failed) before the parked deletion was taken: the row is there, the deletion still parked.
    await service.database.db.insert(whatsappMessage).values({
      advisorId: ana.userId,
      direction: 'inbound',
      phone,
      status: 'received',
      source: 'phone',
      text: 'mi cuenta es ES12 3456',
      evolutionMessageId: id,
      readByAdvisor: false,
    });
    // Evolution's retry (or the sweeper) delivers the message again.
    await post(ana, 'messages.upsert', upsertData(phone, 'mi cuenta es ES12 3456', id));
    await webhookApplied(service.database.db, ana.userId, 'MESSAGES_UPSERT', { containing: id });
    const row = await rowOf(ana.userId, id);
    expect(row).toMatchObject({ text: null });
    expect(row!.deletedAt).not.toBeNull();
    const parked = await service.database.db
      .select()
      .from(pendingMessageChange)
      .where(eq(pendingMessageChange.evolutionMessageId, id));
    expect(parked).toHaveLength(0);
  });

  it('an edit on the phone of an API send, parked before the worker recorded its id, is applied by the sweep', async () => {
    // The worker records an API send's id without looking for parked changes (a statement per
    // send for a change that nearly never comes): the advisor's edit made on the phone in that gap
    // stayed parked and was dropped a day later, and the history kept the old words.
    const sent = await ana.client.post('/api/whatsapp/send', {
      to: '+34646100006',
      text: 'Tu cita es el lunes',
    });
    expect(sent.status).toBe(202);
    const row = await waitFor(
      () =>
        service.database.db
          .select()
          .from(whatsappMessage)
          .where(eq(whatsappMessage.id, sent.body.message.id as string))
          .then((rows) => rows[0]),
      (r) => r?.evolutionMessageId != null,
      { what: 'the send recorded' },
    );
    const id = row!.evolutionMessageId!;
    // What the edit's webhook did when it came before that: parked under the id.
    await parkMessageChange(service.database.db, ana.userId, id, {
      kind: 'edit',
      text: 'Tu cita es el martes',
      caption: null,
      at: new Date(),
    });
    await sweepWebhookEvents(service.runtime.ctx, service.runtime.webhookQueue);
    expect(await rowOf(ana.userId, id)).toMatchObject({ text: 'Tu cita es el martes' });
    const parked = await service.database.db
      .select()
      .from(pendingMessageChange)
      .where(eq(pendingMessageChange.evolutionMessageId, id));
    expect(parked).toHaveLength(0);
  });

  it('a change whose message never comes is dropped after a day', async () => {
    const id = `NEVER${Date.now()}`;
    await post(ana, 'messages.delete', { remoteJid: '34646100004@s.whatsapp.net', fromMe: false, id });
    await webhookApplied(service.database.db, ana.userId, 'MESSAGES_DELETE', { containing: id });
    const parked = () =>
      service.database.db
        .select()
        .from(pendingMessageChange)
        .where(eq(pendingMessageChange.evolutionMessageId, id));
    expect(await parked()).toHaveLength(1);
    await pruneWebhookData(service.runtime.ctx, new Date(Date.now() + 25 * 3_600_000));
    expect(await parked()).toHaveLength(0);
  });
});
