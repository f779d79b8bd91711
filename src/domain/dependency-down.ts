// Recognises "a dependency is down" errors from ioredis, BullMQ and node-postgres/PGlite, so the
// API answers 503 with the dependency's name instead of a 500, and background work can tell an
// outage (stop, the next run retries everything) from one item's own failure (skip it, go on).
export type Dependency = 'redis' | 'database';

const REDIS_PATTERNS = [
  /Connection is closed/i,
  /enableOfflineQueue/i,
  /MaxRetriesPerRequest/i,
  /Reached the max retries per request limit/i,
  /redis/i,
];
const DB_PATTERNS = [
  /Connection terminated/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down)/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /PGlite is closed/i,
];
const DB_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
// PostgreSQL's Unix socket (a same-host deployment): <dir>/.s.PGSQL.<port>. While the server is
// down its socket file is gone, so connecting fails with ENOENT instead of ECONNREFUSED.
const PG_SOCKET_PATH = /\.s\.PGSQL\.\d+/;

/**
 * `inQuery`: an error above this one in the cause chain was a database query failing (Drizzle's
 * "Failed query: …"), so a bare socket error below it (pg-pool's "read ECONNRESET", with no port)
 * is the database going away, not some other connection.
 */
export function dependencyDown(err: unknown, depth = 0, inQuery = false): Dependency | null {
  if (!err || typeof err !== 'object' || depth > 4) return null;
  const e = err as {
    name?: string;
    message?: string;
    code?: string;
    cause?: unknown;
    address?: string;
    port?: number;
  };
  const message = e.message ?? '';
  if (e.name === 'MaxRetriesPerRequestError') return 'redis';
  if (e.code && DB_CODES.has(e.code)) return 'database';
  if (e.code && (SOCKET_CODES.has(e.code) || e.code === 'ENOENT') && PG_SOCKET_PATH.test(message)) {
    return 'database';
  }
  if (e.code && SOCKET_CODES.has(e.code)) {
    if (e.port === 6379 || /6379/.test(message)) return 'redis';
    if (e.port === 5432 || /5432/.test(message) || inQuery) return 'database';
  }
  if (DB_PATTERNS.some((p) => p.test(message))) return 'database';
  // A query (Drizzle wraps it as "Failed query: …", better-auth wraps that again) that failed
  // because its socket did: the database went away under it.
  if (/Failed query:/.test(message) && /\b(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT)\b/.test(message)) {
    return 'database';
  }
  if (REDIS_PATTERNS.some((p) => p.test(message))) return 'redis';
  return dependencyDown(e.cause, depth + 1, inQuery || /Failed query:/.test(message));
}
