// PostgreSQL dropping every connection (a restart, a failover, pg_terminate_backend) while the
// service holds some of them mid-transaction: the process must survive, the request in flight
// fails cleanly, and the next requests work on fresh connections. PostgreSQL only: embedded
// PGlite has no server connections to lose.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpAdvisor } from '../support/http.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
const onPostgres = Boolean(process.env.DATABASE_URL);
if (!onPostgres) console.log('database-restart: skipped on PGlite (set DATABASE_URL to run it)');

beforeAll(async () => {
  if (onPostgres) service = await startTestService();
});
afterAll(async () => {
  await service?.close();
});

describe.skipIf(!onPostgres)('PostgreSQL dropping its connections', () => {
  it('leaves the process alive and serving, even for a connection held in a transaction', async () => {
    const location = service.database.location;
    if (location.kind !== 'postgres') throw new Error('expected PostgreSQL');
    const db = service.database.db;
    // Hold a pooled connection between two statements of a transaction, as sendMessage does.
    const held = db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await new Promise((r) => setTimeout(r, 800));
      await tx.execute(sql`select 1`);
    });
    await new Promise((r) => setTimeout(r, 200));
    const admin = new pg.Client({ connectionString: location.url });
    await admin.connect();
    const { rows } = await admin.query<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()`,
    );
    await admin.end();
    expect(rows[0]!.n).toBeGreaterThan(0);
    // The transaction in flight fails (its connection is gone) instead of killing the process.
    await expect(held).rejects.toThrow();

    // Fresh connections serve the next requests.
    const { client } = await signUpAdvisor(service.url, 'Tras el reinicio');
    const config = await client.get('/api/whatsapp/config');
    expect(config.status).toBe(200);
    expect(config.body.status).toBe('not_configured');
  });
});
