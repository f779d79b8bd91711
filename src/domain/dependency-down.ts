// Recognises "a dependency is down" errors from ioredis, BullMQ and node-postgres/PGlite, so the
// API answers 503 with the dependency's name instead of a 500, and background work can tell an
// outage (stop, the next run retries everything) from one item's own failure (skip it, go on).
import { dependencyAt, dependencyNamed, hasRegisteredEndpoints } from './dependency-endpoints.js';

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
  // Our own bound on a call to a Redis that does not answer (src/deadline.ts, src/jobs/redis.ts).
  /^Redis did not answer within \d+ ms$/,
];
// Replies in which Redis says it cannot serve anyone now, whatever the command: loading its data,
// hogged by a script past its limit, a replica cut from its master or written to after a failover,
// a cluster down or resharding, disk persistence failing, memory full. Each passes without any
// change of ours (or with an operator's, to the server), and a message must not fail for it.
// NOAUTH and WRONGPASS too: Redis refuses *us* (its password or our ACL user changed before the
// service's, so every connection fails its AUTH and every command with it), and nothing in any
// command of ours would help: the operator's fix brings everything back, and the held messages go.
// NOPERM is not one of them: an ACL denying one command or key leaves everything else working,
// /ready included, so a held message would wait with nothing to say why; it is a deployment error
// about that command, answered 500 with an errorId in the log and the message failed where it can
// be retried once the ACL is fixed. Any other reply (WRONGTYPE, ERR, NOSCRIPT, BUSYGROUP…) is
// about our command: a bug of ours.
const REDIS_UNAVAILABLE_REPLY =
  /^(LOADING|BUSY|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|MISCONF|OOM|NOAUTH|WRONGPASS) /;

const DB_PATTERNS = [
  /Connection terminated/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down)/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  // node-postgres' query_timeout (DATABASE_QUERY_TIMEOUT_MS): the database did not answer a
  // statement in time, and the connection it was sent on is dropped (src/db/bounded-client.ts).
  /^Query read timeout$/,
  /PGlite is closed/i,
];
const DB_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

// A connection that failed or broke. Put down to Redis or the database by the endpoint it names
// (./dependency-endpoints.ts), never by its code alone: the gateway, a webhook target or a media
// URL fail the same way, and a message must not be held for them.
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// The endpoint's host name not resolving (a restarted container's DNS entry gone for a moment).
const LOOKUP_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN']);
// `connect ECONNREFUSED 10.0.0.7:6380`, `connect ECONNREFUSED ::1:6380`: for an error that lost
// its address and port properties on the way.
const ADDRESS_IN_MESSAGE = /\b[A-Z]+ (\S+):(\d+)$/;
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
    hostname?: string;
  };
  const message = e.message ?? '';
  if (e.name && REDIS_ERROR_NAMES.has(e.name)) return 'redis';
  if (e.name === 'ReplyError' && REDIS_UNAVAILABLE_REPLY.test(message)) return 'redis';
  if (e.code && DB_CODES.has(e.code)) return 'database';
  if (e.code && (SOCKET_CODES.has(e.code) || e.code === 'ENOENT') && PG_SOCKET_PATH.test(message)) {
    return 'database';
  }
  if (e.code && SOCKET_CODES.has(e.code)) {
    const at = socketDependency(e.address, e.port, message);
    if (at) return at;
    if (inQuery) return 'database';
  }
  if (e.code && LOOKUP_CODES.has(e.code)) {
    const named = typeof e.hostname === 'string' ? dependencyNamed(e.hostname) : null;
    if (named) return named;
    if (inQuery) return 'database';
  }
  if (DB_PATTERNS.some((p) => p.test(message))) return 'database';
  // A query (Drizzle wraps it as "Failed query: …", better-auth wraps that again) that failed
  // because its socket did: the database went away under it.
  if (
    /Failed query:/.test(message) &&
    /\b(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b/.test(message)
  ) {
    return 'database';
  }
  if (REDIS_MESSAGES.some((p) => p.test(message))) return 'redis';
  return dependencyDown(e.cause, depth + 1, inQuery || /Failed query:/.test(message));
}

/**
 * Whose endpoint a failed connection was to. With nothing registered (a unit test, a script) the
 * default ports stand in for the endpoints, as they always did.
 */
function socketDependency(
  address: string | undefined,
  port: number | undefined,
  message: string,
): Dependency | null {
  const named = ADDRESS_IN_MESSAGE.exec(message);
  const to = port ?? (named ? Number(named[2]) : undefined);
  if (to === undefined) return null;
  if (hasRegisteredEndpoints()) return dependencyAt(address ?? named?.[1], to);
  if (to === 6379) return 'redis';
  if (to === 5432) return 'database';
  return null;
}
