// The lists in a template's 422 (`details.unknown`, `details.malformed`) as the editor shows them.
// Unknown variables are names (`otra`): shown as the advisor writes them, `{otra}`. Malformed
// fragments are the text as written, braces included (`{Mal formado}`, `{x`): shown once each,
// quoted, never wrapped in more braces.

const strings = (value: unknown): string[] | null =>
  Array.isArray(value) && value.length ? value.map(String) : null;

export function variableNames(value: unknown): string | null {
  return (
    strings(value)
      ?.map((name) => `{${name}}`)
      .join(', ') ?? null
  );
}

export function quotedFragments(value: unknown): string | null {
  const fragments = strings(value);
  return fragments ? [...new Set(fragments)].map((f) => `«${f}»`).join(', ') : null;
}
