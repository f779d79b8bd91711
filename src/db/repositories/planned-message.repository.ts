// The appointment automation's messages that have not gone out yet, as a template edit, a change
// of locale or of the advisor's name sees them: found by the template they were rendered from (or
// all of them), and rewritten only while still waiting. Every
// function takes the advisor id right after the database (STYLE.md, tenancy).
import { and, eq, getTableColumns, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { appointment, whatsappMessage } from '../schema/index.js';
import type { AppointmentRow } from './appointment.repository.js';
import { cancellable, type MessageRow } from './message.repository.js';

/**
 * Serialises the advisor's template edits with the transactions that plan appointment messages:
 * `plan` (shared) is taken first by every appointment transaction, `edit` (exclusive) by a template
 * edit before it changes the template (and by a change of locale or name, which changes the words
 * as much). Without it a booking that read the old template and
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

export interface PlannedMessage {
  message: MessageRow;
  /** Null when the appointment is gone. */
  appointment: AppointmentRow | null;
}

/**
 * The advisor's automated appointment messages that are still waiting and may be rewritten:
 * `scheduled` or `queued`, and not awaiting the echo of an attempt that may have reached the
 * client (`cancellable`'s rule); only those rendered from this template key and language when one
 * is given (a template edit), every one otherwise (a change of locale or name, which every planned
 * message may say differently). Each comes with its appointment, read in the same statement: one
 * lookup per message made an advisor's thousands of planned reminders thousands of round trips
 * under the template lock.
 */
export async function listPlannedMessages(
  db: DbOrTx,
  advisorId: string,
  template: { key: string; language: string } | 'any',
  now: Date,
): Promise<PlannedMessage[]> {
  const m = whatsappMessage;
  return db
    .select({ message: m, appointment })
    .from(m)
    .leftJoin(appointment, and(eq(appointment.advisorId, m.advisorId), eq(appointment.id, m.appointmentId)))
    .where(
      and(
        eq(m.advisorId, advisorId),
        eq(m.source, 'automation'),
        isNotNull(m.appointmentId),
        template === 'any' ? undefined : eq(m.templateKey, template.key),
        template === 'any' ? undefined : eq(m.templateLanguage, template.language),
        cancellable(now),
      ),
    )
    .orderBy(m.id);
}

/** The planned messages a template edit may change (listPlannedMessages for one template). */
export const listPlannedFromTemplate = (
  db: DbOrTx,
  advisorId: string,
  template: { key: string; language: string },
  now: Date,
): Promise<PlannedMessage[]> => listPlannedMessages(db, advisorId, template, now);

export interface RenderedContent {
  text: string;
  templateId: string | null;
  templateKey: string;
  templateLanguage: string;
}

/**
 * Rewrites planned messages' words in one statement; answers the rows written, in the order
 * given, leaving out those no longer waiting (`cancellable` at `now`, the wall clock the worker
 * sets an attempt's echo wait by). Conditional like the worker's claim, so a row the worker
 * claimed (`sending`) first is never changed, and a claim that comes after this write sends the
 * new words. The caller bounds the batch (the arrays travel as five parameters, whatever their
 * length).
 */
export async function rewritePlannedMessages(
  db: DbOrTx,
  advisorId: string,
  rewrites: { id: string; content: RenderedContent }[],
  now: Date,
): Promise<MessageRow[]> {
  if (rewrites.length === 0) return [];
  const m = whatsappMessage;
  // One parameter per column (sql.param): a bare array would become a list of parameters.
  const column = <K extends keyof RenderedContent>(key: K) => sql.param(rewrites.map((r) => r.content[key]));
  const rows = await db
    .update(m)
    .set({
      text: sql`planned.text`,
      templateId: sql`planned.template_id`,
      templateKey: sql`planned.template_key`,
      templateLanguage: sql`planned.template_language`,
      updatedAt: new Date(),
    })
    .from(
      sql`unnest(${sql.param(rewrites.map((r) => r.id))}::uuid[], ${column('text')}::text[],
        ${column('templateId')}::uuid[], ${column('templateKey')}::text[],
        ${column('templateLanguage')}::text[]) as planned(id, text, template_id, template_key, template_language)`,
    )
    .where(and(eq(m.advisorId, advisorId), sql`${m.id} = planned.id`, cancellable(now)))
    .returning(getTableColumns(m));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return rewrites.flatMap((r) => byId.get(r.id) ?? []);
}
