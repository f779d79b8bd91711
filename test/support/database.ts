// Gives a test file a database of its own, copied from the migrated template that
// test/global-setup.ts prepared: PGlite by default, PostgreSQL when DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';

export interface TestDatabase extends Database {
  /** Connection info a separate process can use (PostgreSQL URL or PGlite directory). */
  location: { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string };
  destroy(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('dbTemplate');
  if (template.kind === 'pglite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ww-pglite-'));
    cpSync(template.dir, dir, { recursive: true });
    const db = await openDatabase({ kind: 'pglite', dir });
    return {
      ...db,
      location: { kind: 'pglite', dir },
      destroy: async () => {
        await db.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { default: pg } = await import('pg');
  const name = `ww_test_${process.ppid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: template.adminUrl });
  await admin.connect();
  // Two files creating from the template at the same instant can collide; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`create database ${name} template ${template.template}`);
      break;
    } catch (err) {
      if (attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  const url = new URL(template.adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 5 });
  return {
    ...db,
    location: { kind: 'postgres', url: url.toString() },
    destroy: async () => {
      await db.close().catch(() => undefined);
      const dropper = new pg.Client({ connectionString: template.adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}
