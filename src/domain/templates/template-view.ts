import type { TemplateRow } from '../../db/repositories/template.repository.js';
import type { BuiltinTemplate } from './builtin-templates.js';
import type { TemplateCategory } from './template-category.js';
import { builtinTemplateId } from './template-id.js';
import type { TemplateLanguage } from './template-language.js';
import { parseTemplate } from './template-syntax.js';
import { unfillableByAutomation } from './template-variables.js';

/** A template as the API shows it (API.md, "Templates"). */
export interface TemplateView {
  id: string;
  key: string;
  name: string;
  category: TemplateCategory;
  language: TemplateLanguage;
  body: string;
  variables: string[];
  customVariables: string[];
  /** True only for an untouched built-in, which lives in code. */
  builtIn: boolean;
  /** True for the advisor's own version of a built-in, which replaces it for that advisor. */
  overridesBuiltIn: boolean;
  usageCount: number;
  /**
   * Built-in variables the appointment automation has no value for when it sends this template (a
   * built-in, or the advisor's version of one): saving a body that uses one is 422.
   */
  unfillableVariables: string[];
  /** `null` for built-ins. */
  createdAt: Date | null;
  updatedAt: Date | null;
}

export function builtinTemplateView(template: BuiltinTemplate, usageCount: number): TemplateView {
  return {
    id: builtinTemplateId(template.key, template.language),
    key: template.key,
    name: template.name,
    category: template.category,
    language: template.language,
    body: template.body,
    variables: parseTemplate(template.body).variables,
    customVariables: [],
    builtIn: true,
    overridesBuiltIn: false,
    usageCount,
    unfillableVariables: [...unfillableByAutomation(template.key)],
    createdAt: null,
    updatedAt: null,
  };
}

/** Rows are only ever written through the rules in this folder, so their category and language are valid. */
export function rowTemplateView(row: TemplateRow, usageCount: number): TemplateView {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    category: row.category as TemplateCategory,
    language: row.language as TemplateLanguage,
    body: row.body,
    variables: row.variables,
    customVariables: row.customVariables,
    builtIn: false,
    overridesBuiltIn: row.overridesBuiltIn,
    usageCount,
    unfillableVariables: row.overridesBuiltIn ? [...unfillableByAutomation(row.key)] : [],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
