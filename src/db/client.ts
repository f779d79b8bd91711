// Opens the database: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise. Both are
// exposed as the same Drizzle PgDatabase type so repositories never know which one they use.
import { mkdirSync } from 'node:fs';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { withDeadline } from '../deadline.js';
import { lockPgliteDir } from './pglite-lock.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; repositories accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

/** The rows of a raw `db.execute(sql…)`: node-postgres answers `{ rows }`, other drivers an array. */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}

export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /**
       * DATABASE_QUERY_TIMEOUT_MS: a statement with no answer within it fails and its connection
       * is dropped (./bounded-client.ts). Absent or 0: statements wait as long as they take.
       */
      queryTimeoutMs?: number;
    }
  | { kind: 'pglite'; dir: string | null };

export interface Database {
  db: Db;
  /** The node-postgres pool behind db (PostgreSQL only): for session-scoped work like advisory locks. */
  pgPool?: import('pg').Pool;
  kind: DatabaseTarget['kind'];
  /** `select 1`, failing after `timeoutMs` (PROBE_TIMEOUT_MS) instead of waiting for an answer. */
  ping(timeoutMs?: number): Promise<void>;
  /**
   * The rows of a read-only statement for an operator's probe (/ready, a metrics gauge), failing
   * after `timeoutMs` instead of waiting for an answer. A PostgreSQL that stops answering without
   * closing anything (a host gone silent, a failover dropping packets) leaves every query on an
   * open connection waiting for ever: /ready and /metrics hung with it, instead of saying so.
   */
  probe(text: string, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** How long a probe (`ping`, `probe`) waits for the database: Redis's ping has 1 s too. */
export const PROBE_TIMEOUT_MS = 1_000;

export async function openDatabase(
  target: DatabaseTarget,
  onError?: (err: Error) => void,
): Promise<Database> {
  if (target.kind === 'postgres') {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { BoundedClient } = await import('./bounded-client.js');
    // Without a bound, a PostgreSQL that stops answering without closing anything (a host gone
    // silent, a failover dropping packets) left every request and job waiting on it for ever.
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      query_timeout: target.queryTimeoutMs || undefined,
      Client: BoundedClient,
    });
    // A connection dying (server restart, pg_terminate_backend) must not crash the process.
    // pool 'error' covers idle clients only: pg-pool detaches its listener from a client while it
    // is checked out (a transaction between statements), and an 'error' event with no listener
    // is fatal in Node. So every client gets its own listener for its whole life; the query in
    // flight fails with the error (the API answers 503) and the pool replaces the client.
    pool.on('error', (err) => onError?.(err));
    pool.on('connect', (client) => client.on('error', (err) => onError?.(err)));
    const db = drizzle(pool, { schema }) as unknown as Db;
    // query_timeout fails the query on its connection, which the pool then discards: a probe left
    // waiting would hold its connection for as long as the database stays silent. The deadline
    // also covers the wait for a connection (connectionTimeoutMillis, 5 s).
    const probe = async (text: string, timeoutMs = PROBE_TIMEOUT_MS) => {
      // node-postgres reads query_timeout per query; its types only know it on the client.
      const query = { text, query_timeout: timeoutMs } as import('pg').QueryConfig;
      return (await withDeadline(pool.query<Record<string, unknown>>(query), timeoutMs, 'the database')).rows;
    };
    return {
      db,
      pgPool: pool,
      kind: 'postgres',
      ping: async (timeoutMs) => {
        await probe('select 1', timeoutMs);
      },
      probe,
      close: () => pool.end(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  if (target.dir) mkdirSync(target.dir, { recursive: true });
  // One process per directory (pglite-lock.ts): a second one would overwrite the first's writes.
  const unlock = target.dir ? lockPgliteDir(target.dir) : () => undefined;
  let client: InstanceType<typeof PGlite>;
  try {
    client = target.dir ? new PGlite(target.dir) : new PGlite();
    await client.waitReady;
  } catch (err) {
    unlock();
    throw err;
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  // In the process: it answers or fails, it does not go silent.
  const probe = async (text: string) => rowsOf<Record<string, unknown>>(await db.execute(sql.raw(text)));
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await probe('select 1');
    },
    probe,
    close: async () => {
      try {
        await client.close();
      } finally {
        unlock();
      }
    },
  };
}
