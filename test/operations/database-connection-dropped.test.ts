// A connection that closes under a transaction's BEGIN (PostgreSQL restarted, pg_terminate_backend,
// a proxy's reset) must go back to the pool. Drizzle's transaction() releases its client only once
// BEGIN has succeeded, so each such BEGIN used to cost the pool a connection for the life of the
// process: a few restarts under load left the service with none, every request waiting for a
// connection that never came free (src/db/bounded-client.ts). PostgreSQL only: embedded PGlite has
// no connections.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createTestDatabase } from '../support/database.js';
import { startRelay, type Relay } from '../support/pg-relay.js';

const testDatabase = await createTestDatabase();
const onPostgres = testDatabase.location.kind === 'postgres';
if (!onPostgres) console.log('database-connection-dropped: skipped on PGlite (set DATABASE_URL to run it)');

let relay: Relay;
let database: Database;

beforeAll(async () => {
  if (!onPostgres) return;
  relay = await startRelay(new URL((testDatabase.location as { url: string }).url), 'tcp');
  database = await openDatabase({ kind: 'postgres', url: relay.url, poolSize: 2 }, () => undefined);
});

afterAll(async () => {
  relay?.close();
  await testDatabase.destroy();
});

/** A transaction's outcome: 'ok', or its error's message. */
function transaction(body: () => Promise<unknown> = async () => undefined): Promise<string> {
  return database.db
    .transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      await body();
    })
    .then(
      () => 'ok',
      (err: Error) => err.message,
    );
}

describe.skipIf(!onPostgres)('a connection that closes under BEGIN', () => {
  it('goes back to the pool: afterwards both connections serve transactions at once, and the pool closes', async () => {
    // One pooled connection open and idle, as in a running service.
    expect(await transaction()).toBe('ok');

    // Its BEGIN is sent and held; a second transaction opens the other connection, held too.
    relay.freeze();
    const cutShort = [transaction(), transaction()];
    await new Promise((resolve) => setTimeout(resolve, 200));
    await relay.cut();
    const outcomes = await Promise.all(cutShort);
    expect(outcomes.every((outcome) => outcome !== 'ok')).toBe(true);
    expect(outcomes.some((outcome) => /begin/i.test(outcome))).toBe(true);

    await relay.restore();
    relay.thaw();
    // Two transactions inside at the same time need both of the pool's connections.
    let entered = 0;
    let bothInside: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (bothInside = resolve));
    const meet = async () => {
      entered += 1;
      if (entered === 2) bothInside();
      // The pool gives up on a connection after 5 s (connectionTimeoutMillis); so does this.
      const alone = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the other transaction never got a connection')), 6_000),
      );
      await Promise.race([together, alone]);
    };
    expect(await Promise.all([transaction(meet), transaction(meet)])).toEqual(['ok', 'ok']);
    const pool = database.pgPool!;
    expect(pool.totalCount - pool.idleCount, 'connections still checked out').toBe(0);

    // pool.end() waits for every checked-out connection: a leaked one kept it waiting for ever.
    const closed = await Promise.race([
      database.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(closed).toBe('closed');
  });
});
