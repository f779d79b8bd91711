// The API's JSON body parser: Fastify's own (same errors, same prototype-poisoning refusal), with
// two differences.
//
// An empty body is no body (undefined), not invalid JSON: many HTTP clients send
// `Content-Type: application/json` on every request, and a route whose body is optional (connect,
// cancel) must take it; a route that needs one answers its usual validation error.
//
// The other is a repair. JSON may spell an unpaired UTF-16 surrogate as an escape ("\ud800");
// JSON.parse accepts it, but PostgreSQL refuses it inside jsonb (the audit entry of every send),
// so a send with one in its text answered 500. Such a character cannot be shown by any client
// anyway: it becomes U+FFFD, as it already did in plain text columns, where node-postgres's UTF-8
// encoding replaces it.
//
// A body that is not UTF-8 (a caller writing Latin-1, whatever charset it names) is 400
// invalid_json: decoded leniently, each such byte became U+FFFD and "José" was stored and sent to
// the client as "Jos�", answered as a success.
//
// And an explanation: a body Fastify refuses for prototype poisoning (a `__proto__` key, or a
// `constructor` object with a `prototype` key) is valid JSON, so "not valid JSON" sent callers
// looking for a syntax error; it is 400 invalid_request naming the key.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/app-error.js';
import { copyMappingStrings, TooDeepError } from '../../domain/webhooks/jsonb-safe.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

// Only an escaped surrogate can produce one: raw UTF-8 cannot encode a lone surrogate.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // Nothing here inflates a body: a gzip one was read as bytes that are not UTF-8, and answered
    // 400 "not valid UTF-8", sending the caller after its JSON instead of its compression.
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      return done(
        new AppError(
          'unsupported_media_type',
          `Content-Encoding ${encoding} is not accepted: send the body uncompressed.`,
          { contentEncoding: encoding },
        ),
        undefined,
      );
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer); // parseAs: 'buffer'
    } catch {
      return done(
        new AppError('invalid_json', 'The request body is not valid UTF-8: send JSON encoded as UTF-8.'),
        undefined,
      );
    }
    if (text.length === 0) return done(null, undefined);
    parseJson(request, text, (err, value) => {
      if (err) return done(poisonedBody(text) ?? err, undefined);
      try {
        done(null, SURROGATE_ESCAPE.test(text) ? wellFormed(value) : value);
      } catch (walkErr) {
        done(walkErr as Error, undefined);
      }
    });
  });
}

/** `value` with every string (keys too) made well-formed. */
function wellFormed(value: unknown): unknown {
  try {
    return copyMappingStrings(value, (s) => s.toWellFormed());
  } catch (err) {
    if (err instanceof TooDeepError) throw new AppError('invalid_request', err.message);
    throw err;
  }
}

/** The refusal of a body that is valid JSON but holds a key the parser refuses; null otherwise. */
function poisonedBody(text: string): AppError | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null; // not JSON at all: the parser's own answer stands
  }
  const field = poisonedKey(value);
  if (field === null) return null;
  const message = `"${field}" is a key the API refuses (it could change the prototype of the objects it reads).`;
  return new AppError('invalid_request', `Invalid body: ${message}`, { fields: [{ field, message }] });
}

/** The dotted path of the first `__proto__` or `constructor.prototype` key, without recursion. */
function poisonedKey(root: unknown): string | null {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    const at = (key: string) => (path === '' ? key : `${path}.${key}`);
    if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return at('__proto__');
    const ctor = (value as Record<string, unknown>).constructor;
    if (
      Object.prototype.hasOwnProperty.call(value, 'constructor') &&
      typeof ctor === 'object' &&
      ctor !== null &&
      Object.prototype.hasOwnProperty.call(ctor, 'prototype')
    ) {
      return at('constructor.prototype');
    }
    for (const [key, child] of Object.entries(value)) stack.push([child, at(key)]);
  }
  return null;
}
