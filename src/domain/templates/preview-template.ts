import type { TemplateContext } from './template-context.js';
import { withAdvisorName } from './advisor-name-variable.js';
import { resolveTemplateForSend } from './resolve-template-for-send.js';
import { parseTemplate, renderTemplate, type TemplateValues } from './template-syntax.js';

export interface TemplatePreview {
  text: string;
  /** Variables the template uses that got no (or a blank) value: they stay as `{name}` in the text. */
  missing: string[];
  /** Supplied values the template does not use, usually a misspelt variable name. */
  unknown: string[];
  /**
   * The text's length as a send counts it against WhatsApp's limits (4,096 for a text message,
   * 1,024 for a caption): a caller can tell from the preview that the send would be refused.
   */
  length: number;
}

export async function previewTemplate(
  ctx: TemplateContext,
  advisorId: string,
  id: string,
  values: TemplateValues,
): Promise<TemplatePreview> {
  // The body a send by this id would use: a built-in's id previews the advisor's override of it,
  // as sending by that id sends the override (it used to preview the original text).
  const { body } = await resolveTemplateForSend(ctx, advisorId, { id });
  const used = parseTemplate(body).variables;
  // As a send fills it: the account's name when the caller leaves {nombre_asesor} out.
  const { text, missing } = renderTemplate(body, await withAdvisorName(ctx, advisorId, used, values));
  const unknown = Object.keys(values).filter((name) => !used.includes(name));
  return { text, missing, unknown, length: text.length };
}
