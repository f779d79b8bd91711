import { countTemplateUsage, type TemplateRow } from '../../db/repositories/template.repository.js';
import { advisorTemplateLanguage } from './advisor-template-language.js';
import type { BuiltinTemplate } from './builtin-templates.js';
import type { TemplateContext } from './template-context.js';

export interface TemplateUsageCounter {
  ofRow(row: TemplateRow): number;
  ofBuiltin(template: BuiltinTemplate): number;
}

/**
 * How many outbound messages (not scheduled, failed, cancelled or skipped) each of the advisor's
 * templates produced. A row counts the messages sent from it by id. An untouched built-in has no
 * id in the messages, so it counts the messages of its key in its language. Messages written
 * before their language was recorded (migration 0007) are counted on the built-in in the
 * advisor's current language (the one a send by key picks), rather than twice.
 */
export async function templateUsageCounter(
  ctx: TemplateContext,
  advisorId: string,
): Promise<TemplateUsageCounter> {
  const usage = await countTemplateUsage(ctx.db, advisorId);
  const language = await advisorTemplateLanguage(ctx, advisorId);
  return {
    ofRow: (row) => usage.byTemplateId.get(row.id) ?? 0,
    ofBuiltin: (template) => {
      const byLanguage = usage.byKeyWithoutId.get(template.key);
      const unrecorded = template.language === language ? (byLanguage?.get(null) ?? 0) : 0;
      return (byLanguage?.get(template.language) ?? 0) + unrecorded;
    },
  };
}
