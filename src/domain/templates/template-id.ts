import { isBuiltinTemplateKey, type BuiltinTemplateKey } from './builtin-templates.js';
import { isTemplateLanguage, type TemplateLanguage } from './template-language.js';

/**
 * Template ids as the API shows them: a row's uuid, or `builtin:<key>:<language>` for a built-in,
 * which lives in code and keeps that id forever.
 */
export type TemplateId =
  { kind: 'row'; id: string } | { kind: 'builtin'; key: BuiltinTemplateKey; language: TemplateLanguage };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BUILTIN = /^builtin:([a-z0-9_]+):([a-z]+)$/;

export function builtinTemplateId(key: BuiltinTemplateKey, language: TemplateLanguage): string {
  return `builtin:${key}:${language}`;
}

/**
 * `null` for any other shape, and for a built-in id naming a key or language that does not exist:
 * both are a 404, and a malformed uuid must never reach Postgres (it would be an error there).
 */
export function parseTemplateId(id: string): TemplateId | null {
  if (UUID.test(id)) return { kind: 'row', id: id.toLowerCase() };
  const builtin = BUILTIN.exec(id);
  if (!builtin) return null;
  const [, key = '', language = ''] = builtin;
  if (!isBuiltinTemplateKey(key) || !isTemplateLanguage(language)) return null;
  return { kind: 'builtin', key, language };
}
