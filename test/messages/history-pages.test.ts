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

describe('hand-made cursors', () => {
  const cursor = (text: string) => Buffer.from(text).toString('base64url');
  const id = '01c5a38f-442b-4b6c-85fb-160294b86983';
  // Each of these decoded to something JavaScript accepts and PostgreSQL refuses (a 500 before).
  const crafted = [
    cursor(`+275760-09-13T00:00:00Z|${id}`),
    cursor(`-100000-01-01T00:00:00Z|${id}`),
    cursor(`2026-12-01T10:13:58.869Z|${'-'.repeat(36)}`),
    cursor(`2026-12-01T10:13:58.869Z|${'g'.repeat(36)}`),
    cursor(`2026-12-01|${id}`),
    cursor(`+275760-09-13T00:00:00.000Z|+34612345678`),
  ];

  it.each([
    '/api/whatsapp/messages',
    `/api/whatsapp/conversations/${encodeURIComponent('+34612345678')}/messages`,
    '/api/whatsapp/conversations',
    '/api/appointments',
  ])('answers every one with 400 invalid_request on %s', async (path) => {
    const { client } = await signUpAdvisor(service.url, 'Cursor');
    for (const c of crafted) {
      const res = await client.get(`${path}?cursor=${c}`);
      expect(res.status, Buffer.from(c, 'base64url').toString()).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_request',
        details: { fields: [{ field: 'cursor' }] },
      });
    }
  });
});
