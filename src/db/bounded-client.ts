// The node-postgres client the pool opens (its `Client` option): a statement that gets no answer
// within `query_timeout` (DATABASE_QUERY_TIMEOUT_MS) fails, and its connection is dropped; and a
// connection that dies while it is checked out goes back to the pool, which then discards it.
//
// Why dropping is ours to do: node-postgres fails the query on a read timeout but keeps it as the
// connection's active query (pg/lib/client.js, `query_timeout`), so everything sent on that
// connection afterwards waits behind a reply that may never come. pg-pool discards a client only
// when it is released with an error or is no longer `_queryable`, and two holders release it
// neither way: Drizzle's `transaction()` runs ROLLBACK on the same client (which times out too)
// and then releases it without an error, putting the blocked connection back in the pool; and
// when BEGIN itself times out it never releases the client at all, so the pool lost that slot
// for good (a pool of 2 answered nothing but "timeout exceeded when trying to connect" after two
// such requests, whether or not the database came back). The same leak follows a BEGIN that fails
// because its connection closed (PostgreSQL restarted, pg_terminate_backend, a proxy's reset): each
// one cost the pool a connection for the life of the process, so a few restarts under load left
// it with none.
import pg from 'pg';

type Release = (err?: Error | boolean) => void;

/** pg's own message for its `query_timeout` (pinned by test/operations/database-query-timeout.test.ts). */
const READ_TIMEOUT = 'Query read timeout';

export class BoundedClient extends pg.Client {
  #poolRelease: Release | undefined;
  /** Checked out of the pool and not yet given back. */
  #held = false;
  #dropped = false;

  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // A connection closed under its holder (pg emits 'end' after failing every statement on it).
    this.once('end', () => this.#drop(new Error('The database connection closed while in use')));
  }

  // pg-pool hands every checkout its own release function by assigning `client.release`. It is
  // kept here so that a connection dropped for silence goes back (and out of the pool) even when
  // its holder never gives it back, and so that the holder's own release afterwards does nothing
  // instead of throwing pg-pool's "Release called on client which has already been released".
  set release(fn: Release) {
    this.#poolRelease = fn;
    this.#held = true;
  }

  get release(): Release {
    return (err) => {
      if (this.#dropped && !this.#held) return;
      this.#held = false;
      this.#poolRelease?.(err);
    };
  }

  // Every form pg takes (callback last, callback as `values`, or a promise) is watched for the
  // read timeout; a Submittable (a cursor, a stream) is passed through as it is: we use none.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const [config, values, callback] = args;
    if (typeof config?.submit === 'function') return super.query(...(args as [pg.Submittable]));
    if (typeof callback === 'function') return super.query(config, values, this.#watch(callback));
    if (typeof values === 'function') return super.query(config, this.#watch(values));
    return (super.query(config, values) as Promise<unknown>).catch((err: unknown) => {
      this.#onFailure(err);
      throw err;
    });
  }

  #watch<A extends unknown[]>(callback: (err: unknown, ...rest: A) => void) {
    return (err: unknown, ...rest: A) => {
      this.#onFailure(err);
      callback(err, ...rest);
    };
  }

  #onFailure(err: unknown): void {
    if (!(err instanceof Error) || err.message !== READ_TIMEOUT || this.#dropped) return;
    // Whatever the holder sends next (ROLLBACK) fails at once with "Client has encountered a
    // connection error and is not queryable", a database outage to dependency-down.ts, instead of
    // waiting behind the silent query; pg-pool reads the same field when the client comes back.
    (this as unknown as { _queryable: boolean })._queryable = false;
    this.connection.stream.destroy();
    this.#drop(err);
  }

  /** Out of use for good; given back to the pool (which discards it) if its holder still has it. */
  #drop(err: Error): void {
    if (this.#dropped) return;
    this.#dropped = true;
    if (this.#held) {
      this.#held = false;
      this.#poolRelease?.(err);
    }
  }
}

/**
 * Lifts the read timeout from `client`'s statements until the returned function is called (before
 * the client goes back to the pool). For migrations: DDL over a large table, or the advisory lock
 * waiting for another process's migrations, must take as long as it takes.
 */
export function withoutQueryTimeout(client: pg.ClientBase): () => void {
  // pg reads it per statement: `config.query_timeout || connectionParameters.query_timeout`.
  const parameters = (client as unknown as { connectionParameters: { query_timeout?: number | false } })
    .connectionParameters;
  const timeout = parameters.query_timeout;
  parameters.query_timeout = false;
  return () => {
    parameters.query_timeout = timeout;
  };
}
