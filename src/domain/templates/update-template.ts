import {
  findTemplateRow,
  insertTemplateRow,
  updateTemplateRow,
  type TemplateRow,
} from '../../db/repositories/template.repository.js';
import { AppError, notFound } from '../app-error.js';
import type { BuiltinTemplate } from './builtin-templates.js';
import { checkTemplateDraft, type FieldProblem } from './check-template-draft.js';
import type { TemplateCategory } from './template-category.js';
import type { TemplateContext } from './template-context.js';
import { findOverride, findTemplateById } from './find-template.js';
import { templateUsageCounter } from './template-usage.js';
import { rowTemplateView, type TemplateView } from './template-view.js';

/** What may change; the key and language of a template never do (senders refer to them). */
export interface UpdateTemplateInput {
  name?: string;
  category?: TemplateCategory;
  body?: string;
  customVariables?: readonly string[];
}

/**
 * Edits one of the advisor's templates. Editing a built-in edits the advisor's override of it,
 * creating the override the first time: the built-in itself never changes, for anyone.
 */
export async function updateTemplate(
  ctx: TemplateContext,
  advisorId: string,
  id: string,
  input: UpdateTemplateInput,
): Promise<TemplateView> {
  const found = await findTemplateById(ctx, advisorId, id);
  const row =
    found.kind === 'row'
      ? await updateRow(ctx, advisorId, found.row, input)
      : await editBuiltin(ctx, advisorId, found.template, input);
  const usage = await templateUsageCounter(ctx, advisorId);
  return rowTemplateView(row, usage.ofRow(row));
}

/** How many times an edit is redone on top of edits that keep landing first. */
const MAX_EDIT_ATTEMPTS = 5;

/**
 * Applies the edit to the row as it is in the database. Each write is conditional on the content
 * the edit was computed from: two edits of different fields at once used to write the whole row
 * each, and the later one put back what the other had changed. The loser re-reads and redoes.
 */
async function updateRow(
  ctx: TemplateContext,
  advisorId: string,
  read: TemplateRow,
  input: UpdateTemplateInput,
): Promise<TemplateRow> {
  let row = read;
  for (let attempt = 1; attempt <= MAX_EDIT_ATTEMPTS; attempt++) {
    const updated = await updateTemplateRow(ctx.db, advisorId, row.id, editedContent(row, input), row);
    if (updated) return updated;
    const now = await findTemplateRow(ctx.db, advisorId, row.id);
    if (!now) throw notFound('Template');
    row = now;
  }
  throw new AppError(
    'state_conflict',
    'This template is being edited elsewhere at the same time; try again.',
  );
}

/** The row's content with the edit applied, checked like a new draft. */
function editedContent(row: TemplateRow, input: UpdateTemplateInput) {
  const current = row.category as TemplateCategory;
  const category = input.category ?? current;
  const checked = checkTemplateDraft(
    {
      name: input.name ?? row.name,
      category,
      body: input.body ?? row.body,
      // Leaving the custom category drops the declared variables unless the caller sends some.
      customVariables: input.customVariables ?? (category === 'custom' ? row.customVariables : []),
      overrides: row.overridesBuiltIn ? row.key : null,
    },
    row.overridesBuiltIn ? fixedCategory(current, category) : [],
  );
  return { ...checked, category };
}

async function editBuiltin(
  ctx: TemplateContext,
  advisorId: string,
  template: BuiltinTemplate,
  input: UpdateTemplateInput,
): Promise<TemplateRow> {
  const existing = await findOverride(ctx, advisorId, template);
  if (existing) return updateRow(ctx, advisorId, existing, input);
  const checked = checkTemplateDraft(
    {
      name: input.name ?? template.name,
      category: template.category,
      body: input.body ?? template.body,
      customVariables: input.customVariables ?? [],
      overrides: template.key,
    },
    fixedCategory(template.category, input.category ?? template.category),
  );
  const inserted = await insertTemplateRow(ctx.db, advisorId, {
    key: template.key,
    language: template.language,
    category: template.category,
    overridesBuiltIn: true,
    ...checked,
  });
  if (inserted) return inserted;
  // A concurrent edit created the override first: apply this edit on top of it.
  const raced = await findOverride(ctx, advisorId, template);
  if (!raced) throw notFound('Template');
  return updateRow(ctx, advisorId, raced, input);
}

/** The automation sends a built-in key for one purpose, so an override keeps the built-in's category. */
function fixedCategory(expected: TemplateCategory, requested: TemplateCategory): FieldProblem[] {
  return requested === expected
    ? []
    : [{ field: 'category', message: `must stay "${expected}": this template replaces a built-in` }];
}
