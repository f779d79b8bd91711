import type { TemplateContext } from './template-context.js';
import { findTemplateById } from './find-template.js';
import { templateUsageCounter } from './template-usage.js';
import { builtinTemplateView, rowTemplateView, type TemplateView } from './template-view.js';

/** One template by id: a row of the advisor's, or a built-in as shipped (see findTemplateById). */
export async function getTemplate(
  ctx: TemplateContext,
  advisorId: string,
  id: string,
): Promise<TemplateView> {
  const found = await findTemplateById(ctx, advisorId, id);
  const usage = await templateUsageCounter(ctx, advisorId);
  return found.kind === 'row'
    ? rowTemplateView(found.row, usage.ofRow(found.row))
    : builtinTemplateView(found.template, usage.ofBuiltin(found.template));
}
