// What the metrics' numbers mean at the edges of a range, each advisor on their own history:
// the range selects what is counted (a connection attempt, a message), and what happened to it
// afterwards is read wherever it happened.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/domain/metrics/compute-metrics.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const UNTIL = new Date('2026-06-10T00:00:00Z');
const SINCE = new Date('2026-06-01T00:00:00Z');
const range = { since: SINCE, until: UNTIL };
const at = (offsetMs: number) => new Date(UNTIL.getTime() + offsetMs);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

async function advisor(id: string): Promise<string> {
  await database.db.execute(
    sql`insert into "user" (id, name, email) values (${id}, ${id}, ${id + '@example.test'})`,
  );
  return id;
}

async function connectionEvents(advisorId: string, events: [status: string, at: Date][]): Promise<void> {
  for (const [status, when] of events) {
    await database.db.execute(
      sql`insert into connection_event (advisor_id, status, at) values (${advisorId}, ${status}, ${when})`,
    );
  }
}

describe('connectionRate', () => {
  it('counts an attempt made just before the end of the range as connected when the scan came just after it', async () => {
    const id = await advisor('late-scan');
    await connectionEvents(id, [
      ['qr_pending', at(-10_000)],
      ['connecting', at(2_000)],
      ['connected', at(5_000)],
    ]);
    const metrics = await computeMetrics(database.db, id, range);
    expect(metrics.connectionRate).toBe(1);
  });

  it('still gives a connection past the end of the range to the attempt it followed, not to an earlier one', async () => {
    const id = await advisor('second-qr');
    // The QR shown before the end expired unscanned; the advisor asked again after the end and
    // connected with that one: the attempt in the range failed.
    await connectionEvents(id, [
      ['qr_pending', at(-10_000)],
      ['qr_pending', at(60_000)],
      ['connected', at(70_000)],
    ]);
    const metrics = await computeMetrics(database.db, id, range);
    expect(metrics.connectionRate).toBe(0);
    // Seen from a range that holds both attempts: one in two.
    const both = await computeMetrics(database.db, id, { since: SINCE, until: at(3_600_000) });
    expect(both.connectionRate).toBe(0.5);
  });

  it('counts only attempts made in the range, and only the advisor’s own', async () => {
    const id = await advisor('before-range');
    await connectionEvents(id, [
      ['qr_pending', new Date(SINCE.getTime() - 5_000)],
      ['connected', new Date(SINCE.getTime() + 5_000)],
    ]);
    expect((await computeMetrics(database.db, id, range)).connectionRate).toBeNull();
    const other = await advisor('someone-else');
    await connectionEvents(other, [['connected', at(-5_000)]]);
    expect((await computeMetrics(database.db, other, range)).connectionRate).toBeNull();
  });
});

describe('templateUsage', () => {
  it('counts what a template’s usageCount counts: queued or further on, never a message still scheduled', async () => {
    const id = await advisor('planned-reminders');
    const created = new Date(SINCE.getTime() + 3_600_000);
    for (const status of [
      'scheduled',
      'scheduled',
      'queued',
      'sending',
      'sent',
      'read',
      'failed',
      'cancelled',
    ]) {
      await database.db.execute(sql`
        insert into whatsapp_message (advisor_id, direction, phone, status, template_key, created_at)
        values (${id}, 'outbound', '+34612000777', ${status}, 'appointment_reminder', ${created})`);
    }
    const metrics = await computeMetrics(database.db, id, range);
    expect(metrics.templateUsage).toEqual([
      { key: 'appointment_reminder', count: 4, builtIn: true, customized: 0 },
    ]);
  });
});

describe('group chats', () => {
  it('leave the client metrics alone: a group’s messages (WEBHOOK_GROUPS=store) are no client’s', async () => {
    const id = await advisor('in-a-group');
    const created = new Date(SINCE.getTime() + 3_600_000);
    // One client conversation: sent, delivered, answered.
    await database.db.execute(sql`
      insert into whatsapp_message (advisor_id, direction, phone, status, purpose, created_at, sent_at, delivered_at)
      values (${id}, 'outbound', '+34612000888', 'delivered', 'manual', ${created}, ${created}, ${new Date(created.getTime() + 4_000)})`);
    await database.db.execute(sql`
      insert into whatsapp_message (advisor_id, direction, phone, status, purpose, created_at)
      values (${id}, 'inbound', '+34612000888', 'received', 'manual', ${created})`);
    // A busy group: members write, and the advisor posts from the phone (no receipt ever comes).
    for (let i = 0; i < 5; i++) {
      await database.db.execute(sql`
        insert into whatsapp_message (advisor_id, direction, phone, chat_jid, status, source, purpose, created_at)
        values (${id}, 'inbound', null, '120363000000000001@g.us', 'received', 'phone', 'group', ${created})`);
    }
    await database.db.execute(sql`
      insert into whatsapp_message (advisor_id, direction, phone, chat_jid, status, source, purpose, created_at, sent_at)
      values (${id}, 'outbound', null, '120363000000000001@g.us', 'sent', 'phone', 'group', ${created}, ${created})`);
    const metrics = await computeMetrics(database.db, id, range);
    expect(metrics.totals).toEqual({ attempted: 1, delivered: 1, read: 0, failed: 0 });
    expect(metrics.deliveryRate).toBe(1);
    expect(metrics.messagesPerDay).toEqual([
      { day: '2026-06-01', sent: 1, delivered: 1, read: 0, failed: 0, inbound: 1 },
    ]);
  });
});
