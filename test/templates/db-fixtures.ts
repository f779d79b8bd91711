// Direct-to-database fixtures for the template use case and repository tests: advisors as bare
// user rows (no HTTP, no password hashing), their settings, and messages naming templates.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client.js';
import { user, whatsappConfig, whatsappMessage } from '../../src/db/schema/index.js';
import type { TemplateContext } from '../../src/domain/templates/index.js';

export function templateContext(db: Db): TemplateContext {
  return { db, bounds: { rateLimit: { max: 20, durationMs: 60_000, maxCeiling: 100 } } };
}

export async function createAdvisor(db: Db, settings: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  await db.insert(user).values({ id, name: 'Asesora', email: `${id}@example.test` });
  await db.insert(whatsappConfig).values({ advisorId: id, publicSlug: `s-${id}`, settings });
  return id;
}

export async function insertMessages(
  db: Db,
  advisorId: string,
  rows: Partial<typeof whatsappMessage.$inferInsert>[],
): Promise<void> {
  await db
    .insert(whatsappMessage)
    .values(rows.map((values) => ({ advisorId, direction: 'outbound', status: 'sent', ...values })));
}
