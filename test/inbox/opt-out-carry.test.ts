// Opt-outs stored before 2026-12-05 under a WhatsApp JID's digits (Argentina without the 9, Brazil
// without the 9th digit, Mexico with the old 1) are applied, by the migration step, to the number
// the service sends to; a later decision on that number still wins, and nothing else changes.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../src/db/migrate.js';
import { findClient } from '../../src/db/repositories/client.repository.js';
import { auditLog, whatsappClient } from '../../src/db/schema/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
const ANA = 'advisor-ana';
const BEA = 'advisor-bea';
const STOP_AT = new Date('2026-11-20T10:00:00Z');
const START_AT = new Date('2026-11-25T10:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.execute(
    sql`insert into "user" (id, name, email) values (${ANA}, 'Ana', 'ana@example.test'), (${BEA}, 'Bea', 'bea@example.test')`,
  );
  const optedOut = (advisorId: string, phone: string, at: Date, optChangedAt: Date | null = at) => ({
    advisorId,
    phone,
    optedOut: true,
    optedOutAt: at,
    optSource: 'keyword',
    optChangedAt,
  });
  await database.db.insert(whatsappClient).values([
    optedOut(ANA, '+541123456789', STOP_AT), // Argentina: JID without the mobile 9
    optedOut(ANA, '+553187654321', STOP_AT, null), // Brazil, stored before opt_changed_at existed
    optedOut(ANA, '+5215512345678', STOP_AT), // Mexico: the old mobile 1
    optedOut(ANA, '+5493514123456', STOP_AT), // already the number we send to
    optedOut(ANA, '+551132654321', STOP_AT), // a Brazilian landline: no digit is missing
    optedOut(ANA, '+541187654321', STOP_AT), // the client wrote START later under the new form
    {
      advisorId: ANA,
      phone: '+5491187654321',
      optedOut: false,
      optSource: 'keyword',
      optChangedAt: START_AT,
    },
    optedOut(ANA, '+541155554444', STOP_AT), // the new form is a conversation, never opted out
    { advisorId: ANA, phone: '+5491155554444', name: 'Lucía', unread: 2, lastInboundAt: START_AT },
    { advisorId: BEA, phone: '+541123456789', name: 'another advisor, not opted out' },
  ]);
});
afterAll(async () => {
  await database?.destroy();
});

const carriedAudit = async (advisorId: string) =>
  database.db
    .select({
      phone: auditLog.phone,
      action: auditLog.action,
      actorType: auditLog.actorType,
      content: auditLog.content,
    })
    .from(auditLog)
    .where(and(eq(auditLog.advisorId, advisorId), eq(auditLog.action, 'client.opt_out')));

describe('opt-outs stored under JID digits', () => {
  it('are applied to the number the service sends to, with their time and source, and audited', async () => {
    expect(await runMigrations(database)).toEqual({ optOutsCarried: 4 });
    for (const [phone, at] of [
      ['+5491123456789', STOP_AT],
      ['+5531987654321', STOP_AT],
      ['+525512345678', STOP_AT],
      ['+5491155554444', STOP_AT],
    ] as const) {
      const row = await findClient(database.db, ANA, phone);
      expect(row?.optedOut, phone).toBe(true);
      expect(row?.optChangedAt?.toISOString(), phone).toBe(at.toISOString());
      expect(row?.optSource, phone).toBe('keyword');
    }
    const audit = await carriedAudit(ANA);
    expect(
      audit.map((a) => [a.phone, a.actorType, (a.content as { carriedFrom: string }).carriedFrom]).sort(),
    ).toEqual([
      ['+525512345678', 'system', '+5215512345678'],
      ['+5491123456789', 'system', '+541123456789'],
      ['+5491155554444', 'system', '+541155554444'],
      ['+5531987654321', 'system', '+553187654321'],
    ]);
  });

  it('keep the conversation of the number they reach, and leave the old rows as they were', async () => {
    const conversation = await findClient(database.db, ANA, '+5491155554444');
    expect(conversation).toMatchObject({ name: 'Lucía', unread: 2, lastInboundAt: START_AT });
    for (const phone of ['+541123456789', '+553187654321', '+5215512345678', '+541155554444']) {
      expect((await findClient(database.db, ANA, phone))?.optedOut, phone).toBe(true);
    }
  });

  it('never override a later decision on that number, nor touch numbers with nothing missing', async () => {
    expect((await findClient(database.db, ANA, '+5491187654321'))?.optedOut).toBe(false);
    expect(await findClient(database.db, ANA, '+5511932654321')).toBeNull();
    const rows = await database.db
      .select({ phone: whatsappClient.phone })
      .from(whatsappClient)
      .where(eq(whatsappClient.advisorId, ANA));
    expect(rows).toHaveLength(12); // nine seeded for Ana, three created by the carry
  });

  it("stay with their advisor: another advisor's client with the same digits is untouched", async () => {
    expect((await findClient(database.db, BEA, '+541123456789'))?.optedOut).toBe(false);
    expect(await findClient(database.db, BEA, '+5491123456789')).toBeNull();
    expect(await carriedAudit(BEA)).toEqual([]);
  });

  it('are carried once: running the migrations again changes nothing', async () => {
    expect(await runMigrations(database)).toEqual({ optOutsCarried: 0 });
    expect(await carriedAudit(ANA)).toHaveLength(4);
  });
});
