// `create-admin` as an operator runs it, in a real process: the password comes from stdin, so it
// never shows in the process list, and the account it creates can sign in as a platform admin.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/auth/auth.js';
import { openDatabase } from '../../src/db/client.js';
import { user } from '../../src/db/schema/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { databaseEnv, spawnCli } from '../support/cli-process.js';
import { testEnv } from '../support/service.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  // PGlite allows one process per data directory: hand it over to the child.
  await database.close();
});
afterAll(async () => {
  await database.destroy();
});

function runCli(args: string[], stdin: string): Promise<{ code: number | null; output: string }> {
  const env = testEnv(databaseEnv(database.location));
  const run = spawnCli(args, env, { stdin });
  return run.exited.then((code) => ({ code, output: run.output() }));
}

describe('create-admin', () => {
  it('reads the password from stdin and creates an admin who can sign in with it', async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const email = 'root@clinic.test';
    const run = await runCli(
      ['create-admin', '--email', email, '--password-stdin', '--name', 'Root'],
      `${password}\n`,
    );
    expect(run.output).toMatch(/admin root@clinic\.test \(.+\) ready/);
    expect(run.code).toBe(0);

    const location = database.location;
    const reopened = await openDatabase(
      location.kind === 'postgres'
        ? { kind: 'postgres', url: location.url }
        : { kind: 'pglite', dir: location.dir },
    );
    try {
      const [row] = await reopened.db.select({ role: user.role }).from(user).where(eq(user.email, email));
      expect(row?.role).toBe('admin');
      const auth = createAuth({
        db: reopened.db,
        secret: randomBytes(32).toString('hex'),
        baseUrl: 'http://127.0.0.1',
      });
      const signedIn = await auth.api.signInEmail({ body: { email, password } });
      expect(signedIn.user.email).toBe(email);
      await expect(auth.api.signInEmail({ body: { email, password: `${password}x` } })).rejects.toThrow();
    } finally {
      await reopened.close();
    }
  }, 60_000);

  it('refuses to run without a password, saying which options give one', async () => {
    const run = await runCli(['create-admin', '--email', 'nobody@clinic.test', '--password-stdin'], '');
    expect(run.code).not.toBe(0);
    // Both options were given: it says the password was missing from stdin, not the options.
    expect(run.output).toContain('read no password on stdin');
    const none = await runCli(['create-admin', '--email', 'nobody@clinic.test'], '');
    expect(none.code).not.toBe(0);
    expect(none.output).toContain('needs --email and --password-stdin');
  }, 60_000);
});
