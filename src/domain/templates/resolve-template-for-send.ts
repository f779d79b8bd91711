import {
  findTemplateRowByKey,
  listTemplateRowsByKey,
  type TemplateRow,
} from '../../db/repositories/template.repository.js';
import { AppError } from '../app-error.js';
import { advisorTemplateLanguage } from './advisor-template-language.js';
import { findBuiltinTemplate, isBuiltinTemplateKey, type BuiltinTemplate } from './builtin-templates.js';
import type { TemplateCategory } from './template-category.js';
import type { TemplateContext } from './template-context.js';
import { findOverride, findTemplateById } from './find-template.js';
import { isTemplateLanguage, TEMPLATE_LANGUAGES, type TemplateLanguage } from './template-language.js';
import { validationFailed } from './check-template-draft.js';
import { parseTemplate } from './template-syntax.js';

/**
 * How a sender names a template (API.md, sending: `template: { id } | { key }`). The language is
 * a plain string because it comes straight from the request; anything but a template language is
 * a 422 on `template.language`.
 */
export type TemplateRef = { id: string } | { key: string; language?: string };

export interface TemplateForSend {
  /** The row's id, to store on the message; `null` for a built-in the advisor has not changed. */
  id: string | null;
  key: string;
  body: string;
  variables: string[];
  category: TemplateCategory;
  language: TemplateLanguage;
}

/**
 * The template a send uses, for this advisor only (404 otherwise). The advisor's override always
 * wins over the built-in it replaces, whether the sender names the built-in's id or its key. A key
 * without a language picks the advisor's language (from their locale); when the advisor's own
 * template only exists in other languages, one of them is used rather than failing the send
 * (Spanish first, then English, then Portuguese).
 */
export async function resolveTemplateForSend(
  ctx: TemplateContext,
  advisorId: string,
  ref: TemplateRef,
): Promise<TemplateForSend> {
  if ('id' in ref) {
    const found = await findTemplateById(ctx, advisorId, ref.id);
    if (found.kind === 'row') return fromRow(found.row);
    return fromBuiltinOrOverride(ctx, advisorId, found.template);
  }
  if (ref.language !== undefined && !isTemplateLanguage(ref.language)) {
    throw validationFailed([
      { field: 'template.language', message: `must be one of ${TEMPLATE_LANGUAGES.join(', ')}` },
    ]);
  }
  const language = ref.language ?? (await advisorTemplateLanguage(ctx, advisorId));
  const row = await findTemplateRowByKey(ctx.db, advisorId, ref.key, language);
  if (row) return fromRow(row);
  if (isBuiltinTemplateKey(ref.key)) return fromBuiltin(findBuiltinTemplate(ref.key, language));
  if (!ref.language) {
    // In the built-ins' order, Spanish first (the platform's default), not the database's: by
    // code a pt advisor with the template in es and en would get the English one.
    const [other] = (await listTemplateRowsByKey(ctx.db, advisorId, ref.key)).sort(
      (a, b) => languageRank(a.language) - languageRank(b.language),
    );
    if (other) return fromRow(other);
  }
  throw new AppError(
    'not_found',
    ref.language
      ? `Template "${ref.key}" not found in language "${ref.language}".`
      : `Template "${ref.key}" not found.`,
    { key: ref.key, ...(ref.language ? { language: ref.language } : {}) },
  );
}

async function fromBuiltinOrOverride(
  ctx: TemplateContext,
  advisorId: string,
  template: BuiltinTemplate,
): Promise<TemplateForSend> {
  const override = await findOverride(ctx, advisorId, template);
  return override ? fromRow(override) : fromBuiltin(template);
}

function fromRow(row: TemplateRow): TemplateForSend {
  return {
    id: row.id,
    key: row.key,
    body: row.body,
    variables: row.variables,
    category: row.category as TemplateCategory,
    language: row.language as TemplateLanguage,
  };
}

function fromBuiltin(template: BuiltinTemplate): TemplateForSend {
  return {
    id: null,
    key: template.key,
    body: template.body,
    variables: parseTemplate(template.body).variables,
    category: template.category,
    language: template.language,
  };
}

function languageRank(language: string): number {
  const rank = (TEMPLATE_LANGUAGES as readonly string[]).indexOf(language);
  return rank === -1 ? TEMPLATE_LANGUAGES.length : rank;
}
