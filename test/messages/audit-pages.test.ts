// The audit log read page by page (GET /api/whatsapp/audit → listAudit): newest first, every entry
// of the advisor exactly once, none of another advisor's, entries of one transaction (one
// created_at) by id. The order is (created_at, id) so that the advisor's index serves it
// (test/messages/history-plans); the cursor is still an entry's id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/db/repositories/audit.repository.js';
import { auditLog } from '../../src/db/schema/index.js';
import { createAdvisor } from '../templates/db-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let ana: string;
let bea: string;
beforeAll(async () => {
  database = await createTestDatabase();
  ana = await createAdvisor(database.db);
  bea = await createAdvisor(database.db);
});
afterAll(async () => {
  await database?.destroy();
});

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute));

async function write(advisorId: string, action: string, createdAt: Date): Promise<number> {
  const [row] = await database.db
    .insert(auditLog)
    .values({ advisorId, actorType: 'advisor', actorId: advisorId, action, createdAt })
    .returning({ id: auditLog.id });
  return row!.id;
}

async function everyPage(advisorId: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let beforeId: number | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const rows = await listAudit(database.db, advisorId, { limit, ...(beforeId ? { beforeId } : {}) });
    seen.push(...rows.map((r) => r.action));
    if (rows.length < limit) return seen;
    beforeId = rows.at(-1)!.id;
  }
  throw new Error('more pages than entries');
}

describe('the audit log, page by page', () => {
  it('lists every entry of the advisor once, newest first, ties by id', async () => {
    // Interleaved with another advisor's; three entries of one instant (one transaction); and
    // one written later with an earlier created_at (a transaction that began first).
    await write(ana, 'a1', at(1));
    await write(bea, 'b1', at(2));
    await write(ana, 'a2', at(3));
    await write(ana, 'a3', at(3));
    await write(bea, 'b2', at(4));
    await write(ana, 'a4', at(3));
    await write(ana, 'a6', at(6));
    await write(ana, 'a5', at(5));

    const expected = ['a6', 'a5', 'a4', 'a3', 'a2', 'a1'];
    for (const limit of [1, 2, 4, 50]) expect(await everyPage(ana, limit)).toEqual(expected);
    expect(await everyPage(bea, 1)).toEqual(['b2', 'b1']);
  });

  it("gives nothing after an entry that is not the advisor's", async () => {
    const [beaNewest] = await listAudit(database.db, bea, { limit: 1 });
    expect(await listAudit(database.db, ana, { limit: 50, beforeId: beaNewest!.id })).toEqual([]);
  });
});
