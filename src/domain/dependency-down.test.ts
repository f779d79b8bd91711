import { describe, expect, it } from 'vitest';
import { dependencyDown } from './dependency-down.js';

const withCode = (message: string, code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe('dependencyDown', () => {
  it('names the database for server shutdowns, refused connections and reset query sockets', () => {
    expect(dependencyDown(withCode('terminating connection due to administrator command', '57P01'))).toBe(
      'database',
    );
    expect(
      dependencyDown(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED', { port: 5432 })),
    ).toBe('database');
    // Over its Unix socket: the socket file is gone while the server is down.
    expect(
      dependencyDown(
        withCode('connect ENOENT /var/run/postgresql/.s.PGSQL.5433', 'ENOENT', {
          address: '/var/run/postgresql/.s.PGSQL.5433',
        }),
      ),
    ).toBe('database');
    expect(dependencyDown(withCode("ENOENT: no such file or directory, open '/tmp/x'", 'ENOENT'))).toBeNull();
    // better-auth wrapping Drizzle wrapping node-postgres, as seen while PostgreSQL restarted.
    const wrapped = new Error(
      'Failed to get session: Failed query: select "id" from "session" where "session"."token" = $1\nparams: x: read ECONNRESET',
    );
    expect(dependencyDown(wrapped)).toBe('database');
    expect(
      dependencyDown(new Error('outer', { cause: new Error('Connection terminated unexpectedly') })),
    ).toBe('database');
  });

  it('follows the real cause chain of a query whose socket was reset (better-auth → Drizzle → pg)', () => {
    // As thrown during the db-restart drill: each layer keeps its own message, and the socket
    // error from pg-pool carries no port.
    const reset = withCode('read ECONNRESET', 'ECONNRESET');
    const query = new Error(
      'Failed query: select "id" from "session" where "session"."token" = $1\nparams: x',
      {
        cause: reset,
      },
    );
    expect(dependencyDown(new Error('Failed to get session', { cause: query }))).toBe('database');
    // The same socket error with no query above it (an HTTP call, say) is not the database.
    expect(
      dependencyDown(new Error('fetch failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') })),
    ).toBeNull();
  });

  it('names Redis for ioredis errors', () => {
    expect(dependencyDown(new Error('Connection is closed.'))).toBe('redis');
    expect(dependencyDown(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe(
      'redis',
    );
  });

  it('names nothing for errors of our own', () => {
    expect(
      dependencyDown(new Error('Failed query: insert … duplicate key value violates unique constraint')),
    ).toBeNull();
    expect(dependencyDown(new TypeError('cannot read properties of undefined'))).toBeNull();
    expect(dependencyDown(null)).toBeNull();
  });
});
