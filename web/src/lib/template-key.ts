import { shortHash } from './short-hash';

/**
 * The built-ins' keys, a copy of src/domain/templates/builtin-templates.ts's (web does not import
 * server code; template-key.test.ts checks the two agree). The server keeps them for the built-ins
 * and the advisor's versions of them: a new template given one is refused (422 on `key`).
 */
const BUILTIN_KEYS = new Set([
  'appointment_confirmation',
  'appointment_reminder',
  'appointment_rescheduled',
  'follow_up',
  'custom',
]);

/**
 * A template's key from its name: "Bono de bienvenida" → "bono_de_bienvenida" (snake_case, ≤ 64).
 * Letters and digits the key cannot hold (Cyrillic, Hebrew, Arabic, CJK…) and emoji-only names
 * add a short hash of the name: without it every such name became "plantilla" (or only its Latin
 * part), and the advisor's second template of that kind was refused as a duplicate (409).
 * A name that folds to a built-in's key ("Follow-up", "Custom") gets the hash too: the server
 * refuses that key for a new template, so such a template could not be saved at all.
 */
export function keyFromName(name: string): string {
  const folded = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  const base = folded
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64)
    .replace(/_+$/, '');
  const unkeyable = !base || /[^\s\p{P}\p{S}a-z0-9]/u.test(folded.replace(/[\p{M}\p{Cf}]/gu, ''));
  if (!unkeyable && !BUILTIN_KEYS.has(base)) return /^[a-z]/.test(base) ? base : `t_${base}`.slice(0, 64);
  const suffix = `_${shortHash(name.trim())}`;
  const head = (base ? (/^[a-z]/.test(base) ? base : `t_${base}`) : 'plantilla')
    .slice(0, 64 - suffix.length)
    .replace(/_+$/, '');
  return `${head}${suffix}`;
}
