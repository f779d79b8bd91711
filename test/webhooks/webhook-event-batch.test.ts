// The group commit's insert: one statement for a batch of webhook events from several advisors,
// whose ids must come back in the order of the rows (each id is enqueued with its row's advisor,
// and processing reads the event scoped by that advisor).
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertWebhookEvents } from '../../src/db/repositories/webhook-event.repository.js';
import { user, webhookEvent } from '../../src/db/schema/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  for (const id of ['adv-a', 'adv-b', 'adv-c']) {
    await database.db.insert(user).values({ id, name: id, email: `${id}@example.test` });
  }
});
afterAll(async () => {
  await database?.destroy();
});

describe('insertWebhookEvents', () => {
  it('stores a mixed batch in one go and returns each row its own id, in order', async () => {
    const advisors = ['adv-a', 'adv-b', 'adv-c'];
    const rows = Array.from({ length: 250 }, (_, i) => ({
      advisorId: advisors[(i * 7) % 3]!,
      event: i % 2 ? 'messages.upsert' : 'messages.update',
      payload: {
        n: i,
        text: `mensaje ${i} — “comillas” y 'apóstrofos' \\ barra`,
        nested: { list: [i, null] },
      },
      receivedAt: new Date(Date.UTC(2026, 10, 30, 9, 0, 0, i)),
    }));
    const ids = await insertWebhookEvents(database.db, rows);
    expect(ids).toHaveLength(rows.length);
    expect(new Set(ids).size).toBe(rows.length);
    const stored = await database.db.select().from(webhookEvent).where(inArray(webhookEvent.id, ids));
    const byId = new Map(stored.map((r) => [r.id, r]));
    ids.forEach((id, i) => {
      const row = byId.get(id)!;
      expect(row.advisorId).toBe(rows[i]!.advisorId);
      expect(row.event).toBe(rows[i]!.event);
      expect(row.payload).toEqual(rows[i]!.payload);
      expect(row.receivedAt.getTime()).toBe(rows[i]!.receivedAt.getTime());
      expect(row.processedAt).toBeNull();
    });
  });

  it('does nothing for an empty batch', async () => {
    const before = await database.db.select().from(webhookEvent).where(eq(webhookEvent.advisorId, 'adv-c'));
    expect(await insertWebhookEvents(database.db, [])).toEqual([]);
    const after = await database.db.select().from(webhookEvent).where(eq(webhookEvent.advisorId, 'adv-c'));
    expect(after.length).toBe(before.length);
  });
});
