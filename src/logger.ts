// One pino logger for the process. Secrets never reach the logs: credentials in headers and the
// fields that hold tokens are redacted wherever they appear.
import pino, { type DestinationStream, type Logger } from 'pino';

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

export function createLogger(
  level: string,
  name = 'wellness-whatsapp',
  destination?: DestinationStream,
): Logger {
  const options = { name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
