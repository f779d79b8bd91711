// Renders a template draft in the browser for the live preview while the advisor types. The
// same rules as the server: `{snake_case}` is a variable, `{{` and `}}` are literal braces.
// Once saved, the server's own preview (POST /templates/:id/preview) is the authority.

const TOKEN = /\{\{|\}\}|\{([a-z][a-z0-9_]*)\}/g;

export const BUILTIN_VARIABLES = [
  'nombre_cliente',
  'fecha_cita',
  'hora_cita',
  'nombre_asesor',
  'direccion',
  'mensaje_personalizado',
] as const;

export function variablesIn(body: string): string[] {
  const found = new Set<string>();
  for (const m of body.matchAll(TOKEN)) if (m[1]) found.add(m[1]);
  return [...found];
}

/**
 * The value typed for `name`, never an inherited property: a variable may be called `constructor`
 * (any snake_case name is allowed), and `values.constructor` is Object's, not a string. The
 * server reads values the same way (template-syntax.ts).
 */
export function ownValue(values: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

export interface LocalPreview {
  text: string;
  missing: string[];
  unknown: string[];
}

export function renderDraft(
  body: string,
  values: Record<string, string>,
  allowed: ReadonlySet<string> | null,
): LocalPreview {
  const missing = new Set<string>();
  const unknown = new Set<string>();
  const text = body.replace(TOKEN, (whole, name: string | undefined) => {
    if (!name) return whole[0] ?? '';
    if (allowed && !allowed.has(name)) unknown.add(name);
    const value = ownValue(values, name)?.trim();
    if (!value) {
      missing.add(name);
      return whole;
    }
    return value;
  });
  return { text, missing: [...missing], unknown: [...unknown] };
}
