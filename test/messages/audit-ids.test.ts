// The ids of GET /api/whatsapp/audit tell an advisor nothing of other advisors. Entries are
// numbered by one sequence for the whole platform: shown as they are, the gap between two of an
// advisor's own entries counted every other advisor's audited actions in between (found by
// review: B's entries 3 and 7 around A's three actions). Each advisor now sees their own
// numbering (src/domain/crypto/audit-entry-ids.ts), and the cursor reads it back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { auditLog } from '../../src/db/schema/index.js';
import { signUpAdvisor, type HttpClient } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

interface Entry {
  id: number;
  action: string;
  actorId: string | null;
  content: Record<string, unknown> | null;
}

/** One audited action: an API key made (no WhatsApp connection needed). */
async function audited(client: HttpClient, name: string): Promise<void> {
  expect((await client.post('/api/api-keys', { name })).status).toBe(201);
}

async function page(
  client: HttpClient,
  query: string,
): Promise<{ items: Entry[]; nextCursor: number | null }> {
  const res = await client.get(`/api/whatsapp/audit?${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('audit entry ids', () => {
  it("are an advisor's own: another advisor's actions leave no trace in them", async () => {
    const ana = await signUpAdvisor(service.url, 'Ana Ids');
    const bea = await signUpAdvisor(service.url, 'Bea Ids');
    await audited(bea.client, 'b1');
    for (const name of ['a1', 'a2', 'a3']) await audited(ana.client, name);
    await audited(bea.client, 'b2');

    const [b2, b1] = (await page(bea.client, 'limit=10')).items;
    expect([b1!.content?.name, b2!.content?.name]).toEqual(['b1', 'b2']);
    // The entries' numbers in the database: three apart, as everyone's sequence ran.
    const stored = await service.database.db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(inArray(auditLog.advisorId, [bea.userId]))
      .orderBy(auditLog.id);
    expect(stored.map((r) => r.id)[1]! - stored.map((r) => r.id)[0]!).toBe(4);
    // What Bea is shown is neither those numbers nor anything with that gap.
    expect([b1!.id, b2!.id]).not.toContain(stored[0]!.id);
    expect([b1!.id, b2!.id]).not.toContain(stored[1]!.id);
    expect(Math.abs(b2!.id - b1!.id)).not.toBe(4);
    expect(Math.abs(b2!.id - b1!.id)).toBeGreaterThan(1_000);
    // And the same entry read again has the same id.
    expect((await page(bea.client, 'limit=10')).items.map((e) => e.id)).toEqual([b2!.id, b1!.id]);
  });

  it('page through the log by the cursor, every entry once, newest first', async () => {
    const cara = await signUpAdvisor(service.url, 'Cara Ids');
    const names = ['c1', 'c2', 'c3', 'c4', 'c5'];
    for (const name of names) await audited(cara.client, name);

    const seen: string[] = [];
    let cursor: number | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const { items, nextCursor } = await page(cara.client, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...items.map((e) => String(e.content?.name)));
      if (nextCursor === null) break;
      expect(nextCursor).toBe(items.at(-1)!.id);
      cursor = nextCursor;
    }
    expect(seen).toEqual([...names].reverse());
  });

  it("give nothing when the cursor is another advisor's id or no id shown at all", async () => {
    const dana = await signUpAdvisor(service.url, 'Dana Ids');
    const eva = await signUpAdvisor(service.url, 'Eva Ids');
    for (const name of ['d1', 'd2']) await audited(dana.client, name);
    await audited(eva.client, 'e1');
    const [d2] = (await page(dana.client, 'limit=1')).items;
    expect((await page(dana.client, `cursor=${d2!.id}`)).items.map((e) => e.content?.name)).toEqual(['d1']);
    // Dana's cursor in Eva's hands names nothing of Eva's.
    expect(await page(eva.client, `cursor=${d2!.id}`)).toEqual({ items: [], nextCursor: null });
    // Past the numbers any id is shown as: an empty page, not an error.
    expect(await page(eva.client, `cursor=${2 ** 52 + 1}`)).toEqual({ items: [], nextCursor: null });
  });
});
