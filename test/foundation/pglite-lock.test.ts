// One process per embedded database directory. A second process on the same PGlite directory
// worked on its own copy of the pages: `create-admin` beside a running sandbox service answered
// "admin … ready", the service never saw the account, and after its restart the account was gone.
// Real child processes, as an operator runs them. PGlite only: PostgreSQL arbitrates itself.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rowsOf, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { DatabaseInUseError, lockPgliteDir, PGLITE_LOCK_FILE } from '../../src/db/pglite-lock.js';
import { spawnCli } from '../support/cli-process.js';
import { testEnv } from '../support/service.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ww-pglite-lock-'));
  if (onPostgres) return;
  const database = await openDatabase({ kind: 'pglite', dir });
  await runMigrations(database);
  await database.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function createAdmin(email: string) {
  const run = spawnCli(['create-admin', '--email', email, '--password-stdin'], testEnv({ PGLITE_DIR: dir }), {
    stdin: 'a-long-password-1\n',
  });
  return { code: await run.exited, output: run.output() };
}

async function admins(database: Database): Promise<string[]> {
  const rows = rowsOf<{ email: string }>(
    await database.db.execute(sql`select email from "user" where role = 'admin' order by email`),
  );
  return rows.map((r) => r.email);
}

describe.skipIf(onPostgres)('the embedded database directory', { timeout: 120_000 }, () => {
  it('refuses a second process while one holds it, saying which, and lets it in once released', async () => {
    const held = await openDatabase({ kind: 'pglite', dir });
    try {
      const refused = await createAdmin('root@clinic.test');
      expect(refused.code).not.toBe(0);
      expect(refused.output).toContain(`is in use by another process (pid ${process.pid})`);
      expect(refused.output).not.toMatch(/ready/);
      // The holder's data is untouched, and it sees no half-made account.
      expect(await admins(held)).toEqual([]);
    } finally {
      await held.close();
    }
    expect(existsSync(path.join(dir, PGLITE_LOCK_FILE))).toBe(false);

    const created = await createAdmin('root@clinic.test');
    expect(created.output).toMatch(/admin root@clinic\.test \(.+\) ready/);
    expect(created.code).toBe(0);
    const reopened = await openDatabase({ kind: 'pglite', dir });
    try {
      expect(await admins(reopened)).toEqual(['root@clinic.test']);
    } finally {
      await reopened.close();
    }
  });

  it('takes over a lock left by a process that is gone', async () => {
    // A pid that ran and exited: the lock of a service killed with SIGKILL.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(path.join(dir, PGLITE_LOCK_FILE), `${gone.stdout.toString()}\n`);
    const database = await openDatabase({ kind: 'pglite', dir });
    try {
      expect(await admins(database)).toEqual(['root@clinic.test']);
    } finally {
      await database.close();
    }
  });

  it('names the holder in the error, and releases only its own lock', () => {
    const lockDir = mkdtempSync(path.join(os.tmpdir(), 'ww-pglite-lock-unit-'));
    try {
      // The parent of this test process is alive and is not this process.
      writeFileSync(path.join(lockDir, PGLITE_LOCK_FILE), `${process.ppid}\n`);
      const refused = (() => {
        try {
          lockPgliteDir(lockDir);
          return null;
        } catch (err) {
          return err;
        }
      })();
      expect(refused).toBeInstanceOf(DatabaseInUseError);
      expect((refused as DatabaseInUseError).pid).toBe(process.ppid);
      rmSync(path.join(lockDir, PGLITE_LOCK_FILE));

      const release = lockPgliteDir(lockDir);
      expect(existsSync(path.join(lockDir, PGLITE_LOCK_FILE))).toBe(true);
      // Someone removed it and another process took it: this release leaves theirs alone.
      writeFileSync(path.join(lockDir, PGLITE_LOCK_FILE), `${process.ppid}\n`);
      release();
      expect(existsSync(path.join(lockDir, PGLITE_LOCK_FILE))).toBe(true);
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  });
});
