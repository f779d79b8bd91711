// One pino logger for the process. Secrets never reach the logs: credentials in headers and the
// fields that hold tokens are redacted wherever they appear, and so are a failed statement's
// parameters.
import pino, { stdSerializers, type DestinationStream, type Logger } from 'pino';

/** Field names that hold a credential: the instance token, webhook secrets (Evolution's `jwt_key`). */
const SECRET_FIELDS = [
  'token',
  'apiKey',
  'apikey',
  'secret',
  'password',
  'instanceToken',
  'webhookSecret',
  'jwt_key',
  '["x-webhook-secret"]',
];

const at = (prefix: string, field: string) =>
  field.startsWith('[') ? `${prefix}${field}` : `${prefix}.${field}`;

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers.apikey',
  'req.headers["x-webhook-secret"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  // At the top of a log line, one level down ({ webhook: { jwt_key } }) and inside a `headers`
  // object one level down ({ webhook: { headers: { jwt_key, "x-webhook-secret" } } }).
  ...SECRET_FIELDS.filter((f) => !f.startsWith('[')),
  ...SECRET_FIELDS.map((f) => at('*', f)),
  ...SECRET_FIELDS.map((f) => at('headers', f)),
  ...SECRET_FIELDS.map((f) => at('*.headers', f)),
];

/**
 * Drizzle's error for a failed statement names its parameters, in its message ("Failed query:
 * …\nparams: …") and in a `params` field: the values looked up or written, such as a session's
 * token (every signed-in request during a database outage), a message's text or a client's
 * number. The statement stays in the line; the values do not.
 */
const QUERY_PARAMS = /(Failed query: [^]*?\nparams: )[^]*$/;

interface QueryError extends Error {
  query: string;
  params: unknown[];
}

function isQueryError(err: unknown): err is QueryError {
  return (
    err instanceof Error &&
    typeof (err as Partial<QueryError>).query === 'string' &&
    Array.isArray((err as Partial<QueryError>).params)
  );
}

/** Every string in a serialized error, with each leaked text replaced; copies, never the error's own objects. */
function scrubbed(value: unknown, leaks: [string, string][], depth = 0): unknown {
  if (typeof value === 'string') return leaks.reduce((s, [leak, safe]) => s.split(leak).join(safe), value);
  if (!value || typeof value !== 'object' || depth > 5) return value;
  if (Array.isArray(value)) return value.map((v) => scrubbed(v, leaks, depth + 1));
  const entries = Object.entries(value).map(([k, v]) => [
    k,
    k === 'params' && typeof (value as { query?: unknown }).query === 'string'
      ? '[redacted]'
      : scrubbed(v, leaks, depth + 1),
  ]);
  return Object.fromEntries(entries);
}

/**
 * pino's `err` serializer, without statement parameters. Log lines put either the error (its
 * causes' messages and stacks are joined in, as better-auth's "Failed to get session: Failed
 * query: …" shows) or its message alone (`{ err: err.message }`) under `err`.
 */
export function serializeError(err: unknown): unknown {
  if (typeof err === 'string') return err.replace(QUERY_PARAMS, '$1[redacted]');
  const leaks = queryLeaksOf(err);
  const serialized = stdSerializers.err(err as Error);
  return leaks.length > 0 ? scrubbed(serialized, leaks) : serialized;
}

/** Each failed statement's message along the error's causes, with what replaces it. */
function queryLeaksOf(err: unknown): [string, string][] {
  const leaks: [string, string][] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (isQueryError(e) && e.params.length > 0) {
      leaks.push([e.message, `Failed query: ${e.query}\nparams: [redacted]`]);
    }
  }
  return leaks;
}

/**
 * An error's message for a line written outside the logger (the CLI's `fatal: …` on stderr), with
 * statement parameters taken out as in the logs: a failing `create-admin` printed the values of
 * its insert, the password's hash among them.
 */
export function safeMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err).replace(QUERY_PARAMS, '$1[redacted]');
  return scrubbed(err.message, queryLeaksOf(err)) as string;
}

export function createLogger(
  level: string,
  name = 'wellness-whatsapp',
  destination?: DestinationStream,
): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}
