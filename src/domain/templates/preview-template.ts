import type { TemplateContext } from './template-context.js';
import { findTemplateById } from './find-template.js';
import { parseTemplate, renderTemplate, type TemplateValues } from './template-syntax.js';

export interface TemplatePreview {
  text: string;
  /** Variables the template uses that got no (or a blank) value: they stay as `{name}` in the text. */
  missing: string[];
  /** Supplied values the template does not use, usually a misspelt variable name. */
  unknown: string[];
}

export async function previewTemplate(
  ctx: TemplateContext,
  advisorId: string,
  id: string,
  values: TemplateValues,
): Promise<TemplatePreview> {
  const found = await findTemplateById(ctx, advisorId, id);
  const body = found.kind === 'row' ? found.row.body : found.template.body;
  const used = new Set(parseTemplate(body).variables);
  const { text, missing } = renderTemplate(body, values);
  return { text, missing, unknown: Object.keys(values).filter((name) => !used.has(name)) };
}
