// One pino logger for the process. Secrets never reach the logs: credentials in headers and the
// fields that hold tokens are redacted wherever they appear.
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers.apikey',
  'req.headers["x-webhook-secret"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.apiKey',
  '*.apikey',
  '*.secret',
  '*.password',
  '*.instanceToken',
  '*.webhookSecret',
];

export function createLogger(level: string, name = 'wellness-whatsapp'): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
