// Opens the database: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise. Both are
// exposed as the same Drizzle PgDatabase type so repositories never know which one they use.
import { mkdirSync } from 'node:fs';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
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
  { kind: 'postgres'; url: string; poolSize?: number } | { kind: 'pglite'; dir: string | null };

export interface Database {
  db: Db;
  /** The node-postgres pool behind db (PostgreSQL only): for session-scoped work like advisory locks. */
  pgPool?: import('pg').Pool;
  kind: DatabaseTarget['kind'];
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(
  target: DatabaseTarget,
  onError?: (err: Error) => void,
): Promise<Database> {
  if (target.kind === 'postgres') {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
    });
    // A connection dying (server restart, pg_terminate_backend) must not crash the process.
    // pool 'error' covers idle clients only: pg-pool detaches its listener from a client while it
    // is checked out (a transaction between statements), and an 'error' event with no listener
    // is fatal in Node. So every client gets its own listener for its whole life; the query in
    // flight fails with the error (the API answers 503) and the pool replaces the client.
    pool.on('error', (err) => onError?.(err));
    pool.on('connect', (client) => client.on('error', (err) => onError?.(err)));
    const db = drizzle(pool, { schema }) as unknown as Db;
    return {
      db,
      pgPool: pool,
      kind: 'postgres',
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => pool.end(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  if (target.dir) mkdirSync(target.dir, { recursive: true });
  const client = target.dir ? new PGlite(target.dir) : new PGlite();
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}
