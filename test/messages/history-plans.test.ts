// The lists read page by page (the message history, a conversation's chat, the conversation list)
// must be served in order by their indexes, or every page reads and sorts all of an advisor's rows.
// The history and the conversation list used to ask for `DESC` (NULLS FIRST) on indexes built
// `DESC NULLS LAST`: PostgreSQL used them for the advisor only and sorted the rest (75 ms a page
// at 100,000 messages, against 0.2 ms; docs/ARCHITECTURE.md). Timing is not asserted here: the
// plan is. With sorting and sequential scans priced out, a query an index can serve in order has
// no Sort in its plan; one it cannot still sorts, whatever the table holds.
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAppointmentAudit } from '../../src/db/repositories/appointment.repository.js';
import { listAudit } from '../../src/db/repositories/audit.repository.js';
import { listChatMessages, listConversations } from '../../src/db/repositories/inbox.repository.js';
import { listMessages } from '../../src/db/repositories/message.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

async function planOf(query: { getSQL(): SQL }): Promise<string> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_sort = off`);
    await tx.execute(sql`set local enable_seqscan = off`);
    const result = await tx.execute(sql`explain ${query.getSQL()}`);
    const rows = ((result as { rows?: unknown[] }).rows ?? result) as Record<string, string>[];
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

const advisor = 'plan-advisor';
const before = { createdAt: new Date('2026-12-01T10:00:00Z'), id: '0b3c9a7e-8f7a-4c9e-9d3e-2f1a5b6c7d8e' };

describe('pages served in order by their index', () => {
  it.each([
    ['the message history', () => listMessages(database.db, advisor, {}, { limit: 50 })],
    [
      'the message history, a later page',
      () => listMessages(database.db, advisor, {}, { limit: 50, before }),
    ],
    ['the conversation list', () => listConversations(database.db, advisor, { limit: 50 })],
    [
      'the conversation list, a later page',
      () =>
        listConversations(database.db, advisor, {
          limit: 50,
          before: { at: before.createdAt, phone: '+34600000000' },
        }),
    ],
    ['a chat', () => listChatMessages(database.db, advisor, '+34600000000', { limit: 50 })],
    [
      'a chat, a later page',
      () =>
        listChatMessages(database.db, advisor, '+34600000000', {
          limit: 50,
          before: { at: '2026-12-01T10:00:00.123456Z', id: before.id },
        }),
    ],
  ])('%s', async (_, query) => {
    const plan = await planOf(query());
    expect(plan).toMatch(/Index (Only )?Scan/);
    expect(plan).not.toMatch(/Sort/);
  });

  // The primary key orders the audit log too, so "no Sort" alone would pass a plan walking every
  // advisor's entries backwards for this one's: the index must start at the advisor. (An
  // Incremental Sort orders only the entries of one created_at instant, by id.)
  it.each([
    ['the audit log', () => listAudit(database.db, advisor, { limit: 51 })],
    ['the audit log, a later page', () => listAudit(database.db, advisor, { limit: 51, beforeId: 1_000 })],
  ])('%s', async (_, query) => {
    const plan = await planOf(query());
    expect(plan).toMatch(/Index Scan using audit_log_advisor_created_idx/);
    expect(plan).toMatch(/Index Cond: \(\(?advisor_id = /);
    expect(plan).not.toMatch(/(?<!Incremental )Sort\b(?! Key| Method)/);
  });

  it('still sorts what no index orders (the check can fail)', async () => {
    const plan = await planOf({
      getSQL: () =>
        sql`select id from whatsapp_message where advisor_id = ${advisor} order by text desc limit 50`,
    });
    expect(plan).toMatch(/Sort/);
  });
});

// An appointment's timeline (its audit entries) is read each time the appointment is shown. It
// used to read every audit entry of the advisor and test each one's JSON for the appointment id.
describe("an appointment's audit entries", () => {
  it('are found by the appointment, not among all of the advisor’s entries', async () => {
    const plan = await planOf(
      listAppointmentAudit(database.db, advisor, 'c0ffee00-0000-4000-8000-000000000001'),
    );
    expect(plan).toMatch(/Index Cond: .*appointmentId/);
    expect(plan).not.toMatch(/Sort/);
  });
});
