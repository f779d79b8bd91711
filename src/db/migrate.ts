// Applies drizzle-kit's SQL migrations (drizzle/) at start-up or from `migrate`, identically on
// PostgreSQL and PGlite. On PostgreSQL an advisory lock keeps several processes starting at once
// from racing each other.
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { projectPath } from '../project-root.js';
import { carryJidOptOuts } from './carry-jid-opt-outs.js';
import { rowsOf, type Database, type Db } from './client.js';

export const MIGRATIONS_FOLDER = projectPath('drizzle');
const LOCK_ID = 724_113_901;

/**
 * The schema migrations, then the data steps that need code rather than SQL. Returns how many
 * rows the data steps changed (for the start-up log).
 */
export async function runMigrations(database: Database): Promise<{ optOutsCarried: number }> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, config);
    return runDataSteps(database.db);
  }
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const schema = await import('./schema/index.js');
  const { withoutQueryTimeout } = await import('./bounded-client.js');
  // The lock lives on one session (one pooled client) so it spans migrate's own transaction, and
  // the data steps run on that same client: a pool of one connection would wait for itself.
  const client = await database.pgPool!.connect();
  // Not cut by DATABASE_QUERY_TIMEOUT_MS: the lock waits for another process's migrations, and a
  // migration's DDL over a large table takes what it takes (OPERATIONS.md, PostgreSQL).
  const restoreTimeout = withoutQueryTimeout(client);
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_ID]);
    await migrate(drizzle(client), config);
    return await runDataSteps(drizzle(client, { schema }) as unknown as Db);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    restoreTimeout();
    client.release();
  }
}

async function runDataSteps(db: Db): Promise<{ optOutsCarried: number }> {
  return { optOutsCarried: await carryJidOptOuts(db) };
}

export function logDataSteps(result: { optOutsCarried: number }, logger: Pick<Logger, 'warn'>): void {
  if (result.optOutsCarried > 0) {
    logger.warn(
      { optOutsCarried: result.optOutsCarried },
      'opt-outs stored under WhatsApp JID digits were applied to the numbers the service sends to (OPERATIONS §10)',
    );
  }
}

/** Migrations present in drizzle/ but not yet applied to this database. */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const files = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  let applied: number[];
  try {
    const rows = await database.db.execute<{ created_at: string }>(
      sql`select created_at from drizzle.__drizzle_migrations`,
    );
    applied = rowsOf<{ created_at: string }>(rows).map((r) => Number(r.created_at));
  } catch (err) {
    // Only a database never migrated (no drizzle schema or table yet) has everything pending. Any
    // other failure (the database unreachable, a wrong password) is that failure: taken for "none
    // applied", it said every migration was pending and sent the operator to run `migrate`.
    if (!neverMigrated(err)) {
      const cause = (err as { cause?: unknown }).cause ?? err;
      throw new Error(`could not read which migrations were applied: ${(cause as Error).message}`, {
        cause: err,
      });
    }
    applied = [];
  }
  const last = applied.length ? Math.max(...applied) : 0;
  return files.filter((m) => m.folderMillis > last).map((m) => String(m.folderMillis));
}

/** undefined_table, invalid_schema_name: the migrations table does not exist yet. */
const NOT_MIGRATED_CODES = new Set(['42P01', '3F000']);

function neverMigrated(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && NOT_MIGRATED_CODES.has(e.code)) return true;
  return neverMigrated(e.cause, depth + 1);
}
