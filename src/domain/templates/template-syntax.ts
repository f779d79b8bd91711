import { tokenizeTemplate } from './template-tokens.js';

export { isVariableName } from './template-tokens.js';

export interface ParsedTemplate {
  /** Variable names in order of first appearance, without duplicates. */
  variables: string[];
  /** Brace sequences that are neither a variable nor an escaped brace, without duplicates. */
  malformed: string[];
}

export function parseTemplate(body: string): ParsedTemplate {
  const variables = new Set<string>();
  const malformed = new Set<string>();
  for (const token of tokenizeTemplate(body)) {
    if (token.kind === 'variable') variables.add(token.name);
    if (token.kind === 'malformed') malformed.add(token.raw);
  }
  return { variables: [...variables], malformed: [...malformed] };
}

/** Values by variable name; `undefined` means the caller has no value for it. */
export type TemplateValues = Readonly<Record<string, string | undefined>>;

export interface RenderedTemplate {
  text: string;
  /** Variables without a usable value, in order of first appearance, without duplicates. */
  missing: string[];
}

/**
 * Fills the variables in one pass over the tokens, so a value is inserted literally: a client
 * called "{fecha_cita}" is never expanded a second time.
 *
 * A blank value counts as missing: "Hola, ." is worse than a visible `{nombre_cliente}` that the
 * API reports before anything is sent. Missing variables and malformed braces stay in the text as
 * written, so a preview shows exactly what needs fixing.
 */
export function renderTemplate(body: string, values: TemplateValues): RenderedTemplate {
  const missing = new Set<string>();
  let text = '';
  for (const token of tokenizeTemplate(body)) {
    if (token.kind === 'text') {
      text += token.text;
    } else if (token.kind === 'malformed') {
      text += token.raw;
    } else {
      const value = ownValue(values, token.name);
      if (value === undefined || value.trim() === '') {
        missing.add(token.name);
        text += `{${token.name}}`;
      } else {
        text += value;
      }
    }
  }
  return { text, missing: [...missing] };
}

/** Ignores inherited properties: `{constructor}` must not render `Object`'s constructor. */
function ownValue(values: TemplateValues, name: string): string | undefined {
  if (!Object.hasOwn(values, name)) return undefined;
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
