// A small JSON-schema subset that produces the same messages as the `jsonschema` package the gateway uses:
// "<path> is not of a type(s) string", "instance requires property \"text\"", enum and pattern errors, and a
// schema `description` replacing the text when one is set (abstract.router.ts dataValidate).

export type FieldType = 'string' | 'boolean' | 'integer' | 'number' | 'array' | 'object';

export interface Schema {
  type?: FieldType;
  description?: string;
  enum?: readonly (string | boolean)[];
  pattern?: string;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  /** The gateway's isNotEmpty(): minLength 1 on these keys, applied only when every key of the object is one of them. */
  notEmpty?: readonly string[];
}

function typeMatches(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function check(value: unknown, schema: Schema, path: string, out: string[]): void {
  // jsonschema strips the first "instance." from the stack; a top-level "instance requires …" keeps its word.
  const report = (text: string): void => {
    out.push(schema.description ?? `${path} ${text}`.replace('instance.', ''));
  };
  if (schema.type && !typeMatches(value, schema.type)) report(`is not of a type(s) ${schema.type}`);
  if (schema.enum && !schema.enum.includes(value as string | boolean)) {
    report(`is not one of enum values: ${schema.enum.map(String).join(',')}`);
  }
  if (schema.pattern !== undefined && typeof value === 'string' && !new RegExp(schema.pattern).test(value)) {
    report(`does not match pattern ${JSON.stringify(schema.pattern)}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      report(`does not meet minimum length of ${schema.minItems}`);
    }
    if (schema.items) value.forEach((item, i) => check(item, schema.items as Schema, `${path}[${i}]`, out));
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (value[key] !== undefined) check(value[key], child, `${path}.${key}`, out);
  }
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) report(`requires property ${JSON.stringify(key)}`);
  }
  const notEmpty = schema.notEmpty;
  if (notEmpty && Object.keys(value).every((key) => notEmpty.includes(key))) {
    for (const key of notEmpty) {
      if (value[key] === '') out.push(`The ${JSON.stringify(key)} cannot be empty`);
    }
  }
}

/** Returns the gateway's 400 messages for `body` against `schema`; empty when valid. */
export function validate(body: unknown, schema: Schema): string[] {
  const out: string[] = [];
  check(body, schema, 'instance', out);
  return out;
}
