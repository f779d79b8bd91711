// Webhook ingestion against the real app (verification, storage in webhook_event, BullMQ hand-over,
// 200), next to a bare Fastify handler answering 200 measured in the same run. Each server runs in a
// child process (this file with `--serve`) so the load generator and the server get a core each.
// The app child ingests with the API role only; afterwards a worker runtime is started on the same
// database and the time to process every stored event is measured, and every event is checked.
// PostgreSQL like the other benches (DATABASE_URL, else the local server; a scratch database is
// created and dropped); BENCH_PGLITE=1 measures embedded PGlite instead.
//
//   npx tsx bench/webhook-ingest.ts [--seconds 5] [--concurrency 8,64] [--advisors 20]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

import { countFlag } from './lib/flags.js';
import { machineLine, percentile, writeSection } from './lib/report.js';
import { ADMIN_DATABASE_URL, benchDataDir } from './lib/stack.js';
import { evolutionWebhookToken } from './lib/webhook-token.js';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '8,64' },
    advisors: { type: 'string', default: '20' },
  },
});
const seconds = countFlag('seconds', values.seconds);
const levels = values.concurrency.split(',').map((level) => countFlag('concurrency', level));
const advisorCount = countFlag('advisors', values.advisors);

interface Tenant {
  instance: string;
  secret: string;
}

/** Child mode: print one JSON line {url, tenants}, then obey `drain` on stdin. */
async function serve(kind: string): Promise<void> {
  // A CPU profile is written on a normal exit only, not when SIGTERM kills the process.
  if (process.env.BENCH_CPU_PROFILE) process.once('SIGTERM', () => process.exit(0));
  if (kind === 'baseline') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.post('/api/whatsapp/webhook', async () => ({ received: true }));
    console.log(JSON.stringify({ url: await app.listen({ host: '127.0.0.1', port: 0 }), tenants: [] }));
    return;
  }
  await serveApp();
}

async function openScratchDatabase() {
  const { openDatabase } = await import('../src/db/client.js');
  const { runMigrations } = await import('../src/db/migrate.js');
  const adminUrl = process.env.BENCH_PGLITE ? undefined : ADMIN_DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(path.join(tmpdir(), 'ww-bench-'));
    const database = await openDatabase({ kind: 'pglite', dir });
    await runMigrations(database);
    return { database, label: 'PGlite', drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const { default: pg } = await import('pg');
  const name = `ww_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 10 });
  await runMigrations(database);
  return {
    database,
    label: 'PostgreSQL',
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function serveApp(): Promise<void> {
  const { loadConfig } = await import('../src/config/config.js');
  const { createLogger } = await import('../src/logger.js');
  const { createRuntime } = await import('../src/runtime.js');
  const { buildApp } = await import('../src/api/build-app.js');
  const { user, whatsappConfig, webhookEvent } = await import('../src/db/schema/index.js');
  const { count, isNull, isNotNull } = await import('drizzle-orm');

  const scratch = await openScratchDatabase();
  const prefix = `wwbench_${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    DATA_DIR: benchDataDir(),
    PUBLIC_BASE_URL: 'http://127.0.0.1',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    // No sandbox emulator: ingestion never calls the gateway.
    EVOLUTION_API_URL: 'http://127.0.0.1:9',
    EVOLUTION_API_KEY: 'unused',
    // The sweeper stays out of the measurement.
    SWEEPER_INTERVAL_MS: '3600000',
    HEALTH_CHECK_INTERVAL_MS: '0',
  });
  const logger = createLogger(config.logLevel);
  const api = await createRuntime(config, logger, 'api', { database: scratch.database });
  const db = scratch.database.db;

  const tenants: Tenant[] = [];
  for (let i = 0; i < advisorCount; i++) {
    const id = `bench-advisor-${i}`;
    const secret = randomBytes(32).toString('base64url');
    const instance = `adv_bench${String(i).padStart(4, '0')}`;
    await db.insert(user).values({ id, name: `Asesora ${i}`, email: `${id}@bench.test` });
    await db.insert(whatsappConfig).values({
      advisorId: id,
      publicSlug: `bench-${i}`,
      instanceName: instance,
      instanceTokenEnc: api.box.seal('token'),
      webhookSecretEnc: api.box.seal(secret),
      status: 'connected',
    });
    tenants.push({ instance, secret });
  }
  // Receipts are about messages we sent, as in production: seed them (see eventBody). Receipts
  // for ids we never recorded take the rarer parking path, which the webhook-storm drill covers.
  const { sql } = await import('drizzle-orm');
  await db.execute(sql`
    insert into whatsapp_message (advisor_id, direction, phone, type, text, status, source, purpose,
      evolution_message_id, sent_at)
    select 'bench-advisor-' || ((2 * k) % ${tenants.length}), 'outbound', '+3461' || (1000000 + k),
      'text', 'bench', 'sent', 'api', 'manual', '3EB0BENCH' || k, now()
    from generate_series(0, ${SEEDED_RECEIPT_IDS - 1}) k`);
  const app = await buildApp(api);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ url, tenants, database: scratch.label }));

  const commands = createInterface({ input: process.stdin });
  for await (const line of commands) {
    if (line !== 'drain') continue;
    const stored = async () => (await db.select({ n: count() }).from(webhookEvent))[0]!.n;
    const pending = async () =>
      (await db.select({ n: count() }).from(webhookEvent).where(isNull(webhookEvent.processedAt)))[0]!.n;
    const total = await stored();
    const started = performance.now();
    const workers = await createRuntime(config, logger, 'worker', { database: scratch.database });
    while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 200));
    const drainMs = performance.now() - started;
    const withError = (
      await db.select({ n: count() }).from(webhookEvent).where(isNotNull(webhookEvent.error))
    )[0]!.n;
    await workers.close();
    await app.close();
    await api.close();
    // Drop the bench's Redis keys.
    const { createRedis } = await import('../src/jobs/redis.js');
    const redis = createRedis(config.redis.url, 'worker');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
    await scratch.database.close();
    await scratch.drop();
    const { webhookStats } = await import('../src/domain/webhooks/webhook-stats.js');
    console.log(JSON.stringify({ total, applied: webhookStats.receiptsApplied, drainMs, withError }));
    process.exit(0);
  }
}

// --- load generator -------------------------------------------------------------------------

/** Messages seeded for the receipts to refer to (event n = 2k is a receipt for message k). */
const SEEDED_RECEIPT_IDS = 200_000;

/**
 * Half delivery receipts for messages we sent (seeded; past SEEDED_RECEIPT_IDS receipts they come
 * round again, as read receipts), half client messages, as a busy advisor's gateway sends them.
 */
function eventBody(tenant: Tenant, n: number): string {
  const jid = `3461${String(1_000_000 + (n % 8_000_000)).padStart(7, '0')}@s.whatsapp.net`;
  const k = n >> 1;
  const data =
    n % 2 === 0
      ? {
          keyId: `3EB0BENCH${k % SEEDED_RECEIPT_IDS}`,
          remoteJid: jid,
          fromMe: true,
          status: Math.floor(k / SEEDED_RECEIPT_IDS) % 2 === 0 ? 'DELIVERY_ACK' : 'READ',
          instanceId: 'bench',
        }
      : {
          key: { remoteJid: jid, fromMe: false, id: `3A5FBENCH${n}` },
          pushName: 'Cliente',
          status: 'DELIVERY_ACK',
          message: { conversation: `Hola, mensaje ${n}`, messageContextInfo: {} },
          messageType: 'conversation',
          messageTimestamp: Math.floor(Date.now() / 1000),
          instanceId: 'bench',
          source: 'android',
        };
  return JSON.stringify({
    event: n % 2 === 0 ? 'messages.update' : 'messages.upsert',
    instance: tenant.instance,
    data,
    destination: 'http://127.0.0.1/api/whatsapp/webhook',
    date_time: new Date().toISOString(),
    sender: '5511999999999@s.whatsapp.net',
    server_url: 'http://evolution.local',
    apikey: null,
  });
}

interface Result {
  label: string;
  concurrency: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

let sequence = 0;

/** `concurrency` loops, each keeping one webhook in flight; the first second warms up, uncounted. */
async function load(
  label: string,
  url: string,
  tenants: Tenant[],
  seconds: number,
  concurrency: number,
): Promise<Result> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const fallback: Tenant = { instance: 'none', secret: 'none' };
  const tokens = (tenants.length ? tenants : [fallback]).map((t) => ({
    tenant: t,
    auth: `Bearer ${evolutionWebhookToken(t.secret)}`,
  }));
  const latencies: number[] = [];
  let errors = 0;
  const warmUpEnd = performance.now() + 1_000;
  const end = warmUpEnd + seconds * 1_000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const n = sequence++;
      const { tenant, auth } = tokens[n % tokens.length]!;
      const body = eventBody(tenant, n);
      const started = performance.now();
      try {
        const response = await pool.request({
          path: '/api/whatsapp/webhook',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body,
        });
        await response.body.dump();
        if (response.statusCode !== 200) errors++;
      } catch {
        errors++;
      }
      const finished = performance.now();
      if (started >= warmUpEnd) latencies.push(finished - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    label,
    concurrency,
    requests: latencies.length,
    errors,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function startChild(kind: string): Promise<{
  child: ChildProcess;
  info: { url: string; tenants: Tenant[]; database?: string };
  next: () => Promise<string>;
}> {
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      // BENCH_CPU_PROFILE=dir writes a V8 CPU profile of each server process there (on exit).
      ...(process.env.BENCH_CPU_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`]
        : []),
      fileURLToPath(import.meta.url),
      '--serve',
      kind,
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`${kind} server exited early`);
    return line.value as string;
  };
  const info = JSON.parse(await next()) as { url: string; tenants: Tenant[]; database?: string };
  return { child, info, next };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const load1 = loadavg()[0]!.toFixed(1);
  const results: Result[] = [];

  const baseline = await startChild('baseline');
  for (const c of levels)
    results.push(
      await load('bare Fastify handler answering 200 (baseline)', baseline.info.url, [], seconds, c),
    );
  await stopChild(baseline.child);

  const app = await startChild('app');
  // Event n goes to tenant n % tenants and, when a receipt, is about seeded message n / 2 of
  // that tenant: start from 0 so the two line up.
  sequence = 0;
  const before = sequence;
  for (const c of levels)
    results.push(
      await load(
        'app: verify JWT, store and enqueue (or apply a receipt), 200',
        app.info.url,
        app.info.tenants,
        seconds,
        c,
      ),
    );
  const sent = sequence - before;
  app.child.stdin!.write('drain\n');
  // The child's logger shares its stdout: skip log lines until the answer.
  let answer = await app.next();
  while (!answer.startsWith('{"total"')) {
    console.error(`[app] ${answer}`);
    answer = await app.next();
  }
  const drained = JSON.parse(answer) as {
    total: number;
    applied: number;
    drainMs: number;
    withError: number;
  };
  await stopChild(app.child);

  const appErrors = results.filter((r) => r.label.startsWith('app')).reduce((s, r) => s + r.errors, 0);
  // Receipts of recorded messages are applied on arrival instead of stored (webhook-event-writer.ts).
  const allStored = drained.total + drained.applied === sent - appErrors;
  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const base = new Map(
    results.filter((r) => r.label.includes('baseline')).map((r) => [r.concurrency, r.rps]),
  );
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${r.concurrency} | ${fmt(r.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.errors} | ${fmt((100 * r.rps) / (base.get(r.concurrency) ?? r.rps))} % |`,
  );
  const md = [
    '## Webhook ingestion',
    '',
    `${machineLine()} Database: ${app.info.database}. 1-minute load average before the run: ${load1}.`,
    `Load: signed Evolution webhooks (half \`messages.update\` receipts for messages sent earlier, seeded, which are applied on arrival; half \`messages.upsert\` client messages, stored for the worker; ${app.info.tenants.length} instances) from an undici Pool, ${seconds} s per row after a 1 s warm-up; each server in its own process. The app runs the API role only; the worker runtime starts afterwards on the same database.`,
    '',
    '| scenario | concurrency | events/s | p50 ms | p99 ms | errors | vs baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Processing: ${fmt(drained.total)} stored events processed in ${fmt(drained.drainMs / 1000, 1)} s by the webhook worker (concurrency 10): ${fmt(drained.total / (drained.drainMs / 1000))} events/s; events kept with an error: ${drained.withError}. Receipts applied on arrival (not stored): ${fmt(drained.applied)}. Every acknowledged event was stored or applied: ${allStored ? 'yes' : `NO (${drained.total} stored and ${drained.applied} applied of ${sent - appErrors} acknowledged)`}.`,
    '',
    'Target: ≥ 5,000 verified events/s accepted with p99 acknowledgement < 20 ms.',
  ].join('\n');
  console.log(md);
  await writeSection('webhooks', md);
  if (!allStored || drained.withError > 0) process.exitCode = 1;
}

if (values.serve) await serve(values.serve);
else await main();
