import type { TemplateCategory } from './template-category.js';
import { parseTemplate } from './template-syntax.js';
import { allowedVariablesFor } from './template-variables.js';

/**
 * WhatsApp's limit for a text message. Counted in UTF-16 code units (`string.length`), the
 * stricter of the usual readings, so an emoji-heavy body never passes here and fails at sending.
 */
export const WHATSAPP_TEXT_MAX_LENGTH = 4096;

export type BodyLengthProblem = 'empty' | 'too_long';

export interface TemplateValidation {
  ok: boolean;
  /** Every variable used, in order; what the API stores and shows as the template's variables. */
  variables: string[];
  /** Used variables that the category does not allow. */
  unknown: string[];
  malformed: string[];
  /** `null` when the length is fine. */
  length: BodyLengthProblem | null;
}

export interface TemplateRules {
  category: TemplateCategory;
  /** Variables the advisor declared; only honoured for the `custom` category. */
  customVariables?: readonly string[];
}

export function validateTemplate(body: string, rules: TemplateRules): TemplateValidation {
  const { variables, malformed } = parseTemplate(body);
  const allowed = allowedVariablesFor(rules.category, rules.customVariables);
  const unknown = variables.filter((name) => !allowed.has(name));
  const length = bodyLengthProblem(body);
  return {
    ok: unknown.length === 0 && malformed.length === 0 && length === null,
    variables,
    unknown,
    malformed,
    length,
  };
}

/**
 * The body is checked, not the rendered text: values are only known at sending time, where the
 * rendered text must be checked against the same limit again.
 */
function bodyLengthProblem(body: string): BodyLengthProblem | null {
  if (body.trim() === '') return 'empty';
  if (body.length > WHATSAPP_TEXT_MAX_LENGTH) return 'too_long';
  return null;
}
