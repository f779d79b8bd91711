// whatsapp_template rows (advisors' own templates and their overrides of the built-ins, which live
// in code) and template usage counted from whatsapp_message. Every function takes the advisor id
// right after the database (STYLE.md, tenancy).
import { and, asc, count, eq, isNotNull, notInArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { whatsappMessage, whatsappTemplate } from '../schema/index.js';

export type TemplateRow = typeof whatsappTemplate.$inferSelect;
export type NewTemplate = Pick<
  typeof whatsappTemplate.$inferInsert,
  'key' | 'name' | 'category' | 'language' | 'body' | 'variables' | 'customVariables' | 'overridesBuiltIn'
>;
export type TemplatePatch = Partial<
  Pick<typeof whatsappTemplate.$inferInsert, 'name' | 'category' | 'body' | 'variables' | 'customVariables'>
>;

/** Outbound messages in these statuses never reached (and never will reach) the client. */
const NOT_USAGE_STATUSES = ['failed', 'cancelled', 'skipped'];

export async function listTemplateRows(db: DbOrTx, advisorId: string): Promise<TemplateRow[]> {
  return db
    .select()
    .from(whatsappTemplate)
    .where(eq(whatsappTemplate.advisorId, advisorId))
    .orderBy(asc(whatsappTemplate.createdAt), asc(whatsappTemplate.id));
}

/** `id` must be a well-formed uuid: Postgres rejects anything else with an error, not an empty result. */
export async function findTemplateRow(
  db: DbOrTx,
  advisorId: string,
  id: string,
): Promise<TemplateRow | null> {
  const [row] = await db
    .select()
    .from(whatsappTemplate)
    .where(and(eq(whatsappTemplate.advisorId, advisorId), eq(whatsappTemplate.id, id)))
    .limit(1);
  return row ?? null;
}

export async function findTemplateRowByKey(
  db: DbOrTx,
  advisorId: string,
  key: string,
  language: string,
): Promise<TemplateRow | null> {
  const [row] = await db
    .select()
    .from(whatsappTemplate)
    .where(
      and(
        eq(whatsappTemplate.advisorId, advisorId),
        eq(whatsappTemplate.key, key),
        eq(whatsappTemplate.language, language),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** The advisor's templates with this key, in every language. */
export async function listTemplateRowsByKey(
  db: DbOrTx,
  advisorId: string,
  key: string,
): Promise<TemplateRow[]> {
  return db
    .select()
    .from(whatsappTemplate)
    .where(and(eq(whatsappTemplate.advisorId, advisorId), eq(whatsappTemplate.key, key)))
    .orderBy(asc(whatsappTemplate.language));
}

/** The row, or `null` when the advisor already has a template with that key and language. */
export async function insertTemplateRow(
  db: DbOrTx,
  advisorId: string,
  values: NewTemplate,
): Promise<TemplateRow | null> {
  const [row] = await db
    .insert(whatsappTemplate)
    .values({ ...values, advisorId })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

/** The editable content of a row as an edit read it. */
export type TemplateContent = Pick<TemplateRow, 'name' | 'category' | 'body' | 'customVariables'>;

/**
 * Writes the patch; null when the advisor has no such template or, with `readAs`, when its content
 * is no longer what the edit was computed from (another edit landed in between: re-read, redo).
 */
export async function updateTemplateRow(
  db: DbOrTx,
  advisorId: string,
  id: string,
  patch: TemplatePatch,
  readAs?: TemplateContent,
): Promise<TemplateRow | null> {
  const [row] = await db
    .update(whatsappTemplate)
    .set({ ...patch, updatedAt: new Date() })
    .where(
      and(
        eq(whatsappTemplate.advisorId, advisorId),
        eq(whatsappTemplate.id, id),
        ...(readAs
          ? [
              eq(whatsappTemplate.name, readAs.name),
              eq(whatsappTemplate.category, readAs.category),
              eq(whatsappTemplate.body, readAs.body),
              sql`${whatsappTemplate.customVariables} = ${JSON.stringify(readAs.customVariables)}::jsonb`,
            ]
          : []),
      ),
    )
    .returning();
  return row ?? null;
}

/** The deleted row, or `null` when the advisor has no such template. */
export async function deleteTemplateRow(
  db: DbOrTx,
  advisorId: string,
  id: string,
): Promise<TemplateRow | null> {
  const [row] = await db
    .delete(whatsappTemplate)
    .where(and(eq(whatsappTemplate.advisorId, advisorId), eq(whatsappTemplate.id, id)))
    .returning();
  return row ?? null;
}

export interface TemplateUsage {
  /** Messages sent from one of the advisor's rows (own templates and overrides), by row id. */
  byTemplateId: Map<string, number>;
  /**
   * Messages that name a template key but no row of the advisor's: sent from an untouched
   * built-in, or from a row since deleted (an override removed, whose messages then count on the
   * built-in it stood for), by key and then by language. Messages written before migration 0007
   * do not record the language: they are under `null`.
   */
  byKeyWithoutId: Map<string, Map<string | null, number>>;
}

/**
 * A scheduled message has not used its template yet: a reminder booked for next month is counted
 * when it goes out (and never, if the appointment is cancelled first).
 */
const NOT_YET_USAGE_STATUSES = [...NOT_USAGE_STATUSES, 'scheduled'];

export async function countTemplateUsage(db: DbOrTx, advisorId: string): Promise<TemplateUsage> {
  // A message whose template row is gone (an override removed) counts on its key: the join keeps
  // only ids that still name one of the advisor's templates.
  const rows = await db
    .select({
      templateId: whatsappTemplate.id,
      templateKey: whatsappMessage.templateKey,
      language: whatsappMessage.templateLanguage,
      n: count(),
    })
    .from(whatsappMessage)
    .leftJoin(
      whatsappTemplate,
      and(eq(whatsappTemplate.id, whatsappMessage.templateId), eq(whatsappTemplate.advisorId, advisorId)),
    )
    .where(
      and(
        eq(whatsappMessage.advisorId, advisorId),
        eq(whatsappMessage.direction, 'outbound'),
        notInArray(whatsappMessage.status, NOT_YET_USAGE_STATUSES),
        or(isNotNull(whatsappMessage.templateId), isNotNull(whatsappMessage.templateKey)),
      ),
    )
    .groupBy(whatsappTemplate.id, whatsappMessage.templateKey, whatsappMessage.templateLanguage);
  const usage: TemplateUsage = { byTemplateId: new Map(), byKeyWithoutId: new Map() };
  for (const { templateId, templateKey, language, n } of rows) {
    if (templateId) usage.byTemplateId.set(templateId, (usage.byTemplateId.get(templateId) ?? 0) + n);
    else if (templateKey) {
      const byLanguage = usage.byKeyWithoutId.get(templateKey) ?? new Map<string | null, number>();
      byLanguage.set(language, (byLanguage.get(language) ?? 0) + n);
      usage.byKeyWithoutId.set(templateKey, byLanguage);
    }
  }
  return usage;
}
