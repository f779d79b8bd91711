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
    // Rare to produce against a real Redis (a pipeline half answered when the socket closes; a
    // BullMQ adapter's close), so only their shapes here; the rest are in
    // test/foundation/redis-errors-classified.test.ts.
    const aborted = Object.assign(new Error('Command aborted due to connection close'), {
      name: 'AbortError',
    });
    expect(dependencyDown(aborted)).toBe('redis');
    const bullmq = Object.assign(new Error('Connection is closed.'), { name: 'ConnectionClosedError' });
    expect(dependencyDown(new Error('outer', { cause: bullmq }))).toBe('redis');
  });

  it('names nothing for an error that merely mentions Redis', () => {
    // A fetch aborted by our own timeout is an AbortError too.
    expect(
      dependencyDown(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' })),
    ).toBeNull();
    // A query of ours failing, whose parameters carry a client's text.
    expect(
      dependencyDown(
        new Error('Failed query: update "whatsapp_message" set "text" = $1\nparams: Redis is down again'),
      ),
    ).toBeNull();
    // A reply about our command, whatever its words; the server states are replies of their own.
    const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
    expect(dependencyDown(reply('BUSYGROUP Consumer Group name already exists'))).toBeNull();
    expect(
      dependencyDown(reply('ERR Unknown Redis command called from script script: 1, on @user_script:1.')),
    ).toBeNull();
    expect(dependencyDown(reply('CLUSTERDOWN The cluster is down'))).toBe('redis');
    expect(dependencyDown(new Error('READONLY, said a log line of ours'))).toBeNull();
  });

  it('names nothing for errors of our own', () => {
    expect(
      dependencyDown(new Error('Failed query: insert … duplicate key value violates unique constraint')),
    ).toBeNull();
    expect(dependencyDown(new TypeError('cannot read properties of undefined'))).toBeNull();
    expect(dependencyDown(null)).toBeNull();
  });
});
