import { afterEach, describe, expect, it } from 'vitest';
import { dependencyDown } from './dependency-down.js';
import { databaseEndpoint, redisEndpoint, registerDependencyEndpoints } from './dependency-endpoints.js';

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
    // DATABASE_QUERY_TIMEOUT_MS passed with no answer (node-postgres' query_timeout), under Drizzle.
    expect(
      dependencyDown(
        new Error('Failed query: select 1\nparams: ', { cause: new Error('Query read timeout') }),
      ),
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
    // An ACL refusing one command or key: a deployment error about that command, not an outage.
    expect(dependencyDown(reply("NOPERM this user has no permissions to run the 'set' command"))).toBeNull();
    expect(dependencyDown(new Error('READONLY, said a log line of ours'))).toBeNull();
  });

  it('names Redis when it refuses us whatever the command: a password or ACL user rotated (NOAUTH, WRONGPASS)', () => {
    const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
    expect(dependencyDown(reply('NOAUTH Authentication required.'))).toBe('redis');
    expect(dependencyDown(reply('WRONGPASS invalid username-password pair or user is disabled.'))).toBe(
      'redis',
    );
    // The words alone, outside a reply of Redis's, are nothing.
    expect(dependencyDown(new Error('NOAUTH, said a log line of ours'))).toBeNull();
  });

  it('names nothing for errors of our own', () => {
    expect(
      dependencyDown(new Error('Failed query: insert … duplicate key value violates unique constraint')),
    ).toBeNull();
    expect(dependencyDown(new TypeError('cannot read properties of undefined'))).toBeNull();
    expect(dependencyDown(null)).toBeNull();
  });
});

describe('dependencyDown with the endpoints the process is configured with', () => {
  let forget: (() => void) | null = null;
  afterEach(() => {
    forget?.();
    forget = null;
  });
  const refused = (address: string, port: number, code = 'ECONNREFUSED') =>
    withCode(`connect ${code} ${address}:${port}`, code, { address, port, syscall: 'connect' });

  it('names the dependency whose host and port a refused connection names, on any port', () => {
    forget = registerDependencyEndpoints([
      redisEndpoint('rediss://default:secret@10.0.0.7:25061/0'),
      databaseEndpoint('postgres://app:pw@db.internal:6432/app'),
    ]);
    expect(dependencyDown(refused('10.0.0.7', 25061))).toBe('redis');
    expect(dependencyDown(refused('10.0.0.7', 25061, 'EHOSTUNREACH'))).toBe('redis');
    // A host given by name matches on its port: its addresses are DNS's to say.
    expect(dependencyDown(refused('10.9.8.7', 6432))).toBe('database');
    expect(dependencyDown(refused('10.9.8.7', 6432, 'ETIMEDOUT'))).toBe('database');
    // Only the message to go by.
    expect(dependencyDown(withCode('connect ECONNREFUSED 10.0.0.7:25061', 'ECONNREFUSED'))).toBe('redis');
    // The name of the database's host not resolving (a restarted container's DNS entry).
    const lookup = withCode('getaddrinfo ENOTFOUND db.internal', 'ENOTFOUND', { hostname: 'db.internal' });
    expect(dependencyDown(lookup)).toBe('database');
  });

  it("never takes another connection for them: the gateway's port, Redis's port on another host, the default ports", () => {
    forget = registerDependencyEndpoints([
      redisEndpoint('redis://10.0.0.7:6380'),
      databaseEndpoint('postgres://app@10.0.0.8:6432/app'),
    ]);
    // The Evolution gateway (or a webhook target, a media URL) refusing, as undici reports it.
    const gateway = new Error('fetch failed', { cause: refused('10.0.0.9', 8080) });
    expect(dependencyDown(gateway)).toBeNull();
    expect(dependencyDown(refused('10.0.0.9', 6380))).toBeNull();
    expect(dependencyDown(refused('10.0.0.7', 6432))).toBeNull();
    // Once the real endpoints are known, the default ports mean nothing of themselves.
    expect(dependencyDown(refused('127.0.0.1', 6379))).toBeNull();
    expect(dependencyDown(refused('127.0.0.1', 5432))).toBeNull();
    const lookup = withCode('getaddrinfo ENOTFOUND media.example', 'ENOTFOUND', {
      hostname: 'media.example',
    });
    expect(dependencyDown(lookup)).toBeNull();
  });

  it('localhost is whichever loopback address it resolved to; the registration ends when the process closes', () => {
    forget = registerDependencyEndpoints([redisEndpoint('redis://localhost:6381')]);
    expect(dependencyDown(refused('::1', 6381))).toBe('redis');
    expect(dependencyDown(refused('127.0.0.1', 6381))).toBe('redis');
    expect(dependencyDown(refused('10.0.0.1', 6381))).toBeNull();
    forget();
    forget = null;
    expect(dependencyDown(refused('127.0.0.1', 6381))).toBeNull();
    expect(dependencyDown(refused('127.0.0.1', 6379))).toBe('redis');
  });

  it('with nothing registered, falls back to the default ports named as a port, not digits anywhere', () => {
    expect(dependencyDown(refused('127.0.0.1', 6379))).toBe('redis');
    expect(dependencyDown(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe('database');
    // A client's phone number in a message is not a port.
    expect(dependencyDown(withCode('send to +5511987654321: read ECONNRESET', 'ECONNRESET'))).toBeNull();
  });

  it('a Unix socket database URL registers no TCP endpoint (its socket path names it)', () => {
    expect(databaseEndpoint('postgres://app@localhost/app?host=/var/run/postgresql')).toBeNull();
    expect(databaseEndpoint('postgres://app@localhost/app?host=db.internal')).toMatchObject({
      host: 'db.internal',
      port: 5432,
    });
    expect(redisEndpoint('redis://[::1]:6390')).toEqual({ dependency: 'redis', host: '::1', port: 6390 });
  });
});
