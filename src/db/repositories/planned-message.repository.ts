// The appointment automation's messages that have not gone out yet, as a template edit sees them:
// found by the template they were rendered from, and rewritten only while still waiting. Every
// function takes the advisor id right after the database (STYLE.md, tenancy).
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { whatsappMessage } from '../schema/index.js';
import { cancellable, type MessageRow } from './message.repository.js';

/**
 * Serialises the advisor's template edits with the transactions that plan appointment messages:
 * `plan` (shared) is taken first by every appointment transaction, `edit` (exclusive) by a template
 * edit before it changes the template. Without it a booking that read the old template and
 * committed after the edit had looked for planned messages kept the old words. Held to the end of
 * the transaction. Taken first on both sides, so it adds no lock-order cycle with the rows they
 * lock afterwards.
 */
export async function lockAdvisorTemplates(db: DbOrTx, advisorId: string, mode: 'plan' | 'edit') {
  const key = sql`hashtext(${`templates:${advisorId}`})`;
  await db.execute(
    mode === 'edit'
      ? sql`select pg_advisory_xact_lock(${key})`
      : sql`select pg_advisory_xact_lock_shared(${key})`,
  );
}

/**
 * The advisor's automated appointment messages rendered from this template key and language that
 * are still waiting and may be rewritten: `scheduled` or `queued`, and not awaiting the echo of an
 * attempt that may have reached the client (`cancellable`'s rule).
 */
export async function listPlannedFromTemplate(
  db: DbOrTx,
  advisorId: string,
  template: { key: string; language: string },
  now: Date,
): Promise<MessageRow[]> {
  const m = whatsappMessage;
  return db
    .select()
    .from(m)
    .where(
      and(
        eq(m.advisorId, advisorId),
        eq(m.source, 'automation'),
        isNotNull(m.appointmentId),
        eq(m.templateKey, template.key),
        eq(m.templateLanguage, template.language),
        cancellable(now),
      ),
    );
}

export interface RenderedContent {
  text: string;
  templateId: string | null;
  templateKey: string;
  templateLanguage: string;
}

/**
 * Rewrites a planned message's words; null when it is no longer waiting (`cancellable` at `now`,
 * the wall clock the worker sets an attempt's echo wait by). Conditional like the
 * worker's claim, so a row the worker claimed (`sending`) first is never changed, and a claim that
 * comes after this write sends the new words.
 */
export async function rewritePlannedMessage(
  db: DbOrTx,
  advisorId: string,
  id: string,
  content: RenderedContent,
  now: Date,
): Promise<MessageRow | null> {
  const m = whatsappMessage;
  const [row] = await db
    .update(m)
    .set({ ...content, updatedAt: new Date() })
    .where(and(eq(m.advisorId, advisorId), eq(m.id, id), cancellable(now)))
    .returning();
  return row ?? null;
}
