import { insertTemplateRow } from '../../db/repositories/template.repository.js';
import { AppError } from '../app-error.js';
import { findBuiltinTemplate, isBuiltinTemplateKey } from './builtin-templates.js';
import { checkTemplateDraft, templateKeyProblems, type FieldProblem } from './check-template-draft.js';
import type { TemplateCategory } from './template-category.js';
import type { TemplateContext } from './template-context.js';
import { builtinTemplateId } from './template-id.js';
import type { TemplateLanguage } from './template-language.js';
import { rowTemplateView, type TemplateView } from './template-view.js';

export interface CreateTemplateInput {
  key: string;
  name: string;
  category: TemplateCategory;
  language: TemplateLanguage;
  body: string;
  customVariables?: readonly string[];
  /**
   * Must be true to create an override of a built-in key, so that a template that merely happens
   * to be named like a built-in never silently replaces what the appointment automation sends.
   */
  overridesBuiltIn?: boolean;
}

export async function createTemplate(
  ctx: TemplateContext,
  advisorId: string,
  input: CreateTemplateInput,
): Promise<TemplateView> {
  const overridesBuiltIn = input.overridesBuiltIn ?? false;
  const checked = checkTemplateDraft(
    {
      name: input.name,
      category: input.category,
      body: input.body,
      customVariables: input.customVariables ?? [],
      overrides: overridesBuiltIn ? input.key : null,
    },
    keyProblems(input, overridesBuiltIn),
  );
  const row = await insertTemplateRow(ctx.db, advisorId, {
    key: input.key,
    name: checked.name,
    category: input.category,
    language: input.language,
    body: checked.body,
    variables: checked.variables,
    customVariables: checked.customVariables,
    overridesBuiltIn,
  });
  if (!row) {
    throw new AppError(
      'conflict',
      `You already have a template with key "${input.key}" in language "${input.language}": edit that one instead.`,
      { key: input.key, language: input.language },
    );
  }
  return rowTemplateView(row, 0);
}

function keyProblems(input: CreateTemplateInput, overridesBuiltIn: boolean): FieldProblem[] {
  const problems = templateKeyProblems(input.key);
  if (problems.length > 0) return problems;
  if (!isBuiltinTemplateKey(input.key)) {
    return overridesBuiltIn
      ? [{ field: 'overridesBuiltIn', message: `"${input.key}" is not a built-in template key` }]
      : [];
  }
  if (!overridesBuiltIn) {
    const id = builtinTemplateId(input.key, input.language);
    return [
      {
        field: 'key',
        message: `"${input.key}" is a built-in template: edit it (PUT /api/whatsapp/templates/${id}) or send overridesBuiltIn: true to replace it with your own`,
      },
    ];
  }
  const builtin = findBuiltinTemplate(input.key, input.language);
  return input.category === builtin.category
    ? []
    : [
        {
          field: 'category',
          message: `must be "${builtin.category}", the category of the built-in it overrides`,
        },
      ];
}
