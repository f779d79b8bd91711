import { findConfig } from '../../db/repositories/whatsapp-config.repository.js';
import { readSettings } from '../instances/advisor-settings.js';
import type { TemplateContext } from './template-context.js';
import { templateLanguageForLocale, type TemplateLanguage } from './template-language.js';

/** The language an advisor's messages use when a caller names a template key without one. */
export async function advisorTemplateLanguage(
  ctx: TemplateContext,
  advisorId: string,
): Promise<TemplateLanguage> {
  // Reading only: an advisor without a configuration row yet has the default settings.
  const row = await findConfig(ctx.db, advisorId);
  return templateLanguageForLocale(readSettings(row?.settings ?? {}, ctx.bounds).locale);
}
