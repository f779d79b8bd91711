// Makes a parsed JSON body storable in a jsonb column. PostgreSQL refuses the NUL character and
// unpaired UTF-16 surrogates that JSON.parse happily produces from `\u0000` and `\ud800`, and
// very deep nesting costs stack on every read: both would turn a stranger's body into a 500.
export const MAX_JSON_DEPTH = 64;

export class TooDeepError extends Error {
  constructor() {
    super(`The body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  }
}

// A lone high surrogate, or a low surrogate with no high one before it.
const UNPAIRED = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/g;
// eslint-disable-next-line no-control-regex
const NEEDS_FIX = /[\u0000\ud800-\udfff]/;

function cleanString(value: string): string {
  return NEEDS_FIX.test(value) ? value.replace(NUL, '\ufffd').replace(UNPAIRED, '\ufffd') : value;
}

/**
 * `value` itself when it is already safe for jsonb (nearly always: copying every body cost a
 * twentieth of webhook ingestion, most of it in the garbage collector), else a cleaned copy;
 * throws TooDeepError past MAX_JSON_DEPTH levels either way.
 */
export function jsonbSafe(value: unknown): unknown {
  return needsCleaning(value, 0) ? cleanCopy(value, 0) : value;
}

function needsCleaning(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return NEEDS_FIX.test(value);
  if (value === null || typeof value !== 'object') return false;
  if (depth >= MAX_JSON_DEPTH) throw new TooDeepError();
  if (Array.isArray(value)) return value.some((item) => needsCleaning(item, depth + 1));
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (NEEDS_FIX.test(key) || needsCleaning((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

function cleanCopy(value: unknown, depth: number): unknown {
  return copyMappingStrings(value, cleanString, depth);
}

/**
 * A copy of a parsed JSON value with every string, keys included, passed through `map`; throws
 * TooDeepError past MAX_JSON_DEPTH levels. Also used by the API's body parser.
 */
export function copyMappingStrings(value: unknown, map: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return map(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_JSON_DEPTH) throw new TooDeepError();
  if (Array.isArray(value)) return value.map((item) => copyMappingStrings(item, map, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty, not assignment: a "__proto__" key must stay a plain key.
    Object.defineProperty(out, map(key), {
      value: copyMappingStrings(item, map, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
