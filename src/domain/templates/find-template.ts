import {
  findTemplateRow,
  findTemplateRowByKey,
  type TemplateRow,
} from '../../db/repositories/template.repository.js';
import { notFound } from '../app-error.js';
import { findBuiltinTemplate, type BuiltinTemplate } from './builtin-templates.js';
import type { TemplateContext } from './template-context.js';
import { parseTemplateId, type TemplateId } from './template-id.js';

export type FoundTemplate =
  { kind: 'row'; row: TemplateRow } | { kind: 'builtin'; template: BuiltinTemplate };

/** Parses an id from the API; any shape that is not a template id is simply not found. */
export function parseTemplateIdOrThrow(id: string): TemplateId {
  const parsed = parseTemplateId(id);
  if (!parsed) throw notFound('Template');
  return parsed;
}

/**
 * The template an id names, for this advisor only: another advisor's row is not found, exactly
 * like a row that does not exist. A built-in id names the original built-in, even when the
 * advisor has an override of it (the override has an id of its own).
 */
export async function findTemplateById(
  ctx: TemplateContext,
  advisorId: string,
  id: string,
): Promise<FoundTemplate> {
  const parsed = parseTemplateIdOrThrow(id);
  if (parsed.kind === 'builtin') {
    return { kind: 'builtin', template: findBuiltinTemplate(parsed.key, parsed.language) };
  }
  const row = await findTemplateRow(ctx.db, advisorId, parsed.id);
  if (!row) throw notFound('Template');
  return { kind: 'row', row };
}

/** The advisor's override of a built-in, if any. */
export async function findOverride(
  ctx: TemplateContext,
  advisorId: string,
  template: BuiltinTemplate,
): Promise<TemplateRow | null> {
  const row = await findTemplateRowByKey(ctx.db, advisorId, template.key, template.language);
  return row?.overridesBuiltIn ? row : null;
}
