import { countTemplateUsage, type TemplateRow } from '../../db/repositories/template.repository.js';
import { advisorTemplateLanguage } from './advisor-template-language.js';
import type { BuiltinTemplate } from './builtin-templates.js';
import type { TemplateContext } from './template-context.js';

export interface TemplateUsageCounter {
  ofRow(row: TemplateRow): number;
  ofBuiltin(template: BuiltinTemplate): number;
}

/**
 * How many outbound messages (not failed, cancelled or skipped) each of the advisor's templates
 * produced. A row counts the messages sent from it by id. An untouched built-in has no id in the
 * messages and messages do not record a language, so its count is shown on the built-in in the
 * advisor's current language (the one a send by key picks) and the other language shows 0, rather
 * than counting the same messages twice.
 */
export async function templateUsageCounter(
  ctx: TemplateContext,
  advisorId: string,
): Promise<TemplateUsageCounter> {
  const usage = await countTemplateUsage(ctx.db, advisorId);
  const language = await advisorTemplateLanguage(ctx, advisorId);
  return {
    ofRow: (row) => usage.byTemplateId.get(row.id) ?? 0,
    ofBuiltin: (template) =>
      template.language === language ? (usage.byKeyWithoutId.get(template.key) ?? 0) : 0,
  };
}
