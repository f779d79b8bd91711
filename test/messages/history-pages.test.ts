// Cursor pagination must hand out every message exactly once, including rows that share their
// creation instant: a booking writes its confirmation, reminder and follow-up in one statement,
// so PostgreSQL gives all three the same now(). JavaScript dates keep milliseconds only, so a
// cursor built from a microsecond timestamp used to skip the rest of such a group.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappClient, whatsappMessage } from '../../src/db/schema/index.js';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    env: { EVOLUTION_API_URL: 'http://127.0.0.1:9', EVOLUTION_API_KEY: 'unused' },
  });
});
afterAll(async () => {
  await service?.close();
});

async function allPages(client: Awaited<ReturnType<typeof signUpAdvisor>>['client'], path: string) {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } =
      await client.get(`${path}${sep}limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    ids.push(...page.body.items.map((m) => m.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids;
}

describe('history pages', () => {
  it('hands out every message once when several share a sub-millisecond creation time', async () => {
    const { client, userId } = await signUpAdvisor(service.url, 'Ana');
    const phone = '+34612345678';
    await service.database.db.insert(whatsappClient).values({ advisorId: userId, phone });
    // One statement: every row gets the same now(), microseconds included.
    const rows = await service.database.db
      .insert(whatsappMessage)
      .values(
        Array.from({ length: 5 }, (_, i) => ({
          advisorId: userId,
          direction: 'outbound',
          phone,
          text: `mensaje ${i}`,
          status: 'sent',
          createdAt: sql`now() + interval '123 microseconds'`,
        })),
      )
      .returning({ id: whatsappMessage.id });
    const expected = rows.map((r) => r.id).sort();

    const history = await allPages(client, '/api/whatsapp/messages');
    expect([...history].sort()).toEqual(expected);
    const conversation = await allPages(
      client,
      `/api/whatsapp/conversations/${encodeURIComponent(phone)}/messages`,
    );
    expect([...conversation].sort()).toEqual(expected);
  });
});
