import { AppError } from '../app-error.js';
import type { TemplateCategory } from './template-category.js';
import { isVariableName } from './template-syntax.js';
import { allowedVariablesFor, BUILTIN_VARIABLE_NAMES, unfillableByAutomation } from './template-variables.js';
import { validateTemplate, WHATSAPP_TEXT_MAX_LENGTH } from './validate-template.js';

export const TEMPLATE_KEY_MAX_LENGTH = 64;
export const TEMPLATE_NAME_MAX_LENGTH = 100;
export const CUSTOM_VARIABLES_MAX = 20;
export const VARIABLE_NAME_MAX_LENGTH = 40;

/** A template as it will be stored, before the rules have looked at it. */
export interface TemplateDraft {
  name: string;
  category: TemplateCategory;
  body: string;
  customVariables: readonly string[];
  /** The built-in key this template overrides, if any: the automation sends it. */
  overrides?: string | null;
}

export interface CheckedTemplate {
  name: string;
  body: string;
  /** The variables the body uses, in order: stored with the row. */
  variables: string[];
  customVariables: string[];
}

export interface FieldProblem {
  field: string;
  message: string;
}

const SNAKE_CASE = 'snake_case: a lowercase letter, then lowercase letters, digits or _';

/** Problems with a new template's key; the key never changes afterwards. */
export function templateKeyProblems(key: string): FieldProblem[] {
  if (!isVariableName(key)) return [{ field: 'key', message: `must be ${SNAKE_CASE}, e.g. bono_bienvenida` }];
  if (key.length > TEMPLATE_KEY_MAX_LENGTH) {
    return [{ field: 'key', message: `must be at most ${TEMPLATE_KEY_MAX_LENGTH} characters` }];
  }
  return [];
}

/** A 422 that names each field, like the settings rules, so the dashboard can show it by the input. */
export function validationFailed(fields: FieldProblem[]): AppError {
  return new AppError('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), {
    fields,
  });
}

/**
 * Applies the template rules. Field problems (name, custom variables, body length, plus any the
 * caller found, such as the key) come back together as one 422 `validation_failed`; a body that
 * uses unknown variables or malformed braces is a 422 `invalid_template` that lists them.
 */
export function checkTemplateDraft(
  draft: TemplateDraft,
  otherProblems: FieldProblem[] = [],
): CheckedTemplate {
  const name = draft.name.trim();
  const customVariables = [...new Set(draft.customVariables)];
  const problems = [
    ...otherProblems,
    ...nameProblems(name),
    ...customVariableProblems(draft.category, customVariables),
  ];
  const validation = validateTemplate(draft.body, { category: draft.category, customVariables });
  if (validation.length === 'empty') problems.push({ field: 'body', message: 'must not be empty' });
  if (validation.length === 'too_long') {
    problems.push({
      field: 'body',
      message: `must be at most ${WHATSAPP_TEXT_MAX_LENGTH} characters (WhatsApp's limit), it has ${draft.body.length}`,
    });
  }
  if (problems.length > 0) throw validationFailed(problems);
  if (validation.unknown.length > 0 || validation.malformed.length > 0) {
    throw invalidTemplate(draft.category, customVariables, validation.unknown, validation.malformed);
  }
  const unfillable = unfillableByAutomation(draft.overrides);
  const neverFilled = validation.variables.filter((name) => unfillable.includes(name));
  if (neverFilled.length > 0) {
    const allowed = [...allowedVariablesFor(draft.category, customVariables)].filter(
      (name) => !unfillable.includes(name),
    );
    throw new AppError(
      'invalid_template',
      `${neverFilled.map((v) => `{${v}}`).join(', ')} cannot be used in "${draft.overrides}": the appointment automation sends it with no personal message (only the follow-up has one), so every automated message would fail. Use ${allowed.map((v) => `{${v}}`).join(', ')}.`,
      { unknown: neverFilled, malformed: [], allowed },
    );
  }
  return { name, body: draft.body, variables: validation.variables, customVariables };
}

function nameProblems(name: string): FieldProblem[] {
  if (name === '') return [{ field: 'name', message: 'must not be empty' }];
  // Characters (code points, an emoji one), as the API's other bounded names are counted and as
  // the message says: `length` counted UTF-16 units, so 51 emoji were "more than 100 characters".
  if ([...name].length > TEMPLATE_NAME_MAX_LENGTH) {
    return [{ field: 'name', message: `must be at most ${TEMPLATE_NAME_MAX_LENGTH} characters` }];
  }
  return [];
}

function customVariableProblems(category: TemplateCategory, names: string[]): FieldProblem[] {
  if (names.length === 0) return [];
  if (category !== 'custom') {
    return [
      {
        field: 'customVariables',
        message: 'only templates in the custom category may declare their own variables',
      },
    ];
  }
  if (names.length > CUSTOM_VARIABLES_MAX) {
    return [{ field: 'customVariables', message: `at most ${CUSTOM_VARIABLES_MAX} variables` }];
  }
  const builtIn = new Set<string>(BUILTIN_VARIABLE_NAMES);
  return names.flatMap((name, i): FieldProblem[] => {
    const field = `customVariables.${i}`;
    if (!isVariableName(name)) return [{ field, message: `"${name}" must be ${SNAKE_CASE}` }];
    if (name.length > VARIABLE_NAME_MAX_LENGTH) {
      return [{ field, message: `"${name}" must be at most ${VARIABLE_NAME_MAX_LENGTH} characters` }];
    }
    if (builtIn.has(name)) return [{ field, message: `"${name}" is already a built-in variable` }];
    return [];
  });
}

function invalidTemplate(
  category: TemplateCategory,
  customVariables: string[],
  unknown: string[],
  malformed: string[],
): AppError {
  const allowed = [...allowedVariablesFor(category, customVariables)];
  const parts: string[] = [];
  if (unknown.length > 0) {
    const hint =
      category === 'custom'
        ? 'declare your own in customVariables'
        : 'only custom templates may declare their own';
    parts.push(
      `unknown variable(s) ${unknown.map((v) => `{${v}}`).join(', ')}: use ${allowed.map((v) => `{${v}}`).join(', ')} (${hint})`,
    );
  }
  if (malformed.length > 0) {
    parts.push(
      `malformed brace(s) ${malformed.map((m) => `"${m}"`).join(', ')}: write variables as {snake_case} and literal braces as {{ and }}`,
    );
  }
  return new AppError('invalid_template', `The template body has ${parts.join('; and ')}.`, {
    unknown,
    malformed,
    allowed,
  });
}
