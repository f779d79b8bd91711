// `npm run migrate` (`src/cli.ts migrate`) as an operator runs it: a real child process on a fresh,
// empty database (PGlite directory, or a new PostgreSQL database when DATABASE_URL is set).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rowsOf, type DatabaseTarget } from '../../src/db/client.js';
import { pendingMigrations } from '../../src/db/migrate.js';
import { spawnCli } from '../support/cli-process.js';
import { testEnv } from '../support/service.js';

const adminUrl = process.env.DATABASE_URL;
let target: DatabaseTarget;
let env: Record<string, string>;
let cleanUp: () => Promise<void>;

beforeAll(async () => {
  if (adminUrl) {
    const name = `ww_migrate_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    target = { kind: 'postgres', url: url.toString(), poolSize: 1 };
    env = { DATABASE_URL: url.toString() };
    cleanUp = async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ww-migrate-'));
    target = { kind: 'pglite', dir };
    env = { PGLITE_DIR: dir };
    cleanUp = async () => rmSync(dir, { recursive: true, force: true });
  }
});
afterAll(async () => {
  await cleanUp?.();
});

async function tablesAndPending(): Promise<{ tables: string[]; pending: string[] }> {
  // One process per PGlite directory: opened only while no child runs.
  const database = await openDatabase(target);
  try {
    const rows = rowsOf<{ table_name: string }>(
      await database.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public'`,
      ),
    );
    return { tables: rows.map((r) => r.table_name), pending: await pendingMigrations(database) };
  } finally {
    await database.close();
  }
}

describe(`npm run migrate (${adminUrl ? 'PostgreSQL' : 'PGlite'})`, { timeout: 120_000 }, () => {
  it('creates the schema on an empty database and exits 0; running it again changes nothing', async () => {
    const first = spawnCli(['migrate'], testEnv({ ...env, LOG_LEVEL: 'info' }));
    expect(await first.exited, first.output()).toBe(0);
    expect(first.output()).toContain('migrations applied');

    const after = await tablesAndPending();
    for (const table of ['whatsapp_config', 'whatsapp_message', 'whatsapp_template', 'user', 'apikey']) {
      expect(after.tables).toContain(table);
    }
    expect(after.pending).toEqual([]);

    const again = spawnCli(['migrate'], testEnv(env));
    expect(await again.exited, again.output()).toBe(0);
    expect((await tablesAndPending()).tables.sort()).toEqual([...after.tables].sort());
  });

  it('stops with exit 1 and one line when the database cannot be reached', async () => {
    const proc = spawnCli(['migrate'], testEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' }));
    expect(await proc.exited).toBe(1);
    expect(proc.output().trim().split('\n')).toEqual(['fatal: connect ECONNREFUSED 127.0.0.1:1']);
  });

  it('with MIGRATE_ON_START=false, names an unreachable database instead of calling every migration pending', async () => {
    const proc = spawnCli(
      ['serve', '--role', 'api'],
      testEnv({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', MIGRATE_ON_START: 'false' }),
    );
    expect(await proc.exited).toBe(1);
    // It said "25 database migration(s) pending and MIGRATE_ON_START=false: run `npm run migrate`
    // first.", sending the operator to migrate a database that was only down.
    expect(proc.output().trim().split('\n')).toEqual([
      'fatal: could not read which migrations were applied: connect ECONNREFUSED 127.0.0.1:1',
    ]);

    // A database that was never migrated still has every migration pending.
    const empty = await openDatabase({ kind: 'pglite', dir: null });
    try {
      expect((await pendingMigrations(empty)).length).toBeGreaterThan(20);
    } finally {
      await empty.close();
    }
  });
});
