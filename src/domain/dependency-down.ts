// Recognises "a dependency is down" errors from ioredis, BullMQ and node-postgres/PGlite, so the
// API answers 503 with the dependency's name instead of a 500, and background work can tell an
// outage (stop, the next run retries everything) from one item's own failure (skip it, go on).
export type Dependency = 'redis' | 'database';

// Redis cannot serve us now, as ioredis, BullMQ and our own deadlines say it: by the error's name
// or its exact message, never by the word "Redis" alone. Redis's replies about a command of ours
// can say "Redis" too (a script of ours calling it wrongly: "Wrong number of args calling Redis
// command from script"): taken for an outage, a bug of ours held its message for ever and the API
// answered 503 for its own 500 (test/foundation/redis-errors-classified.test.ts).
const REDIS_ERROR_NAMES = new Set([
  'MaxRetriesPerRequestError', // ioredis gave up on a command after its reconnections
  'ConnectionClosedError', // BullMQ: the connection closed before or while a command ran
]);
const REDIS_MESSAGES = [
  /^Connection is closed\.$/,
  /^Stream isn't writeable and enableOfflineQueue options is false$/,
  /^Reached the max retries per request limit \(which is \d+\)/,
  /^Command aborted due to connection close$/,
  /^Command timed out$/,
  /^Socket timeout\. Expecting data, but didn't receive any in \d+ms\.$/,
  // Our own bounds on a call to a Redis that does not answer (src/jobs/redis.ts).
  /^Redis did not answer within \d+ ms$/,
  /^Redis ping timed out$/,
];
// Replies in which Redis says it cannot serve anyone now, whatever the command: loading its data,
// hogged by a script past its limit, a replica cut from its master or written to after a failover,
// a cluster down or resharding, disk persistence failing, memory full. Each passes without any
// change of ours (or with an operator's, to the server), and a message must not fail for it. Any
// other reply (WRONGTYPE, ERR, NOSCRIPT, NOPERM, BUSYGROUP…) is about our command: a bug of ours.
const REDIS_UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|MISCONF|OOM) /;

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
  if (e.name && REDIS_ERROR_NAMES.has(e.name)) return 'redis';
  if (e.name === 'ReplyError' && REDIS_UNAVAILABLE_REPLY.test(message)) return 'redis';
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
  if (REDIS_MESSAGES.some((p) => p.test(message))) return 'redis';
  return dependencyDown(e.cause, depth + 1, inQuery || /Failed query:/.test(message));
}
