// Whether a failed statement failed because of the rows it was given, or because the database
// could not run it at all. PostgreSQL (and PGlite) say which in the error's SQLSTATE: its first
// two characters are the class. Only an error the server sent has one, with its `severity`
// (node-postgres' and PGlite's DatabaseError alike); a socket's error has a `code` too ('EPIPE'
// would pass for a SQLSTATE) but no severity: it never reached the server's executor, as a pool
// timeout or a closed PGlite did not.

/**
 * The classes that say the connection or the server failed, whatever the rows: connection
 * exception (08), insufficient resources (53), operator intervention (57: shutdown, crash
 * recovery), system error (58) and internal error (XX).
 */
const NOT_THE_ROWS = new Set(['08', '53', '57', '58', 'XX']);

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of a database error, looking through the causes Drizzle wraps it in. */
function sqlStateOf(err: unknown, depth = 0): string | null {
  if (!err || typeof err !== 'object' || depth > 4) return null;
  const { code, severity, cause } = err as { code?: unknown; severity?: unknown; cause?: unknown };
  if (typeof code === 'string' && typeof severity === 'string' && SQLSTATE.test(code)) return code;
  return sqlStateOf(cause, depth + 1);
}

/**
 * True when the server ran the statement and refused it for what it was asked (a unique index
 * broken, a value out of range, a deadlock): run again with other rows, it may pass.
 */
export function failedOnItsRows(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state !== null && !NOT_THE_ROWS.has(state.slice(0, 2));
}

/**
 * True when the statement broke a foreign key (SQLSTATE 23503): a row names a parent that is gone,
 * such as an advisor whose account was removed meanwhile.
 */
export function brokeForeignKey(err: unknown): boolean {
  return sqlStateOf(err) === '23503';
}
