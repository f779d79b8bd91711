import { findAdvisorName } from '../../db/repositories/advisor.repository.js';
import type { TemplateContext } from './template-context.js';
import type { TemplateValues } from './template-syntax.js';

/**
 * `{nombre_asesor}` is the account's own name unless the caller gives another: a manual send of
 * the confirmation template failed with 422 for want of a name the service has (the automation
 * already fills it from there). Read only when the template uses it and the caller left it out or
 * blank. Shared by the send and the preview, so the preview shows the text the client gets.
 */
export async function withAdvisorName<Values extends TemplateValues>(
  ctx: Pick<TemplateContext, 'db'>,
  advisorId: string,
  templateVariables: readonly string[],
  values: Values,
): Promise<Values> {
  if (values.nombre_asesor?.trim() || !templateVariables.includes('nombre_asesor')) return values;
  const name = (await findAdvisorName(ctx.db, advisorId))?.trim();
  return name ? { ...values, nombre_asesor: name } : values;
}
