// PostgreSQL that stops answering without closing anything (a host gone silent, a failover that
// drops packets): the connections stay open and their queries get no reply. /ready must still
// answer, 503 naming the database, instead of hanging on `select 1`; /metrics must still answer
// (the database gauge keeps its last value, as docs/OPERATIONS.md says), instead of hanging the
// whole scrape on the count of connected instances. PostgreSQL only: embedded PGlite runs in the
// process and cannot go silent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiBehindRelay, type ApiBehindRelay } from '../support/api-behind-relay.js';
import { createTestDatabase } from '../support/database.js';

const testDatabase = await createTestDatabase();
const onPostgres = testDatabase.location.kind === 'postgres';
if (!onPostgres) console.log('database-silent: skipped on PGlite (set DATABASE_URL to run it)');

let api: ApiBehindRelay | undefined;
beforeAll(async () => {
  if (onPostgres) api = await startApiBehindRelay(testDatabase, { poolSize: 4 });
});
afterAll(async () => {
  await api?.close();
  await testDatabase.destroy();
});

/** GET `path`, or null if no answer came within `ms` (a probe's or a scrape's timeout). */
async function getWithin(path: string, ms: number): Promise<{ status: number; text: string } | null> {
  try {
    const res = await fetch(`${api!.url}${path}`, { signal: AbortSignal.timeout(ms) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return null;
    throw err;
  }
}

describe.skipIf(!onPostgres)('when PostgreSQL stops answering', () => {
  it('/ready answers 503 naming the database and /metrics still answers, then both recover', async () => {
    // Every pooled connection open and idle, as in a running service.
    expect((await getWithin('/ready', 5_000))?.status).toBe(200);
    expect((await getWithin('/metrics', 5_000))?.status).toBe(200);

    const relay = api!.relay!;
    relay.freeze();
    const ready = await getWithin('/ready', 5_000);
    expect(ready, '/ready answered nothing within 5 s').not.toBeNull();
    expect(ready!.status).toBe(503);
    const body = JSON.parse(ready!.text);
    expect(body.error.code).toBe('service_unavailable');
    expect(body.error.details.checks.database.ok).toBe(false);
    expect(body.error.details.checks.redis.ok).toBe(true);

    const metrics = await getWithin('/metrics', 5_000);
    expect(metrics, '/metrics answered nothing within 5 s').not.toBeNull();
    expect(metrics!.status).toBe(200);
    expect(metrics!.text).toMatch(/^ww_connected_instances \d+$/m);

    // Answering again, the database serves the probes on the same pool.
    relay.thaw();
    expect((await getWithin('/ready', 5_000))?.status).toBe(200);
  });
});
