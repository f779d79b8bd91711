// The audit log's retention (AUDIT_RETENTION_DAYS): the hourly prune drops the entries past the
// cutoff, for every advisor, and keeps the rest. Against a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneAudit } from '../../src/db/repositories/audit.repository.js';
import { auditLog } from '../../src/db/schema/index.js';
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
});
