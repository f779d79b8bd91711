// The API's JSON body parser: Fastify's own (same errors, same prototype-poisoning refusal), plus
// one repair. JSON may spell an unpaired UTF-16 surrogate as an escape ("\ud800"); JSON.parse
// accepts it, but PostgreSQL refuses it inside jsonb (the audit entry of every send), so a send
// with one in its text answered 500. Such a character cannot be shown by any client anyway: it
// becomes U+FFFD, as it already did in plain text columns, where node-postgres's UTF-8 encoding
// replaces it.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/app-error.js';

// Only an escaped surrogate can produce one: raw UTF-8 cannot encode a lone surrogate.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string; // parseAs: 'string'
    parseJson(request, text, (err, value) => {
      if (err) return done(err, undefined);
      try {
        done(null, SURROGATE_ESCAPE.test(text) ? wellFormed(value, 0) : value);
      } catch (walkErr) {
        done(walkErr as Error, undefined);
      }
    });
  });
}

/** No request of ours nests this deep; the walk below must not run out of stack on one that does. */
const MAX_DEPTH = 64;

/** `value` with every string (keys too) made well-formed. */
function wellFormed(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) {
    throw new AppError('invalid_request', `The body is nested more than ${MAX_DEPTH} levels deep.`);
  }
  if (Array.isArray(value)) return value.map((item) => wellFormed(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty, not assignment: a "__proto__" key must stay a plain key.
    Object.defineProperty(out, key.toWellFormed(), {
      value: wellFormed(item, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
