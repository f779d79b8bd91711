// Runs once before all test files: prepares a migrated database template that each test file
// copies (PGlite: a data directory; PostgreSQL: a template database), so no test pays for
// creating and migrating a database from scratch.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.js';
import { MIGRATIONS_FOLDER, runMigrations } from '../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dbTemplate: { kind: 'pglite'; dir: string } | { kind: 'postgres'; adminUrl: string; template: string };
  }
}

function migrationsHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (f.endsWith('.sql')) h.update(readFileSync(path.join(MIGRATIONS_FOLDER, f)));
  }
  return h.digest('hex').slice(0, 12);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dir = path.join(os.tmpdir(), `ww-pglite-template-${migrationsHash()}`);
    if (!existsSync(path.join(dir, 'PG_VERSION'))) {
      rmSync(dir, { recursive: true, force: true });
      const db = await openDatabase({ kind: 'pglite', dir });
      await runMigrations(db);
      await db.close();
    }
    project.provide('dbTemplate', { kind: 'pglite', dir });
    return async () => undefined;
  }
  const { default: pg } = await import('pg');
  const template = `ww_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const templateUrl = new URL(url);
  templateUrl.pathname = `/${template}`;
  const db = await openDatabase({ kind: 'postgres', url: templateUrl.toString(), poolSize: 1 });
  await runMigrations(db);
  await db.close();
  project.provide('dbTemplate', { kind: 'postgres', adminUrl: url, template });
  return async () => {
    // Test databases made from the template are dropped by their files; drop leftovers too.
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'ww_test_${process.pid}_%' or datname = $1`,
      [template],
    );
    for (const r of rows) await admin.query(`drop database if exists ${r.datname} with (force)`);
    await admin.end();
  };
}
