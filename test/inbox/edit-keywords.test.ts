// A client who edits a message of theirs into STOP (BAJA, SAIR…) has asked to be left alone as
// surely as one who sends it: the edit opts them out, audited and shown live as a new message's
// STOP is. Only an opt-out is read in an edit (edit-keywords.ts says why).
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.repository.js';
import { whatsappClient } from '../../src/db/schema/index.js';
import type { LiveEvent } from '../../src/domain/events/event-bus.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  appliedAsOneBatch,
  connectedAdvisor,
  editNotice,
  envelope,
  upsertData,
  webhookApplied,
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

const clientRow = async (advisor: ConnectedAdvisor, phone: string) => {
  const [row] = await service.database.db
    .select()
    .from(whatsappClient)
    .where(and(eq(whatsappClient.advisorId, advisor.userId), eq(whatsappClient.phone, phone)));
  return row;
};

const auditOf = async (advisor: ConnectedAdvisor, phone: string) =>
  (await listAudit(service.database.db, advisor.userId, { limit: 100 })).filter((a) => a.phone === phone);

/** A client writes through the emulator; resolves with the Evolution id once it is stored. */
async function clientWrites(advisor: ConnectedAdvisor, from: string, text: string): Promise<string> {
  const res = await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/inbound`, {
    from,
    text,
  });
  expect(res.status).toBe(201);
  const keyId = res.body.key.id as string;
  await webhookApplied(service.database.db, advisor.userId, 'MESSAGES_UPSERT', { containing: keyId });
  return keyId;
}

/** The message's author edits it on their phone (the emulator sends MESSAGES_EDITED). */
async function edits(advisor: ConnectedAdvisor, keyId: string, text: string, atLeast = 1) {
  const res = await advisor.emulator.post(`/_emulator/instances/${advisor.instanceName}/edit`, {
    keyId,
    text,
  });
  expect(res.status).toBe(200);
  await webhookApplied(service.database.db, advisor.userId, 'MESSAGES_EDITED', { containing: text, atLeast });
}

describe('a client edits a message into an opt-out word', () => {
  it('is opted out, audited, and the live event says so, as a new STOP would', async () => {
    const phone = '+34647000001';
    const seen: LiveEvent[] = [];
    const unsubscribe = await service.runtime.events.subscribe(ana.userId, (e) => seen.push(e));
    try {
      const keyId = await clientWrites(ana, phone, 'hola, ¿qué tal?');
      expect((await clientRow(ana, phone))!.optedOut).toBe(false);
      await edits(ana, keyId, 'Stop');

      const row = await waitFor(
        () => clientRow(ana, phone),
        (r) => r?.optedOut === true,
        { what: `${phone} opted out by the edit` },
      );
      expect(row).toMatchObject({ optSource: 'keyword', unread: 1 });
      const audit = await auditOf(ana, phone);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: 'client.opt_out',
        actorType: 'system',
        content: { source: 'keyword', text: 'Stop', edited: true },
      });
      const live = seen.find((e) => e.type === 'message' && e.data.evolutionMessageId === keyId);
      expect(live?.data).toMatchObject({ text: 'Stop', clientOptedOut: true });
      const send = await ana.client.post('/api/whatsapp/send', { to: phone, text: 'recordatorio' });
      expect(send.status).toBe(422);
      expect(send.body.error.code).toBe('recipient_opted_out');

      // The same edit delivered again changes nothing more.
      await edits(ana, keyId, 'Stop', 2);
      expect(await auditOf(ana, phone)).toHaveLength(1);
    } finally {
      await unsubscribe();
    }
  });

  it('is opted out by an edit that arrived before its message', async () => {
    // Evolution's retries after an outage of ours can bring the edit first: it is parked, then
    // applied (and read) when the message is stored.
    const phone = '+34647000002';
    const id = `EDITSTOPFIRST${Date.now()}`;
    await appliedAsOneBatch(service, ana, [
      envelope(ana.instanceName, 'messages.edited', editNotice(ana, id, 'BAJA')),
    ]);
    expect(await clientRow(ana, phone)).toBeUndefined();
    await appliedAsOneBatch(service, ana, [
      envelope(
        ana.instanceName,
        'messages.upsert',
        upsertData(phone, 'hola', id, { messageTimestamp: Math.floor(Date.now() / 1000) - 5 }),
      ),
    ]);
    expect(await clientRow(ana, phone)).toMatchObject({ optedOut: true, optSource: 'keyword' });
    expect((await auditOf(ana, phone)).map((a) => a.action)).toEqual(['client.opt_out']);
  });
});

describe('edits that change nothing', () => {
  it('an unrelated message edited into plain words leaves the client as they were', async () => {
    const phone = '+34647000003';
    const keyId = await clientWrites(ana, phone, 'llego a las 5');
    await edits(ana, keyId, 'llego a las 6, stop en la gasolinera');
    expect(await clientRow(ana, phone)).toMatchObject({ optedOut: false, optChangedAt: null });
    expect(await auditOf(ana, phone)).toEqual([]);
  });

  it('an edit into START does not opt a client back in: consent comes back only by a new message', async () => {
    const phone = '+34647000004';
    await clientWrites(ana, phone, 'STOP');
    await waitFor(
      () => clientRow(ana, phone),
      (r) => r?.optedOut === true,
    );
    const keyId = await clientWrites(ana, phone, 'vale');
    await edits(ana, keyId, 'START');
    expect((await clientRow(ana, phone))!.optedOut).toBe(true);
    expect((await auditOf(ana, phone)).map((a) => a.action)).toEqual(['client.opt_out']);
  });

  it("the advisor's own message edited into STOP on the phone opts nobody out", async () => {
    const phone = '+34647000005';
    await clientWrites(ana, phone, 'hola');
    const sent = await ana.client.post('/api/whatsapp/send', { to: phone, text: 'Tu cita es el lunes' });
    expect(sent.status).toBe(202);
    const row = await waitFor(
      () => ana.client.get(`/api/whatsapp/messages/${sent.body.message.id}`),
      (r) => r.body.evolutionMessageId !== null,
      { what: 'the send recorded' },
    );
    await edits(ana, row.body.evolutionMessageId, 'STOP');
    expect((await clientRow(ana, phone))!.optedOut).toBe(false);
  });
});

describe('tenancy', () => {
  it("an edit into STOP opts the client out of that advisor only, and another's gateway reaches none of hers", async () => {
    const phone = '+34647000006';
    const anaKey = await clientWrites(ana, phone, 'hola Ana');
    await clientWrites(bea, phone, 'hola Bea');

    // Bea's own (verified) gateway names Ana's message id: it can only ever reach Bea's messages.
    await bea.emulator.post(`/_emulator/instances/${bea.instanceName}/emit`, {
      event: 'MESSAGES_EDITED',
      data: editNotice(bea, anaKey, 'STOP', {
        key: { remoteJid: `${phone.slice(1)}@s.whatsapp.net`, fromMe: false },
      }),
    });
    await webhookApplied(service.database.db, bea.userId, 'MESSAGES_EDITED', { containing: anaKey });
    expect((await clientRow(ana, phone))!.optedOut).toBe(false);
    expect((await clientRow(bea, phone))!.optedOut).toBe(false);

    // The client edits the message they sent Ana: Ana's client leaves, Bea's stays.
    await edits(ana, anaKey, 'STOP');
    await waitFor(
      () => clientRow(ana, phone),
      (r) => r?.optedOut === true,
      { what: "Ana's client opted out" },
    );
    expect((await clientRow(bea, phone))!.optedOut).toBe(false);
    expect(await auditOf(bea, phone)).toEqual([]);
    const send = await bea.client.post('/api/whatsapp/send', { to: phone, text: 'hola' });
    expect(send.status).toBe(202);
  });
});
