import { listTemplateRows, type TemplateRow } from '../../db/repositories/template.repository.js';
import { BUILTIN_TEMPLATES } from './builtin-templates.js';
import type { TemplateContext } from './template-context.js';
import { templateUsageCounter } from './template-usage.js';
import { builtinTemplateView, rowTemplateView, type TemplateView } from './template-view.js';

/**
 * The advisor's templates: every built-in in every language, each replaced in place by the
 * advisor's override when there is one, then the advisor's own templates, oldest first.
 */
export async function listTemplates(ctx: TemplateContext, advisorId: string): Promise<TemplateView[]> {
  const rows = await listTemplateRows(ctx.db, advisorId);
  const usage = await templateUsageCounter(ctx, advisorId);
  const slot = (key: string, language: string) => `${key}\u0000${language}`;
  const overrides = new Map<string, TemplateRow>();
  for (const row of rows) if (row.overridesBuiltIn) overrides.set(slot(row.key, row.language), row);

  const placed = new Set<string>();
  const builtIns = BUILTIN_TEMPLATES.map((template) => {
    const override = overrides.get(slot(template.key, template.language));
    if (!override) return builtinTemplateView(template, usage.ofBuiltin(template));
    placed.add(override.id);
    return rowTemplateView(override, usage.ofRow(override));
  });
  // An override whose built-in no longer exists is still the advisor's template: it stays listed.
  const own = rows.filter((row) => !placed.has(row.id)).map((row) => rowTemplateView(row, usage.ofRow(row)));
  return [...builtIns, ...own];
}
