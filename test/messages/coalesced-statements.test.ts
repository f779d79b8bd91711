// The statements that concurrent requests and jobs share (src/db/coalesce.ts), against a real
// database: while a statement of a kind is in flight, every call made meanwhile waits and goes in
// the next shared statement, so the calls here (all issued in one go) are answered by batches, and
// each must get its own answer, for its own advisor only. The worker's read-and-claim is tested
// the same way in claim-in-read.test.ts.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setOptOut } from '../../src/db/repositories/client.repository.js';
import { writeOutbound, type OutboundWrite } from '../../src/db/repositories/outbox-write.repository.js';
import { markSent } from '../../src/db/repositories/message.repository.js';
import {
  deletePendingReceipts,
  findPendingReceipts,
  savePendingReceipt,
} from '../../src/db/repositories/pending-receipt.repository.js';
import { readSendContext } from '../../src/db/repositories/send-context.repository.js';
import { auditLog, pendingReceipt, whatsappClient, whatsappMessage } from '../../src/db/schema/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createAdvisor, insertMessages } from '../templates/db-fixtures.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

describe('send context reads of concurrent sends', () => {
  it('answer each (advisor, recipient) with its own config and opt-out, and null for an advisor without config', async () => {
    const advisors = await Promise.all(
      ['ES', 'MX', 'AR', 'BR'].map((country) => createAdvisor(database.db, { defaultCountry: country })),
    );
    const phone = '+34611000001';
    // The same number opted out of the second advisor only; another number out of the fourth.
    await setOptOut(database.db, advisors[1]!, phone, true, 'keyword', new Date());
    await setOptOut(database.db, advisors[3]!, '+34611000002', true, 'keyword', new Date());
    const asks = [
      ...advisors.flatMap((advisorId) => [
        { advisorId, phone },
        { advisorId, phone: '+34611000002' },
      ]),
      { advisorId: 'no-such-advisor', phone },
      ...advisors.map((advisorId) => ({ advisorId, phone: '+34611000003' })),
    ];
    const contexts = await Promise.all(asks.map((a) => readSendContext(database.db, a.advisorId, a.phone)));
    asks.forEach((ask, i) => {
      const context = contexts[i];
      if (ask.advisorId === 'no-such-advisor') {
        expect(context, 'unknown advisor').toBeNull();
        return;
      }
      const which = advisors.indexOf(ask.advisorId);
      expect(context!.config.advisorId, `ask ${i}`).toBe(ask.advisorId);
      expect((context!.config.settings as { defaultCountry: string }).defaultCountry).toBe(
        ['ES', 'MX', 'AR', 'BR'][which],
      );
      const optedOut = (which === 1 && ask.phone === phone) || (which === 3 && ask.phone === '+34611000002');
      expect(context!.optedOut, `ask ${i}: ${ask.phone} of advisor ${which}`).toBe(optedOut);
    });
  });
});

describe('sent records of concurrent sends', () => {
  const row = async (id: string) =>
    (await database.db.select().from(whatsappMessage).where(eq(whatsappMessage.id, id)))[0]!;

  it('record each send on its own row, never backwards, never on another advisor’s, and a bad one fails alone', async () => {
    const [ana, eva] = [await createAdvisor(database.db), await createAdvisor(database.db)];
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const taken = `EVO-TAKEN-${randomUUID()}`;
    await insertMessages(database.db, ana, [
      { id: ids[0], phone: '+34611000010', status: 'sending' },
      { id: ids[1], phone: '+34611000011', status: 'sending' },
      { id: ids[2], phone: '+34611000012', status: 'delivered' }, // a receipt overtook the answer
      { id: ids[3], phone: '+34611000013', status: 'sending' },
      { id: randomUUID(), phone: '+34611000014', status: 'sent', evolutionMessageId: taken },
    ]);
    await insertMessages(database.db, eva, [
      { id: ids[4], phone: '+34611000015', status: 'sending' },
      { id: ids[5], phone: '+34611000016', status: 'sending' },
    ]);
    const at = new Date('2026-12-03T08:00:00.000Z');
    const record = (advisorId: string, id: string, evolutionMessageId: string) =>
      markSent(database.db, advisorId, id, { evolutionMessageId, chatJid: `${id}@s.whatsapp.net`, at });
    const outcomes = await Promise.allSettled([
      record(ana, ids[0]!, 'EVO-0'),
      record(ana, ids[1]!, 'EVO-1'),
      record(ana, ids[2]!, 'EVO-2'),
      record(ana, ids[3]!, taken), // breaks the unique Evolution id: this one fails, alone
      record(ana, ids[4]!, 'EVO-4'), // Eva's message asked as Ana's
      record(eva, ids[5]!, 'EVO-5'),
      record(ana, randomUUID(), 'EVO-6'), // no such message
    ]);
    const values = outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'failed'));
    expect(values[0]).toMatchObject({ id: ids[0], status: 'sent', evolutionMessageId: 'EVO-0', sentAt: at });
    expect(values[1]).toMatchObject({ id: ids[1], status: 'sent', evolutionMessageId: 'EVO-1' });
    expect(values[2]).toMatchObject({ id: ids[2], status: 'delivered', evolutionMessageId: 'EVO-2' });
    expect(values[3]).toBe('failed');
    expect(values[4]).toBeNull();
    expect(values[5]).toMatchObject({
      id: ids[5],
      advisorId: eva,
      status: 'sent',
      evolutionMessageId: 'EVO-5',
    });
    expect(values[6]).toBeNull();
    expect(await row(ids[3]!)).toMatchObject({ status: 'sending', evolutionMessageId: null });
    expect(await row(ids[4]!)).toMatchObject({ status: 'sending', evolutionMessageId: null });
  });
});

describe('reads of parked receipts', () => {
  it('give each send the receipts parked for it, for its advisor only, and leave them parked until deleted', async () => {
    const [ana, eva] = [await createAdvisor(database.db), await createAdvisor(database.db)];
    const at = new Date('2026-12-03T08:00:01.000Z');
    await savePendingReceipt(database.db, ana, 'E1', 'delivered', at);
    await savePendingReceipt(database.db, ana, 'E1', 'read', at);
    await savePendingReceipt(database.db, eva, 'E1', 'delivered', at); // the same id, another advisor
    await savePendingReceipt(database.db, ana, 'E2', 'read', at);
    const asks: [string, string][] = [
      [ana, 'E0'],
      [ana, 'E3'],
      [ana, 'E1'],
      [eva, 'E2'], // Ana's receipt, asked for as Eva's
      [ana, 'E2'],
      [eva, 'E1'],
      [ana, 'E1'], // asked twice: both get them (both apply them, which moves the message once)
    ];
    const found = await Promise.all(
      asks.map(([advisorId, id]) => findPendingReceipts(database.db, advisorId, id)),
    );
    const statuses = found.map((rows) =>
      rows.map((r) => `${r.advisorId === ana ? 'ana' : 'eva'}:${r.status}`).sort(),
    );
    expect(statuses).toEqual([
      [],
      [],
      ['ana:delivered', 'ana:read'],
      [],
      ['ana:read'],
      ['eva:delivered'],
      ['ana:delivered', 'ana:read'],
    ]);
    const parked = () =>
      database.db
        .select()
        .from(pendingReceipt)
        .where(and(eq(pendingReceipt.advisorId, ana)));
    expect(await parked()).toHaveLength(3);
    // Parked anew since the read (deleted by another applier, then parked again at another time):
    // not the receipt that was read, so it stays.
    await database.db
      .update(pendingReceipt)
      .set({ at: new Date(at.getTime() + 1) })
      .where(and(eq(pendingReceipt.advisorId, ana), eq(pendingReceipt.status, 'delivered')));
    // Deleted as read: Ana's read receipt of E1 only.
    await deletePendingReceipts(database.db, found[2]!);
    expect((await parked()).map((r) => `${r.evolutionMessageId}:${r.status}`).sort()).toEqual([
      'E1:delivered',
      'E2:read',
    ]);
  });
});

describe('outbox writes of concurrent sends', () => {
  const send = (
    phone: string,
    options: { name?: string | null; key?: string; at?: Date; scheduledAt?: Date; text?: string } = {},
  ): OutboundWrite => ({
    media: null,
    message: {
      direction: 'outbound',
      phone,
      clientName: options.name ?? null,
      type: 'text',
      text: options.text ?? `Hola ${phone}`,
      purpose: 'manual',
      status: options.scheduledAt ? 'scheduled' : 'queued',
      source: 'api',
      idempotencyKey: options.key ?? null,
      requestHash: options.key ? `hash-${options.key}` : null,
      scheduledAt: options.scheduledAt ?? null,
    },
    audit: {
      actorType: 'api_key',
      actorId: 'key-1',
      action: 'message.send',
      content: { text: options.text ?? phone },
    },
    client: {
      phone,
      name: options.name ?? null,
      nameGiven: options.name != null,
      at: options.at ?? new Date('2026-12-03T09:00:00.000Z'),
    },
  });

  it('write each send with its own row, audit entry and client, for its advisor only', async () => {
    const [ana, eva] = [await createAdvisor(database.db), await createAdvisor(database.db)];
    const later = new Date('2026-12-03T09:00:05.000Z');
    const scheduledAt = new Date('2026-12-04T10:30:00.000Z');
    // The first two run at once, alone; every later one waits and goes in one shared statement.
    const writes: [string, OutboundWrite][] = [
      [eva, send('+34611000090', { text: 'primera' })],
      [eva, send('+34611000091', { text: 'segunda' })],
      [ana, send('+34611000020', { name: 'Lucía', text: 'uno' })],
      [ana, send('+34611000020', { text: 'dos', at: later })], // same client, no name: keeps Lucía
      [ana, send('+34611000021', { key: 'k-1', text: 'tres' })],
      [eva, send('+34611000020', { name: 'Otra', key: 'k-1', scheduledAt, text: 'de Eva' })],
      ...Array.from({ length: 12 }, (_, i): [string, OutboundWrite] => [
        i % 2 ? ana : eva,
        send(`+3461100010${i % 4}`, { text: `masa ${i}` }),
      ]),
    ];
    const rows = await Promise.all(writes.map(([advisorId, w]) => writeOutbound(database.db, advisorId, w)));
    writes.forEach(([advisorId, w], i) => {
      expect(rows[i], `write ${i}`).toMatchObject({
        advisorId,
        phone: w.message.phone,
        text: w.message.text,
        status: w.message.status,
        idempotencyKey: w.message.idempotencyKey,
        scheduledAt: w.message.scheduledAt,
        attempts: 0,
        unfinished: true,
        evolutionMessageId: null,
      });
      expect(rows[i]!.createdAt).toBeInstanceOf(Date);
    });
    expect(new Set(rows.map((r) => r.id)).size).toBe(writes.length);

    const stored = await database.db.select().from(whatsappMessage).where(eq(whatsappMessage.advisorId, ana));
    expect(stored.map((r) => r.text).sort()).toEqual(
      ['uno', 'dos', 'tres', ...[1, 3, 5, 7, 9, 11].map((i) => `masa ${i}`)].sort(),
    );
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.advisorId, ana));
    expect(audit.map((a) => a.messageId).sort()).toEqual(stored.map((r) => r.id).sort());
    for (const entry of audit) {
      const row = stored.find((r) => r.id === entry.messageId)!;
      expect(entry).toMatchObject({
        actorType: 'api_key',
        actorId: 'key-1',
        action: 'message.send',
        phone: row.phone,
      });
      expect(entry.content).toEqual({ text: row.text });
    }
    const clients = await database.db
      .select()
      .from(whatsappClient)
      .where(and(eq(whatsappClient.advisorId, ana), eq(whatsappClient.phone, '+34611000020')));
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({ name: 'Lucía', lastOutboundAt: later });
    const evas = await database.db.select().from(whatsappClient).where(eq(whatsappClient.advisorId, eva));
    expect(evas.find((c) => c.phone === '+34611000020')).toMatchObject({ name: 'Otra' });

    // Ana's key k-1 used again in a shared statement: that write fails, alone.
    const again = await Promise.allSettled([
      writeOutbound(database.db, eva, send('+34611000092')),
      writeOutbound(database.db, eva, send('+34611000093')),
      writeOutbound(database.db, ana, send('+34611000022', { key: 'k-1', text: 'cuatro' })),
      writeOutbound(database.db, ana, send('+34611000023', { text: 'cinco' })),
      writeOutbound(database.db, eva, send('+34611000024', { key: 'k-2', text: 'seis' })),
    ]);
    expect(again.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(String((again[2] as PromiseRejectedResult).reason?.cause?.message)).toMatch(
      /whatsapp_message_idempotency_idx/,
    );
    const texts = (
      await database.db.select().from(whatsappMessage).where(eq(whatsappMessage.advisorId, ana))
    ).map((r) => r.text);
    expect(texts).toContain('cinco');
    expect(texts).not.toContain('cuatro');
  });

  it('never move a client’s last contact back, with or without an upload', async () => {
    const ana = await createAdvisor(database.db);
    const phone = '+34611000040';
    const at = (second: number) => new Date(`2026-12-03T09:00:${String(second).padStart(2, '0')}.000Z`);
    const upload = (second: number): OutboundWrite => {
      const base = send(phone, { at: at(second) });
      return {
        ...base,
        media: { mimetype: 'image/png', fileName: 'a.png', bytes: Buffer.from('png') },
        message: { ...base.message, type: 'image', text: null, caption: 'foto' },
      };
    };
    const lastContact = async () =>
      (
        await database.db
          .select()
          .from(whatsappClient)
          .where(and(eq(whatsappClient.advisorId, ana), eq(whatsappClient.phone, phone)))
      )[0]!.lastOutboundAt;
    // Each pair: a later write first, then an earlier one committing after it.
    await writeOutbound(database.db, ana, send(phone, { at: at(10) }));
    await writeOutbound(database.db, ana, upload(5));
    expect(await lastContact()).toEqual(at(10));
    await writeOutbound(database.db, ana, upload(20));
    expect(await lastContact()).toEqual(at(20));
    await writeOutbound(database.db, ana, send(phone, { at: at(15) }));
    expect(await lastContact()).toEqual(at(20));
    await writeOutbound(database.db, ana, upload(30));
    expect(await lastContact()).toEqual(at(30));
  });

  it('write alone inside a caller’s transaction, and roll back with it', async () => {
    const ana = await createAdvisor(database.db);
    const written = await database.db
      .transaction(async (tx) => {
        const row = await writeOutbound(tx, ana, send('+34611000030', { text: 'en transacción' }));
        expect(row).toMatchObject({ advisorId: ana, text: 'en transacción', status: 'queued' });
        throw new Error('roll back');
      })
      .catch((err: Error) => err.message);
    expect(written).toBe('roll back');
    expect(
      await database.db.select().from(whatsappMessage).where(eq(whatsappMessage.advisorId, ana)),
    ).toEqual([]);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.advisorId, ana))).toEqual([]);
  });
});
