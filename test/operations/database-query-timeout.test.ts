// PostgreSQL that stops answering without closing anything (a host gone silent, a failover that
// drops packets), for the requests and jobs themselves: database-silent.test.ts has the probes.
// Every statement used to wait for ever on it, so an API request hung instead of answering 503
// `database_unavailable`, and a send job hung holding its claim. DATABASE_QUERY_TIMEOUT_MS fails a
// statement with no answer in time, and its connection leaves the pool: one kept (Drizzle's
// ROLLBACK on it, then released without an error) would make every later statement on it wait
// behind the dead one, and a transaction whose BEGIN timed out was never released at all, leaving
// the pool short of that connection for good. The pool here has 2 connections and every phase
// sends more requests than that. Migrations are not cut. PostgreSQL only: embedded PGlite runs
// in the process and cannot go silent.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrate.js';
import { dependencyDown } from '../../src/domain/dependency-down.js';
import { createTestDatabase } from '../support/database.js';
import type { HttpClient } from '../support/http.js';
import { startRelay, type Relay } from '../support/pg-relay.js';
import { startTestService, testEnv, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const TIMEOUT_MS = 1_500;
/**
 * A statement's timeout after, at worst, the pool's 5 s wait for a connection (one that never
 * opens while the database is silent), with a margin for a loaded machine.
 */
const ANSWER_WITHIN_MS = 12_000;

const base = await createTestDatabase();
const location = base.location;
const onPostgres = location.kind === 'postgres';
if (!onPostgres) console.log('database-query-timeout: skipped on PGlite (set DATABASE_URL to run it)');

/** The configuration a process gets from its environment, with the test's timeout. */
const databaseConfig = (url: string) =>
  loadConfig(
    testEnv({
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: '2',
      DATABASE_QUERY_TIMEOUT_MS: String(TIMEOUT_MS),
    }),
  ).database;

let relay: Relay;
let relayed: Database;
let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  if (!onPostgres) return;
  relay = await startRelay(new URL(location.url), 'tcp');
  relayed = await openDatabase(databaseConfig(relay.url));
  service = await startTestService({
    database: { ...relayed, location, destroy: () => relayed.close().catch(() => undefined) },
    env: {
      // The session is read once and then cached, so each request's first statement is its own.
      SESSION_CACHE_TTL_MS: '300000',
      // A send that meets the silent database goes through its attempts to the held last one.
      SEND_MAX_ATTEMPTS: '2',
      SEND_BACKOFF_BASE_MS: '200',
      SEND_BACKOFF_MAX_MS: '500',
      // A claim whose statement went unanswered may have been written all the same (the relay
      // delivers what it held, as a slow network may): the message then waits out the claim's
      // hold (this timeout + 5 s) before another attempt may send it.
      EVOLUTION_REQUEST_TIMEOUT_MS: '1000',
    },
  });
  ana = await connectedAdvisor(service, 'Ana');
});

afterAll(async () => {
  if (!onPostgres) return base.destroy();
  relay?.thaw();
  await service?.close();
  relay?.close();
  await base.destroy();
});

let seq = 0;
const phone = () => `+3461200${String(4000 + seq++).padStart(4, '0')}`;

/** A request of each kind: a read, a write in a transaction (BEGIN first), a send. */
const requests = (client: HttpClient) => [
  () => client.get('/api/whatsapp/messages'),
  () =>
    client.post('/api/appointments', {
      externalId: `bk-${randomUUID()}`,
      clientName: 'Marta',
      clientPhone: phone(),
      startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      timezone: 'Europe/Madrid',
    }),
  () => client.post('/api/whatsapp/send', { to: phone(), text: 'Hola' }),
];

/** Each call's answer, or a failure naming it if none came within ANSWER_WITHIN_MS. */
async function answered(call: () => Promise<{ status: number; body: any }>, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${ANSWER_WITHIN_MS} ms`)),
      ANSWER_WITHIN_MS,
    );
  });
  try {
    return await Promise.race([call(), silence]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * While the database is silent: every request answers the documented 503. The bookings go first,
 * one on each of the pool's connections, so that it is their BEGIN that meets the silence (the
 * statement Drizzle never released its connection after). The read and the send come after.
 */
async function expectUnavailable(client: HttpClient) {
  const [list, booked, send] = requests(client);
  const answers = await Promise.all([booked!, booked!].map((call, i) => answered(call, `booking ${i}`)));
  answers.push(...(await Promise.all([answered(list!, 'list'), answered(send!, 'send')])));
  for (const res of answers) {
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: { code: 'database_unavailable', message: expect.stringMatching(/database/i), details: {} },
    });
  }
}

/** Both of the pool's connections open and idle, as in a running service. */
async function warmPool(client: HttpClient) {
  const reads = await Promise.all([1, 2, 3].map(() => client.get('/api/whatsapp/messages')));
  expect(reads.map((r) => r.status)).toEqual([200, 200, 200]);
}

/** Served again: three rounds of every kind, one after another, more than the pool's 2 connections. */
async function expectServed(client: HttpClient): Promise<string[]> {
  const sent: string[] = [];
  for (let round = 0; round < 3; round++) {
    const [list, booked, send] = requests(client);
    expect((await answered(list!, 'list')).status).toBe(200);
    expect((await answered(booked!, 'booking')).status).toBe(201);
    const res = await answered(send!, 'send');
    expect(res.status).toBe(202);
    sent.push(res.body.message.id);
  }
  return sent;
}

async function waitUntilSent(client: HttpClient, ids: string[]) {
  for (const id of ids) {
    const done = await waitFor(
      () => client.get(`/api/whatsapp/messages/${id}`),
      (r) => ['sent', 'delivered', 'read', 'failed'].includes(r.body.status),
      { what: `message ${id} sent`, timeoutMs: 30_000 },
    );
    expect(done.body.status, JSON.stringify(done.body.error)).not.toBe('failed');
  }
}

describe.skipIf(!onPostgres)(
  'when PostgreSQL stops answering a running service',
  { timeout: 120_000 },
  () => {
    it('answers 503 database_unavailable at once, and serves again on the same pool once it answers', async () => {
      // Accepted before the freeze and due during it: its job meets the silent database.
      const early = await ana.client.post('/api/whatsapp/send', {
        to: phone(),
        text: 'Antes del corte',
        scheduledAt: new Date(Date.now() + 3_000).toISOString(),
      });
      expect(early.status).toBe(202);
      expect(early.body.message.status).toBe('scheduled');
      await warmPool(ana.client);
      relay.freeze();
      await expectUnavailable(ana.client);
      relay.thaw();
      const sent = await expectServed(ana.client);
      // Nothing lost: the early message and those accepted since go out.
      await waitUntilSent(ana.client, [early.body.message.id, ...sent]);
    });

    it('serves again after a failover that leaves the old connections silent for good', async () => {
      await warmPool(ana.client);
      // A transaction that meets the silence after its BEGIN fails as an outage, after one timeout:
      // its ROLLBACK, on the same connection, fails at once. It used to wait behind the silent
      // statement for a timeout of its own, and Drizzle then put the blocked connection back.
      const started = Date.now();
      const midway = await relayed.db
        .transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          relay.freeze();
          await tx.execute(sql`select 2`);
        })
        .catch((err: unknown) => err);
      expect(dependencyDown(midway)).toBe('database');
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1_000);
      await expectUnavailable(ana.client);
      // The connections open now never answer again; new ones reach the database. A connection
      // the pool had kept after its statement timed out would fail every request that drew it.
      relay.failover();
      // A connection attempt made while frozen may still be timing out (5 s): wait that out once.
      await waitFor(
        () => ana.client.get('/api/whatsapp/messages'),
        (r) => r.status === 200,
        { what: 'the service answering after the failover', timeoutMs: ANSWER_WITHIN_MS },
      );
      const sent = await expectServed(ana.client);
      await waitUntilSent(ana.client, sent);
    });
  },
);

describe.skipIf(!onPostgres)('migrations', () => {
  it('are not cut by DATABASE_QUERY_TIMEOUT_MS: the lock waits for another migrating process', async () => {
    const { url } = location as { url: string };
    const database = await openDatabase(databaseConfig(url));
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      // The bound is on: a statement longer than it fails, and the pool serves the next one.
      await expect(database.pgPool!.query('select pg_sleep(2)')).rejects.toThrow('Query read timeout');
      expect((await database.pgPool!.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      // Another process migrating holds the lock for longer than the bound.
      await other.query('select pg_advisory_lock(724113901)');
      const released = new Promise((r) => setTimeout(r, TIMEOUT_MS * 2)).then(() =>
        other.query('select pg_advisory_unlock(724113901)'),
      );
      const started = Date.now();
      await runMigrations(database);
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS * 2 - 100);
      await released;
    } finally {
      await other.end();
      await database.close();
    }
  });
});
