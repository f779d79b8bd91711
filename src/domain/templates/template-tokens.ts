/**
 * The lexical layer of the template language, shared by parsing and rendering so that both always
 * agree on what a variable is.
 *
 * - `{snake_case}` is a variable: a lowercase letter first, then `[a-z0-9_]`.
 * - `{{` and `}}` are a literal `{` and `}`.
 * - Any other use of a brace is malformed and is kept verbatim, so a typo stays visible to the
 *   advisor instead of silently vanishing from the message.
 */
export type TemplateToken =
  { kind: 'text'; text: string } | { kind: 'variable'; name: string } | { kind: 'malformed'; raw: string };

const VARIABLE_NAME = /^[a-z][a-z0-9_]*$/;

export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

export function tokenizeTemplate(body: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  let text = '';
  const flushText = (): void => {
    if (text !== '') tokens.push({ kind: 'text', text });
    text = '';
  };

  let i = 0;
  while (i < body.length) {
    const char = body[i];
    const next = body[i + 1];
    if ((char === '{' && next === '{') || (char === '}' && next === '}')) {
      text += char;
      i += 2;
    } else if (char === '}') {
      flushText();
      tokens.push({ kind: 'malformed', raw: '}' });
      i += 1;
    } else if (char === '{') {
      flushText();
      const placeholder = readPlaceholder(body, i);
      tokens.push(
        isVariableName(placeholder.content) && placeholder.closed
          ? { kind: 'variable', name: placeholder.content }
          : { kind: 'malformed', raw: placeholder.raw },
      );
      i += placeholder.raw.length;
    } else {
      text += char;
      i += 1;
    }
  }
  flushText();
  return tokens;
}

interface Placeholder {
  /** Everything consumed, braces included. */
  raw: string;
  content: string;
  closed: boolean;
}

/**
 * Reads from the `{` at `start` to its `}`. A placeholder never spans a line or contains another
 * `{`: when one of those (or the end) comes first, the brace is unclosed and only the word glued to
 * it is reported, so "Hola {nombre, ¿cómo estás? {fecha_cita}" flags `{nombre,` and still finds
 * `{fecha_cita}`.
 */
function readPlaceholder(body: string, start: number): Placeholder {
  const close = body.slice(start + 1).search(/[{}\n]/);
  if (close !== -1 && body[start + 1 + close] === '}') {
    const content = body.slice(start + 1, start + 1 + close);
    return { raw: `{${content}}`, content, closed: true };
  }
  const word = /^[^\s{}]*/.exec(body.slice(start + 1))?.[0] ?? '';
  return { raw: `{${word}`, content: word, closed: false };
}
