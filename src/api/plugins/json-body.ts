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
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/app-error.js';
import { copyMappingStrings, TooDeepError } from '../../domain/webhooks/jsonb-safe.js';

// Only an escaped surrogate can produce one: raw UTF-8 cannot encode a lone surrogate.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string; // parseAs: 'string'
    if (text.length === 0) return done(null, undefined);
    parseJson(request, text, (err, value) => {
      if (err) return done(err, undefined);
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
