// Evolution's SEND_MESSAGE echo of a send the worker has already recorded changes nothing, so the
// receiver acknowledges it without storing it (one read per batch, in the group commit). Every
// other echo is stored and applied as before: one of a message not recorded yet (a lost send
// answer, to adopt), and one naming another advisor's message (each advisor's echoes are looked
// up in their own messages only). WhatsApp's SERVER_ACK receipt says what the echo says, and is
// settled the same way. Delivery and read receipts of recorded messages are applied on arrival,
// not stored: the message has moved by the time the 200 is answered; one naming an id not
// recorded (or another advisor's) is stored as before, and so is one whose statement fails (a
// fault injected with a trigger). Signed requests over real HTTP, several in one batch.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimForSending, findMessage, markSent } from '../../src/db/repositories/message.repository.js';
import { webhookEvent, whatsappMessage } from '../../src/db/schema/index.js';
import { applyParkedReceipts } from '../../src/domain/webhooks/apply-message-status.js';
import { webhookStats } from '../../src/domain/webhooks/webhook-stats.js';
import { unqueuedTextRow } from '../support/outbox.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  postWebhook,
  sendEchoEnvelope,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
beforeAll(async () => {
  // Long enough for the held echo's test to record the send within it on a slow machine.
  service = await startTestService({ env: { WEBHOOK_ECHO_GRACE_MS: '2000' } });
  ana = await connectedAdvisor(service, 'Ana');
  bea = await connectedAdvisor(service, 'Bea');
});
afterAll(async () => {
  await service?.close();
});

const postEcho = (advisor: ConnectedAdvisor, phone: string, text: string, id: string) =>
  postWebhook(service, JSON.stringify(sendEchoEnvelope(advisor.instanceName, phone, text, id)), {
    authorization: `Bearer ${webhookJwt(advisor.secret)}`,
  });

/** MESSAGES_UPDATE as Evolution sends it: flat, not nested under `key` (evolution-api.md §4.4). */
const postReceipt = (advisor: ConnectedAdvisor, phone: string, id: string, status: string) =>
  postWebhook(
    service,
    JSON.stringify(
      envelope(advisor.instanceName, 'messages.update', {
        keyId: id,
        remoteJid: `${phone.replace('+', '')}@s.whatsapp.net`,
        fromMe: true,
        status,
        instanceId: 'inst-1',
      }),
    ),
    { authorization: `Bearer ${webhookJwt(advisor.secret)}` },
  );

/** Stored receipts of this advisor for this Evolution message id. */
const storedReceipts = (advisor: ConnectedAdvisor, evolutionMessageId: string) =>
  service.database.db
    .select({ id: webhookEvent.id, processedAt: webhookEvent.processedAt })
    .from(webhookEvent)
    .where(
      and(
        eq(webhookEvent.advisorId, advisor.userId),
        sql`${webhookEvent.payload} -> 'data' ->> 'keyId' = ${evolutionMessageId}`,
      ),
    );

/** Stored webhook events of this advisor that carry this Evolution message id. */
const storedEchoes = (advisor: ConnectedAdvisor, evolutionMessageId: string) =>
  service.database.db
    .select({ id: webhookEvent.id, processedAt: webhookEvent.processedAt, error: webhookEvent.error })
    .from(webhookEvent)
    .where(
      and(
        eq(webhookEvent.advisorId, advisor.userId),
        sql`${webhookEvent.payload} -> 'data' -> 'key' ->> 'id' = ${evolutionMessageId}`,
      ),
    );

async function sentMessage(advisor: ConnectedAdvisor, phone: string, text: string, evolutionId: string) {
  const db = service.database.db;
  const row = await unqueuedTextRow(db, advisor.userId, phone, text);
  await claimForSending(db, advisor.userId, row.id);
  return markSent(db, advisor.userId, row.id, {
    evolutionMessageId: evolutionId,
    chatJid: `${phone.replace('+', '')}@s.whatsapp.net`,
    at: new Date(),
  });
}

describe('an echo arriving after the send was recorded', () => {
  it('is acknowledged and not stored, and the message stays as it was', async () => {
    const sent = await sentMessage(ana, '+34613000101', 'Recordatorio A', '3AARRIVE-SENT');
    const before = webhookStats.settledEchoes;

    expect(await postEcho(ana, '+34613000101', 'Recordatorio A', '3AARRIVE-SENT')).toEqual({
      status: 200,
      body: { received: true },
    });
    expect(await storedEchoes(ana, '3AARRIVE-SENT')).toEqual([]);
    expect(webhookStats.settledEchoes).toBe(before + 1);
    expect(await findMessage(service.database.db, ana.userId, sent!.id)).toEqual(sent);
  });
});

describe('an echo arriving just before the send is recorded', () => {
  it('waits for a second look, is then settled and not stored; its request is answered after it', async () => {
    const db = service.database.db;
    const row = await unqueuedTextRow(db, ana.userId, '+34613000151', 'Recordatorio H');
    await claimForSending(db, ana.userId, row.id);
    const held = webhookStats.echoesHeld;
    const settledBefore = webhookStats.settledEchoes;

    // Evolution's echo beats the worker's record of the send's answer.
    let answered = false;
    const echo = postEcho(ana, '+34613000151', 'Recordatorio H', '3AARRIVE-EARLY').then((a) => {
      answered = true;
      return a;
    });
    await waitFor(
      async () => webhookStats.echoesHeld,
      (n) => n === held + 1,
      { what: 'the echo held for a second look', intervalMs: 5 },
    );
    expect(answered).toBe(false);
    const sent = await markSent(db, ana.userId, row.id, {
      evolutionMessageId: '3AARRIVE-EARLY',
      chatJid: '34613000151@s.whatsapp.net',
      at: new Date(),
    });

    expect(await echo).toEqual({ status: 200, body: { received: true } });
    expect(await storedEchoes(ana, '3AARRIVE-EARLY')).toEqual([]);
    expect(webhookStats.settledEchoes).toBe(settledBefore + 1);
    expect(await findMessage(db, ana.userId, row.id)).toEqual(sent);
  });
});

describe('echoes that still have work to do, posted together with a settled one', () => {
  it('are stored and applied: a lost send is adopted, another advisor’s message is not touched', async () => {
    const db = service.database.db;
    const settled = await sentMessage(ana, '+34613000201', 'Recordatorio B', '3AARRIVE-DONE');
    // Claimed, sent by Evolution, but the answer never came back: its echo must adopt it.
    const lost = await unqueuedTextRow(db, ana.userId, '+34613000202', 'Recordatorio C');
    await claimForSending(db, ana.userId, lost.id);
    // Bea's message, sent: an echo on Ana's instance naming its id is not settled by Bea's row.
    const beas = await sentMessage(bea, '+34613000203', 'Recordatorio D', '3AARRIVE-BEA');

    const answers = await Promise.all([
      postEcho(ana, '+34613000201', 'Recordatorio B', '3AARRIVE-DONE'),
      postEcho(ana, '+34613000202', 'Recordatorio C', '3AARRIVE-LOST'),
      postEcho(ana, '+34613000203', 'Recordatorio D', '3AARRIVE-BEA'),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);

    expect(await storedEchoes(ana, '3AARRIVE-DONE')).toEqual([]);
    const adopted = await waitFor(
      () => findMessage(db, ana.userId, lost.id),
      (m) => m?.status === 'sent',
      { what: 'the lost send adopted by its echo' },
    );
    expect(adopted).toMatchObject({ evolutionMessageId: '3AARRIVE-LOST' });
    for (const id of ['3AARRIVE-LOST', '3AARRIVE-BEA']) {
      const [row, ...more] = await waitFor(
        () => storedEchoes(ana, id),
        (rows) => rows.length === 1 && rows[0]!.processedAt !== null,
        { what: `echo ${id} stored and processed` },
      );
      expect(more).toEqual([]);
      expect(row!.error).toBeNull();
    }
    expect(await findMessage(db, ana.userId, settled!.id)).toEqual(settled);
    expect(await findMessage(db, bea.userId, beas!.id)).toEqual(beas);
    expect(await storedEchoes(bea, '3AARRIVE-BEA')).toEqual([]);
  });
});

describe('a SERVER_ACK receipt of a message already sent', () => {
  it('is acknowledged and not stored; the delivery receipt after it is applied on arrival', async () => {
    const db = service.database.db;
    const sent = await sentMessage(ana, '+34613000301', 'Recordatorio E', '3AARRIVE-ACK');
    const before = webhookStats.settledEchoes;

    expect(await postReceipt(ana, '+34613000301', '3AARRIVE-ACK', 'SERVER_ACK')).toEqual({
      status: 200,
      body: { received: true },
    });
    expect(await storedReceipts(ana, '3AARRIVE-ACK')).toEqual([]);
    expect(webhookStats.settledEchoes).toBe(before + 1);
    expect(await findMessage(db, ana.userId, sent!.id)).toEqual(sent);

    expect((await postReceipt(ana, '+34613000301', '3AARRIVE-ACK', 'DELIVERY_ACK')).status).toBe(200);
    const delivered = await findMessage(db, ana.userId, sent!.id);
    expect(delivered).toMatchObject({ status: 'delivered', deliveredAt: expect.any(Date) });
    expect(await storedReceipts(ana, '3AARRIVE-ACK')).toEqual([]);
    expect(webhookStats.settledEchoes).toBe(before + 1);
  });

  it('is stored when it names no message of this advisor (parked for when the send is recorded)', async () => {
    const beas = await sentMessage(bea, '+34613000302', 'Recordatorio F', '3AARRIVE-ACK-BEA');
    expect((await postReceipt(ana, '+34613000302', '3AARRIVE-ACK-BEA', 'SERVER_ACK')).status).toBe(200);
    const [row, ...more] = await waitFor(
      () => storedReceipts(ana, '3AARRIVE-ACK-BEA'),
      (rows) => rows.length === 1 && rows[0]!.processedAt !== null,
      { what: 'the receipt stored and processed' },
    );
    expect(row).toBeDefined();
    expect(more).toEqual([]);
    expect(await findMessage(service.database.db, bea.userId, beas!.id)).toEqual(beas);
  });
});

describe('delivery and read receipts', () => {
  it('of a recorded message are applied on arrival, published live, and not stored', async () => {
    const db = service.database.db;
    const sent = await sentMessage(ana, '+34613000401', 'Recordatorio G', '3ARCPT-KNOWN');
    const seen: { type: string; data: Record<string, unknown> }[] = [];
    const unsubscribe = await service.runtime.events.subscribe(ana.userId, (e) => seen.push(e as never));
    try {
      const before = webhookStats.receiptsApplied;
      expect(await postReceipt(ana, '+34613000401', '3ARCPT-KNOWN', 'DELIVERY_ACK')).toEqual({
        status: 200,
        body: { received: true },
      });
      expect(await findMessage(db, ana.userId, sent!.id)).toMatchObject({ status: 'delivered' });
      expect((await postReceipt(ana, '+34613000401', '3ARCPT-KNOWN', 'READ')).status).toBe(200);
      const read = await findMessage(db, ana.userId, sent!.id);
      expect(read).toMatchObject({ status: 'read', readAt: expect.any(Date), deliveredAt: expect.any(Date) });
      expect(webhookStats.receiptsApplied).toBe(before + 2);
      expect(await storedReceipts(ana, '3ARCPT-KNOWN')).toEqual([]);
      const statuses = await waitFor(
        async () =>
          seen.filter((e) => e.type === 'message' && e.data.id === sent!.id).map((e) => e.data.status),
        (s) => s.length === 2,
        { what: 'both changes published' },
      );
      expect(statuses).toEqual(['delivered', 'read']);

      // A late delivery receipt changes nothing (statuses only move forward), and stores nothing.
      expect((await postReceipt(ana, '+34613000401', '3ARCPT-KNOWN', 'DELIVERY_ACK')).status).toBe(200);
      expect(await findMessage(db, ana.userId, sent!.id)).toEqual(read);
      expect(await storedReceipts(ana, '3ARCPT-KNOWN')).toEqual([]);
      expect(webhookStats.receiptsApplied).toBe(before + 3);
    } finally {
      await unsubscribe();
    }
    expect(seen.filter((e) => e.type === 'message' && e.data.id === sent!.id)).toHaveLength(2);
  });

  it('of an id not recorded yet are stored, then applied when the send is recorded', async () => {
    const db = service.database.db;
    const row = await unqueuedTextRow(db, ana.userId, '+34613000402', 'Recordatorio H');
    const before = webhookStats.receiptsApplied;
    expect((await postReceipt(ana, '+34613000402', '3ARCPT-EARLY', 'DELIVERY_ACK')).status).toBe(200);
    expect(webhookStats.receiptsApplied).toBe(before);
    await waitFor(
      () => storedReceipts(ana, '3ARCPT-EARLY'),
      (rows) => rows.length === 1 && rows[0]!.processedAt !== null,
      { what: 'the receipt stored and processed (parked)' },
    );
    await claimForSending(db, ana.userId, row.id);
    await markSent(db, ana.userId, row.id, {
      evolutionMessageId: '3ARCPT-EARLY',
      chatJid: '34613000402@s.whatsapp.net',
      at: new Date(),
    });
    // The send worker takes parked receipts after mark-sent; here the test is the worker.
    await applyParkedReceipts(service.runtime.ctx, (await findMessage(db, ana.userId, row.id))!);
    expect(await findMessage(db, ana.userId, row.id)).toMatchObject({ status: 'delivered' });
  });

  it('whose statement fails are stored instead, and the worker applies them once the fault is gone', async () => {
    const db = service.database.db;
    const sent = await sentMessage(ana, '+34613000404', 'Recordatorio J', '3ARCPT-FAULT');
    expect(sent!.id).toMatch(/^[0-9a-f-]{36}$/);
    // A real fault in the database: this message's move to `read` is refused, on every path.
    await db.execute(sql`create or replace function ww_test_refuse_read() returns trigger language plpgsql
      as $$ begin raise exception 'injected fault: read refused'; end $$`);
    await db.execute(
      sql.raw(`create trigger ww_test_refuse_read before update on whatsapp_message for each row
        when (new.id = '${sent!.id}' and new.status = 'read') execute function ww_test_refuse_read()`),
    );
    const before = webhookStats.receiptsApplied;
    try {
      expect((await postReceipt(ana, '+34613000404', '3ARCPT-FAULT', 'READ')).status).toBe(200);
      expect(webhookStats.receiptsApplied).toBe(before);
      expect(await storedReceipts(ana, '3ARCPT-FAULT')).toHaveLength(1);
      expect(await findMessage(db, ana.userId, sent!.id)).toMatchObject({ status: 'sent', readAt: null });
    } finally {
      await db.execute(sql`drop trigger if exists ww_test_refuse_read on whatsapp_message`);
      await db.execute(sql`drop function if exists ww_test_refuse_read()`);
    }
    await waitFor(
      () => findMessage(db, ana.userId, sent!.id),
      (row) => row?.status === 'read',
      { what: 'the stored receipt applied by the worker', timeoutMs: 30_000 },
    );
    expect(webhookStats.receiptsApplied).toBe(before);
  });

  it("naming another advisor's message are stored for their own instance's advisor and move nothing", async () => {
    const db = service.database.db;
    const beas = await sentMessage(bea, '+34613000403', 'Recordatorio I', '3ARCPT-BEA');
    const before = webhookStats.receiptsApplied;
    expect((await postReceipt(ana, '+34613000403', '3ARCPT-BEA', 'READ')).status).toBe(200);
    expect(webhookStats.receiptsApplied).toBe(before);
    await waitFor(
      () => storedReceipts(ana, '3ARCPT-BEA'),
      (rows) => rows.length === 1 && rows[0]!.processedAt !== null,
      { what: 'the receipt stored under Ana and processed' },
    );
    expect(await storedReceipts(bea, '3ARCPT-BEA')).toEqual([]);
    expect(await findMessage(db, bea.userId, beas!.id)).toEqual(beas);
  });
});

describe('a receipt that does not say whose message it names', () => {
  it('never moves a message the client wrote', async () => {
    const from = '+34613000199';
    const wrote = await ana.emulator.post(`/_emulator/instances/${ana.instanceName}/inbound`, {
      from,
      pushName: 'Lola',
      text: '¿Tienes hueco el lunes?',
    });
    expect(wrote.status).toBe(201);
    const evolutionId = wrote.body.key.id as string;
    const stored = await waitFor(
      async () =>
        (
          await service.database.db
            .select()
            .from(whatsappMessage)
            .where(
              and(
                eq(whatsappMessage.advisorId, ana.userId),
                eq(whatsappMessage.evolutionMessageId, evolutionId),
              ),
            )
        )[0],
      (row) => row !== undefined,
      { what: "the client's message stored" },
    );
    expect(stored!.status).toBe('received');
    // A READ naming it, without fromMe (Evolution always sends it; this one does not).
    const receipt = envelope(ana.instanceName, 'messages.update', {
      keyId: evolutionId,
      remoteJid: `${from.replace('+', '')}@s.whatsapp.net`,
      status: 'READ',
      instanceId: 'inst-1',
    });
    expect(
      (
        await postWebhook(service, JSON.stringify(receipt), {
          authorization: `Bearer ${webhookJwt(ana.secret)}`,
        })
      ).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect((await findMessage(service.database.db, ana.userId, stored!.id))!.status).toBe('received');
  });
});
