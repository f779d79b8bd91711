// The audit log's retention (AUDIT_RETENTION_DAYS): the hourly prune drops the entries past the
// cutoff, for every advisor, and keeps the rest. Against a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneAudit } from '../../src/db/repositories/audit.repository.js';
import { auditLog, whatsappMessage } from '../../src/db/schema/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createAdvisor } from '../templates/db-fixtures.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

const DAY = 86_400_000;

/** Entries written `daysAgo` days back, in order: ids grow with time, as in production. */
async function writeEntries(advisorId: string, daysAgo: number[]): Promise<void> {
  for (const days of daysAgo) {
    await database.db.insert(auditLog).values({
      advisorId,
      actorType: 'advisor',
      actorId: advisorId,
      action: 'message.send',
      content: { days },
      createdAt: new Date(Date.now() - days * DAY),
    });
  }
}

async function daysLeft(advisorId: string): Promise<number[]> {
  const rows = await database.db.select().from(auditLog);
  return rows
    .filter((row) => row.advisorId === advisorId)
    .map((row) => (row.content as { days: number }).days)
    .sort((a, b) => b - a);
}

describe('the audit log retention', () => {
  it("drops every advisor's entries past the cutoff, batch after batch, and keeps the newer ones", async () => {
    const ana = await createAdvisor(database.db);
    const bea = await createAdvisor(database.db);
    // Interleaved, as two advisors' sends are: eleven entries past 90 days, three within.
    await writeEntries(ana, [400, 200, 120]);
    await writeEntries(bea, [300, 150, 100, 95]);
    await writeEntries(ana, [93, 92, 91]);
    await writeEntries(bea, [91]);
    await writeEntries(ana, [30, 1]);
    await writeEntries(bea, [0]);

    // Batches of 4: the eleven go in three batches, the last one stopping at the kept entries.
    expect(await pruneAudit(database.db, new Date(Date.now() - 90 * DAY), 4)).toBe(11);
    expect(await daysLeft(ana)).toEqual([30, 1]);
    expect(await daysLeft(bea)).toEqual([0]);
    // Nothing more to drop: a second run changes nothing.
    expect(await pruneAudit(database.db, new Date(Date.now() - 90 * DAY), 4)).toBe(0);
    expect(await daysLeft(ana)).toEqual([30, 1]);
  });

  it('keeps the entry of a message that has not gone out yet, and of one sent within the period', async () => {
    // Ids grow with time, as in production: the entries left by the test above are newer.
    await database.db.delete(auditLog);
    const ana = await createAdvisor(database.db);
    const at = (days: number) => new Date(Date.now() - days * DAY);
    // Scheduled 400 days ahead (send-message allows it) 380 days ago: it goes out in 20 days.
    // Another one scheduled as far ahead went out 10 days ago; a third went out 380 days ago.
    const [pending, sentLately, sentLongAgo] = await database.db
      .insert(whatsappMessage)
      .values(
        [
          { status: 'scheduled', scheduledAt: at(-20), createdAt: at(380), updatedAt: at(380) },
          { status: 'delivered', sentAt: at(10), createdAt: at(390), updatedAt: at(10) },
          { status: 'read', sentAt: at(380), createdAt: at(380), updatedAt: at(379) },
        ].map((values) => ({
          advisorId: ana,
          direction: 'outbound',
          phone: '+34612345678',
          text: 'Hola',
          ...values,
        })),
      )
      .returning({ id: whatsappMessage.id });
    const entry = (messageId: string, days: number, action: string) => ({
      advisorId: ana,
      actorType: 'advisor',
      actorId: ana,
      action,
      messageId,
      content: { days },
      createdAt: at(days),
    });
    // Oldest first, as ids grow: the kept entries stand before the old ones still to drop.
    await database.db.insert(auditLog).values(entry(pending!.id, 380, 'message.schedule'));
    await database.db.insert(auditLog).values(entry(sentLately!.id, 390, 'message.schedule'));
    await writeEntries(ana, [370, 369, 368]);
    await database.db.insert(auditLog).values(entry(sentLongAgo!.id, 380, 'message.send'));
    await writeEntries(ana, [10]);

    // Batches of 2: the kept entries at the front do not stop the prune before the old ones.
    expect(await pruneAudit(database.db, at(365), 2)).toBe(4);
    const left = await database.db.select().from(auditLog);
    const mine = left.filter((row) => row.advisorId === ana);
    expect(mine.map((row) => [row.messageId, (row.content as { days: number }).days])).toEqual([
      [pending!.id, 380],
      [sentLately!.id, 390],
      [null, 10],
    ]);
  });
});
