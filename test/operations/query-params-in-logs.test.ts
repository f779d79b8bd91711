// A statement that fails is logged with Drizzle's error, whose message ends with the statement's
// parameters ("Failed query: …\nparams: …"): the session token looked up for every signed-in
// request while the database is down, the text of a message whose insert timed out. The logs keep
// the statement and the cause, never the values (docs/OPERATIONS.md, Logs).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createLogger, safeMessage } from '../../src/logger.js';
import { startApiBehindRelay, type ApiBehindRelay } from '../support/api-behind-relay.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { signUpAdvisor } from '../support/http.js';
import { logSink, type LogSink } from '../support/logs.js';
import { startTestService } from '../support/service.js';
import { connectedAdvisor } from '../support/whatsapp.js';

describe('a failed statement in the logs', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('keeps the statement and why it failed, not its parameters, whether the error or its message is logged', async () => {
    const secret = `secret-${randomUUID()}`;
    const err = await database.db.execute(sql`select ${secret}::text as s, 1 / 0 as n`).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain(secret);
    // As better-auth hands it on: its own error, the statement's as the cause.
    const wrapped = new Error('Failed to get session', { cause: err });
    const out = logSink();
    const logger = createLogger('info', 'params', out.stream);
    logger.warn({ err }, 'direct');
    logger.warn({ err: wrapped }, 'wrapped');
    logger.warn({ err: err!.message }, 'message only');
    expect(out.text()).not.toContain(secret);
    const [direct, viaCause, messageOnly] = out.lines();
    for (const line of [direct, viaCause]) {
      const logged = line!.err as { message: string; stack: string };
      expect(logged.message).toMatch(
        /Failed query: select \$1::text as s, 1 \/ 0 as n\nparams: \[redacted\]/,
      );
      // PostgreSQL's own error is the cause (PGlite's does not come through as one).
      if (database.location.kind === 'postgres') expect(logged.message).toMatch(/division by zero/);
      expect(logged.stack).toContain('Failed query: select $1::text as s, 1 / 0 as n');
    }
    expect((direct!.err as { params: unknown }).params).toBe('[redacted]');
    expect((viaCause!.err as { message: string }).message).toMatch(/^Failed to get session: Failed query/);
    expect(messageOnly!.err).toBe('Failed query: select $1::text as s, 1 / 0 as n\nparams: [redacted]');
    // The CLI's `fatal: …` line, written without the logger, leaves them out too.
    expect(safeMessage(err)).toBe('Failed query: select $1::text as s, 1 / 0 as n\nparams: [redacted]');
    const rewrapped = new Error(`Failed to get session: ${err!.message}`, { cause: err });
    expect(safeMessage(rewrapped)).toBe(
      'Failed to get session: Failed query: select $1::text as s, 1 / 0 as n\nparams: [redacted]',
    );
    expect(safeMessage(new Error('plain'))).toBe('plain');
    // The error itself is left as it was: the code that catches it reads it after the log line.
    expect(err!.message).toContain(secret);
    expect((err as unknown as { params: unknown[] }).params).toEqual([secret]);
  });
});

describe('a signed-in request while the database is down', () => {
  let testDatabase: TestDatabase;
  let api: ApiBehindRelay;
  const sink: LogSink = logSink();

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    // Every request asks the database for its session.
    api = await startApiBehindRelay(testDatabase, { env: { SESSION_CACHE_TTL_MS: '0' }, logs: sink.stream });
  });

  afterAll(async () => {
    await api?.close();
    await testDatabase?.destroy();
  });

  it('logs the outage without the session token it looked up', async () => {
    const { url, relay, database } = api;
    const { client } = await signUpAdvisor(url);
    const cookie = decodeURIComponent(/session_token=([^;]+)/.exec(client.cookieHeader())![1]!);
    const token = cookie.split('.')[0]!;
    expect(token.length).toBeGreaterThan(16);

    if (relay) await relay.cut();
    else await database.close();
    const res = await client.get('/api/whatsapp/config');
    expect(res.status).toBe(503);

    const outage = sink.lines().filter((l) => l.msg === 'dependency unavailable');
    expect(outage).toHaveLength(1);
    // The line still says what failed, and why.
    expect(JSON.stringify(outage[0])).toContain('Failed query: select');
    expect(sink.text()).not.toContain(token);
  });
});

// PostgreSQL only: a statement waiting behind a lock past DATABASE_QUERY_TIMEOUT_MS (PGlite has no
// such timeout), as a write does behind a migration's (docs/OPERATIONS.md, PostgreSQL).
const onPostgres = !!process.env.DATABASE_URL;
describe.skipIf(!onPostgres)('a send whose insert times out behind a lock', () => {
  it('answers 503 and logs it without the message text', async () => {
    const base = await createTestDatabase();
    const location = base.location as { kind: 'postgres'; url: string };
    const bounded = await openDatabase({
      kind: 'postgres',
      url: location.url,
      poolSize: 5,
      queryTimeoutMs: 1_000,
    });
    const sink = logSink();
    const service = await startTestService({
      database: { ...bounded, location, destroy: () => bounded.close().then(() => base.destroy()) },
      logger: createLogger('info', 'wellness-whatsapp', sink.stream),
    });
    const locker = new pg.Client({ connectionString: location.url });
    await locker.connect();
    try {
      const ana = await connectedAdvisor(service, 'Ana Bloqueo');
      await locker.query('begin');
      // Reads go on; every write to the table waits.
      await locker.query('lock table whatsapp_message in share mode');
      const text = `Su diagnóstico confidencial ${randomUUID()}`;
      const res = await ana.client.post('/api/whatsapp/send', { to: '+34611000777', text });
      expect(res.status).toBe(503);
      await locker.query('rollback');
      expect(sink.lines().some((l) => l.msg === 'dependency unavailable')).toBe(true);
      expect(sink.text()).not.toContain(text);
    } finally {
      await locker.end();
      await service.close();
    }
  });
});
