// Scheduled reminders (issue 7): what 100,000 planned reminders cost in Redis and in PostgreSQL,
// and how close to the planned instant a reminder actually goes out. Each figure sits next to a
// baseline measured in the same run.
//
//  1. Storage. A scratch PostgreSQL database gets `--advisors` advisors (user + whatsapp_config
//     rows, bulk SQL: booking 100,000 appointments through the HTTP API would take ~20 minutes at
//     the ~80 requests/s this machine manages) and `--reminders` reminder rows shaped like the ones
//     booking writes (status `scheduled`, purpose `reminder`, the real rendered Spanish template,
//     appointment id and version, idempotency key and request hash, due 1–30 days ahead), plus the
//     `message.schedule` audit entry sendMessage writes with each. Every row is then enqueued
//     through the production path, `BullMqMessageQueue.enqueue` (a delayed job whose id derives
//     from the message id), on a fresh Redis key prefix. Redis: `INFO memory` used_memory before
//     and after (the whole server, so other work on this shared Redis can blur it) and the exact
//     `MEMORY USAGE … SAMPLES 0` of every key under the prefix (job hashes, the delayed zset, the
//     events stream…). Database: pg_total_relation_size (heap, TOAST, every index) before and
//     after. Baselines: 100,000 bare BullMQ delayed jobs (empty payload, default options,
//     generated ids) on another prefix, and a bare PostgreSQL schedule table (uuid primary key,
//     due timestamptz, an index on it): the least a database-backed scheduler stores.
//  2. Fire-time accuracy. Real processes (`startPipeline`: API, one worker, emulator; rate limit
//     off), `--fire-advisors` connected advisors, `--fire` reminders POSTed to /api/whatsapp/send
//     with `scheduledAt` spread uniformly over `--fire-seconds` (the public path for a scheduled
//     send; booking plans its reminder through the same sendMessage + enqueue). All are posted
//     before the first is due, so the firing is measured on an otherwise idle pipeline; the lead
//     time comes from the acceptance rate measured in the warm-up. Lateness = sent_at (the
//     worker's clock) − scheduled_at. Baseline, before the pipeline starts: the same number of
//     bare BullMQ delayed no-op jobs at the same relative due times, processed by a Worker in
//     another process (bench/lib/baseline.ts); lateness = the job's finishedOn (that worker's
//     clock, same machine) − its due time. Kept completed jobs give finishedOn per job id, so
//     the existing no-op worker serves as is.
//
// Everything is cleaned up: the scratch databases are dropped, the run's Redis prefixes deleted
// (never FLUSHALL: the Redis is shared).
//
//   npx tsx bench/reminders.ts [--reminders 100000] [--advisors 1000] [--fire 1500]
//                              [--fire-seconds 60] [--fire-advisors 20]
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Pool } from 'undici';

import { BullMqMessageQueue } from '../src/jobs/bullmq-message-queue.js';
import {
  buildAppointmentVariables,
  findBuiltinTemplate,
  ONLINE_APPOINTMENT_PLACE,
  renderTemplate,
} from '../src/domain/templates/index.js';
import { startRawBaseline } from './lib/baseline.js';
import { SendLoad, waitFinal } from './lib/load.js';
import { startPipeline } from './lib/pipeline-stack.js';
import { machineLine, percentile, writeSection } from './lib/report.js';
import {
  ADMIN_DATABASE_URL,
  deletePrefix,
  fmt,
  LoadSampler,
  REDIS_URL,
  scratchDatabase,
  sleep,
  type ScratchDatabase,
} from './lib/stack.js';

const { values } = parseArgs({
  options: {
    reminders: { type: 'string', default: '100000' },
    advisors: { type: 'string', default: '1000' },
    fire: { type: 'string', default: '1500' },
    'fire-seconds': { type: 'string', default: '60' },
    'fire-advisors': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    'send-concurrency': { type: 'string', default: '20' },
  },
});
const reminders = Number(values.reminders);
const advisors = Number(values.advisors);
const fire = Number(values.fire);
const fireSeconds = Number(values['fire-seconds']);
const fireAdvisors = Number(values['fire-advisors']);
const concurrency = Number(values.concurrency);
const sendConcurrency = Number(values['send-concurrency']);
const SEND_MAX_ATTEMPTS = 8; // the default of SEND_MAX_ATTEMPTS (src/config/env-schema.ts)
const DAY = 86_400_000;

/**
 * Drops a scratch database even when its admin connection was terminated meanwhile (other work on
 * this PostgreSQL server may end backends): then with a fresh connection.
 */
async function dropDatabase(db: ScratchDatabase, drop: () => Promise<void> = db.drop): Promise<void> {
  try {
    await drop();
  } catch {
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${db.name} with (force)`);
    await admin.end();
  }
}

/** `total` calls of `task(i)` from `loops` concurrent loops. */
async function inLoops(total: number, loops: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// 1. Storage: Redis memory and database size per scheduled reminder
// ---------------------------------------------------------------------------------------------

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

interface KeyUsage {
  keys: number;
  bytes: number;
  /** Bytes by kind of key: `job` (the job hashes) or the key's own suffix (delayed, events…). */
  byKind: Map<string, { keys: number; bytes: number }>;
}

/** Exact memory of every key under `<prefix>:<queue>:` (MEMORY USAGE with SAMPLES 0). */
async function keyUsage(redis: Redis, prefix: string, queue: string, jobKey: RegExp): Promise<KeyUsage> {
  const usage: KeyUsage = { keys: 0, bytes: 0, byKind: new Map() };
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    cursor = next;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    const results = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const bytes = Number(results[i]?.[1] ?? 0);
      const suffix = key.slice(`${prefix}:${queue}:`.length);
      const kind = jobKey.test(suffix) ? 'job' : suffix;
      const entry = usage.byKind.get(kind) ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += bytes;
      usage.byKind.set(kind, entry);
      usage.keys++;
      usage.bytes += bytes;
    });
  } while (cursor !== '0');
  return usage;
}

interface RedisFigures {
  /** One job hash, field by field: "data 98 B, opts 140 B, …". */
  sample: string;
  jobs: number;
  seconds: number;
  usedDelta: number;
  usage: KeyUsage;
}

/** The fields of one job hash and the size of each value. */
async function hashFields(redis: Redis, key: string): Promise<string> {
  const fields = await redis.hgetall(key);
  return Object.entries(fields)
    .map(([field, value]) => `${field} ${Buffer.byteLength(value)} B`)
    .join(', ');
}

const kindBytes = (usage: KeyUsage, kind: string) => usage.byKind.get(kind)?.bytes ?? 0;

/** 100,000 bare delayed BullMQ jobs: empty payload, no options but the delay, generated ids. */
async function bareJobs(redis: Redis, dues: number[]): Promise<RedisFigures> {
  const prefix = `wwbench_rembare_${randomBytes(3).toString('hex')}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection, prefix });
  try {
    await queue.waitUntilReady();
    const before = await usedMemory(redis);
    const started = performance.now();
    await inLoops(dues.length, concurrency, async (i) => {
      await queue.add('noop', {}, { delay: Math.max(0, dues[i]! - Date.now()) });
    });
    const seconds = (performance.now() - started) / 1000;
    const usedDelta = (await usedMemory(redis)) - before;
    const usage = await keyUsage(redis, prefix, 'noop', /^\d+$/);
    const sample = await hashFields(redis, `${prefix}:noop:1`);
    return { sample, jobs: dues.length, seconds, usedDelta, usage };
  } finally {
    await queue.close();
    await connection.quit();
    await deletePrefix(prefix);
  }
}

interface DbFigures {
  messageBytes: number;
  messageIndexBytes: number;
  auditBytes: number;
  databaseBytes: number;
  bareBytes: number;
  bareIndexBytes: number;
  insertSeconds: number;
}

interface StorageResult {
  redisVersion: string;
  bare: RedisFigures;
  real: RedisFigures;
  enqueueFailures: number;
  db: DbFigures;
}

async function storage(): Promise<StorageResult> {
  const db = await scratchDatabase('rem');
  // A terminated idle admin connection must not crash the run before the clean-up.
  db.admin.on('error', () => undefined);
  const redis = new Redis(REDIS_URL);
  const prefix = `wwbench_rem_${randomBytes(3).toString('hex')}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const messages = new BullMqMessageQueue(connection, prefix, SEND_MAX_ATTEMPTS);
  try {
    const q = (sql: string, params: unknown[] = []) => db.pool.query(sql, params);
    const sizeOf = async (table: string) => {
      const { rows } = await q(
        `select pg_total_relation_size($1::regclass) as total, pg_indexes_size($1::regclass) as indexes,
                pg_database_size(current_database()) as database`,
        [table],
      );
      return {
        total: Number(rows[0].total),
        indexes: Number(rows[0].indexes),
        database: Number(rows[0].database),
      };
    };

    // Advisors: the rows a connected advisor has (better-auth user + whatsapp_config).
    await q(
      `insert into "user" (id, name, email, email_verified)
         select 'bench-adv-' || g, 'Asesora ' || g, 'bench-adv-' || g || '@example.test', true
           from generate_series(1, $1::int) g`,
      [advisors],
    );
    await q(
      `insert into whatsapp_config (advisor_id, public_slug, instance_name, status, phone_number, connected_at)
         select 'bench-adv-' || g, 'asesora-' || g, 'adv_' || substr(md5(g::text), 1, 16), 'connected',
                '+3460' || lpad(g::text, 7, '0'), now()
           from generate_series(1, $1::int) g`,
      [advisors],
    );

    // Baseline table: what any database-backed scheduler must keep per job.
    await q(`create table bench_bare_schedule (id uuid primary key, due_at timestamptz not null)`);
    await q(`create index bench_bare_schedule_due_idx on bench_bare_schedule (due_at)`);

    await q('vacuum analyze whatsapp_message, audit_log');
    const messageBefore = await sizeOf('whatsapp_message');
    const auditBefore = await sizeOf('audit_log');

    // The reminder rows, built as booking builds them.
    const now = Date.now();
    const template = findBuiltinTemplate('appointment_reminder', 'es').body;
    const rows = Array.from({ length: reminders }, (_, i) => {
      const offset = 1_440; // the default reminderOffsetMinutes: the day before
      const dueAt = now + DAY + Math.floor(Math.random() * 29 * DAY);
      const startsAt = new Date(dueAt + offset * 60_000);
      const clientName = `Cliente ${i % 5_000}`;
      const text = renderTemplate(
        template,
        buildAppointmentVariables(
          {
            clientName,
            startsAt,
            timezone: 'Europe/Madrid',
            address: i % 3 === 0 ? ONLINE_APPOINTMENT_PLACE.es : `Calle Mayor ${i % 200}, Madrid`,
          },
          { name: `Asesora ${(i % advisors) + 1}`, locale: 'es-ES' },
        ),
      ).text;
      const appointmentId = randomUUID();
      return {
        id: randomUUID(),
        advisorId: `bench-adv-${(i % advisors) + 1}`,
        phone: `+3461${String(1_000_000 + (i % 1_000_000)).padStart(7, '0')}`,
        clientName,
        text,
        appointmentId,
        idempotencyKey: `appointment:${appointmentId}:v1:reminder`,
        requestHash: createHash('sha256').update(text).digest('hex'),
        scheduledAt: new Date(dueAt),
      };
    });

    const started = performance.now();
    const BATCH = 5_000;
    for (let from = 0; from < rows.length; from += BATCH) {
      const batch = rows.slice(from, from + BATCH);
      const col = <K extends keyof (typeof rows)[number]>(k: K) => batch.map((r) => r[k]);
      await q(
        `insert into whatsapp_message
           (id, advisor_id, direction, phone, client_name, type, text, template_key, appointment_id,
            appointment_version, purpose, status, source, idempotency_key, request_hash, scheduled_at)
         select id, advisor_id, 'outbound', phone, client_name, 'text', text, 'appointment_reminder',
                appointment_id, 1, 'reminder', 'scheduled', 'automation', idempotency_key, request_hash,
                scheduled_at
           from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[],
                       $8::text[], $9::timestamptz[])
             as t(id, advisor_id, phone, client_name, text, appointment_id, idempotency_key, request_hash,
                  scheduled_at)`,
        [
          col('id'),
          col('advisorId'),
          col('phone'),
          col('clientName'),
          col('text'),
          col('appointmentId'),
          col('idempotencyKey'),
          col('requestHash'),
          col('scheduledAt'),
        ],
      );
      // The audit entry sendMessage writes in the same transaction as each scheduled message.
      await q(
        `insert into audit_log (advisor_id, actor_type, action, message_id, phone, content)
         select advisor_id, 'automation', 'message.schedule', id, phone,
                jsonb_build_object('type', 'text', 'text', text, 'caption', null, 'mediaUrl', null,
                                   'fileName', null, 'mimetype', null, 'template', 'appointment_reminder',
                                   'scheduledAt', to_char(scheduled_at at time zone 'UTC',
                                                          'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
           from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
             as t(id, advisor_id, phone, text, scheduled_at)`,
        [col('id'), col('advisorId'), col('phone'), col('text'), col('scheduledAt')],
      );
      await q(
        `insert into bench_bare_schedule (id, due_at) select * from unnest($1::uuid[], $2::timestamptz[])`,
        [col('id'), col('scheduledAt')],
      );
    }
    const insertSeconds = (performance.now() - started) / 1000;
    await q('vacuum analyze whatsapp_message, audit_log, bench_bare_schedule');
    const messageAfter = await sizeOf('whatsapp_message');
    const auditAfter = await sizeOf('audit_log');
    const bare = await sizeOf('bench_bare_schedule');
    const dbFigures: DbFigures = {
      messageBytes: messageAfter.total - messageBefore.total,
      messageIndexBytes: messageAfter.indexes - messageBefore.indexes,
      auditBytes: auditAfter.total - auditBefore.total,
      databaseBytes: bare.database - messageBefore.database,
      bareBytes: bare.total,
      bareIndexBytes: bare.indexes,
      insertSeconds,
    };
    console.error(
      `database: ${fmt(dbFigures.messageBytes / reminders)} B/reminder in whatsapp_message, ${fmt(dbFigures.bareBytes / reminders)} B in the bare table`,
    );

    // Redis baseline: bare delayed jobs at the same due times.
    const bareRedis = await bareJobs(
      redis,
      rows.map((r) => r.scheduledAt.getTime()),
    );
    console.error(
      `redis baseline: ${fmt(bareRedis.usage.bytes / reminders)} B/job by key, ${fmt(bareRedis.usedDelta / reminders)} B/job by used_memory`,
    );

    // The production path: one delayed send job per scheduled row.
    await messages.queue.waitUntilReady();
    const before = await usedMemory(redis);
    let failures = 0;
    const enqueueStarted = performance.now();
    await inLoops(rows.length, concurrency, async (i) => {
      const row = rows[i]!;
      for (let attempt = 0; ; attempt++) {
        try {
          await messages.enqueue({ id: row.id, advisorId: row.advisorId, scheduledAt: row.scheduledAt });
          return;
        } catch (err) {
          failures++;
          if (attempt >= 3) throw err;
        }
      }
    });
    const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
    const usedDelta = (await usedMemory(redis)) - before;
    const usage = await keyUsage(redis, prefix, 'send', /^send-[0-9a-f-]{36}$/);
    const sample = await hashFields(redis, `${prefix}:send:send-${rows[0]!.id}`);
    const real: RedisFigures = { sample, jobs: rows.length, seconds: enqueueSeconds, usedDelta, usage };
    const delayed = await connection.zcard(`${prefix}:send:delayed`);
    if (delayed !== rows.length) throw new Error(`${delayed} delayed jobs for ${rows.length} reminders`);
    console.error(
      `redis: ${fmt(usage.bytes / reminders)} B/reminder by key, ${fmt(usedDelta / reminders)} B/reminder by used_memory`,
    );
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    return { redisVersion, bare: bareRedis, real, enqueueFailures: failures, db: dbFigures };
  } finally {
    await messages.close();
    await connection.quit();
    await redis.quit();
    await deletePrefix(prefix);
    await dropDatabase(db);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Fire-time accuracy
// ---------------------------------------------------------------------------------------------

interface Lateness {
  count: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
}

function latenessOf(ms: number[]): Lateness {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    min: sorted[0] ?? Number.NaN,
  };
}

/** Due offsets (ms after the window opens), spread uniformly over the window. */
const dueOffsets = Array.from({ length: fire }, (_, i) => Math.round((i * fireSeconds * 1000) / fire));

/** Bare BullMQ delayed no-op jobs, processed by a Worker in another process. */
async function bareFiring(leadMs: number): Promise<Lateness> {
  const raw = await startRawBaseline(sendConcurrency);
  try {
    const opens = Date.now() + leadMs;
    const due = new Map<string, number>();
    await inLoops(fire, concurrency, async (i) => {
      const at = opens + dueOffsets[i]!;
      const id = `due-${i}`;
      due.set(id, at);
      await raw.queue.add(
        'noop',
        { messageId: randomUUID(), advisorId: 'bench-advisor', fair: false },
        { jobId: id, delay: Math.max(0, at - Date.now()), priority: 1, removeOnComplete: false },
      );
    });
    if (Date.now() > opens)
      console.error('warning: baseline jobs were still being added when the first was due');
    const until = opens + fireSeconds * 1000 + 120_000;
    while ((await raw.worker.ask('count')).processed < fire) {
      if (Date.now() > until) throw new Error('baseline jobs never all processed');
      await sleep(200);
    }
    const jobs = await raw.queue.getJobs(['completed'], 0, fire);
    return latenessOf(jobs.map((job) => (job.finishedOn ?? Number.NaN) - due.get(job.id!)!));
  } finally {
    await raw.close();
  }
}

interface PipelineFiring {
  lateness: Lateness;
  postedPerSecond: number;
  leadMs: number;
  notScheduled: number;
  failed: number;
  errors: string;
}

async function pipelineFiring(): Promise<PipelineFiring & { baseline: Lateness }> {
  // Measure the API's acceptance rate first, to know how far ahead the window must open. The
  // baseline needs the same lead, so it runs after this warm-up but before the firing.
  const stack = await startPipeline({
    tag: 'remfire',
    advisors: fireAdvisors,
    workers: 1,
    env: { SEND_CONCURRENCY: String(sendConcurrency) },
  });
  stack.database.admin.on('error', () => undefined);
  try {
    const load = new SendLoad(stack.apiUrl, stack.advisors, concurrency);
    const warm = 200;
    const warmStarted = performance.now();
    await load.closedLoop(warm, 16, undefined, 'warm');
    const acceptRate = warm / ((performance.now() - warmStarted) / 1000);
    await waitFinal(stack.database.pool, warm, 120_000);
    await load.close();
    const leadMs = Math.round((fire / acceptRate) * 1000 * 1.5 + 10_000);
    console.error(
      `acceptance ${fmt(acceptRate)} requests/s: the window opens ${fmt(leadMs / 1000, 1)} s ahead`,
    );

    const baseline = await bareFiring(leadMs);
    console.error(`baseline lateness p50 ${fmt(baseline.p50)} ms, p99 ${fmt(baseline.p99)} ms`);

    const pool = new Pool(stack.apiUrl, { connections: 16, pipelining: 1 });
    const errors = new Map<number, number>();
    const ids: string[] = [];
    const opens = Date.now() + leadMs;
    const postStarted = performance.now();
    await inLoops(fire, 16, async (i) => {
      const scheduledAt = new Date(opens + dueOffsets[i]!).toISOString();
      const advisor = stack.advisors[i % stack.advisors.length]!;
      try {
        const res = await pool.request({
          path: '/api/whatsapp/send',
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: advisor.cookie },
          body: JSON.stringify({
            to: `+3461${String(1_000_000 + (i % 2_000)).padStart(7, '0')}`,
            text: `rem-${i} Hola, te recuerdo tu cita de mañana a las 10:00.`,
            scheduledAt,
          }),
        });
        const text = await res.body.text();
        if (res.statusCode !== 202) {
          errors.set(res.statusCode, (errors.get(res.statusCode) ?? 0) + 1);
          return;
        }
        ids.push((JSON.parse(text) as { message: { id: string } }).message.id);
      } catch {
        errors.set(0, (errors.get(0) ?? 0) + 1);
      }
    });
    const postedPerSecond = fire / ((performance.now() - postStarted) / 1000);
    const postedBy = Date.now();
    console.error(
      `posted ${fmt(ids.length)} reminders at ${fmt(postedPerSecond)}/s; first due in ${fmt((opens - postedBy) / 1000, 1)} s`,
    );
    const done = await waitFinal(
      stack.database.pool,
      warm + ids.length,
      (leadMs + fireSeconds * 1000) * 2 + 120_000,
    );
    const { rows } = await stack.database.pool.query<{
      status: string;
      late: string | null;
      planned: boolean;
    }>(
      `select status, scheduled_at is not null as planned,
              (extract(epoch from sent_at - scheduled_at) * 1000)::float8 as late
         from whatsapp_message where id = any($1::uuid[])`,
      [ids],
    );
    return {
      lateness: latenessOf(rows.filter((r) => r.planned && r.late !== null).map((r) => Number(r.late))),
      postedPerSecond,
      leadMs,
      notScheduled: rows.filter((r) => !r.planned).length,
      failed: done.failed,
      errors: [...errors].map(([status, n]) => `${n} × ${status || 'network'}`).join(', ') || 'none',
      baseline,
    };
  } finally {
    // stack.close() stops the processes, deletes the prefix, then drops the database.
    await dropDatabase(stack.database, stack.close);
  }
}

// ---------------------------------------------------------------------------------------------

const perUnit = (bytes: number, n: number) => fmt(bytes / n);
const ratio = (a: number, b: number) => `${fmt(a / b, 1)} ×`;

async function main(): Promise<void> {
  const sampler = new LoadSampler();
  const s = await storage();
  const f = await pipelineFiring();
  console.error(`pipeline lateness p50 ${fmt(f.lateness.p50)} ms, p99 ${fmt(f.lateness.p99)} ms`);

  const n = reminders;
  const realJob = kindBytes(s.real.usage, 'job');
  const bareJob = kindBytes(s.bare.usage, 'job');
  const realDelayed = kindBytes(s.real.usage, 'delayed');
  const bareDelayed = kindBytes(s.bare.usage, 'delayed');
  const realOther = s.real.usage.bytes - realJob - realDelayed;
  const bareOther = s.bare.usage.bytes - bareJob - bareDelayed;
  const otherKeys = (u: KeyUsage) =>
    [...u.byKind]
      .filter(([kind]) => kind !== 'job' && kind !== 'delayed')
      .map(([kind, v]) => `${kind} ${fmt(v.bytes / 1024)} KiB`)
      .join(', ');
  const fireMet = f.lateness.p99 < 1_000;
  const lateRow = (label: string, l: Lateness) =>
    `| ${label} | ${fmt(l.count)} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.max)} | ${fmt(l.min)} |`;
  const md = [
    '## Scheduled reminders: memory, database size, fire-time accuracy',
    '',
    `${machineLine()} Database: PostgreSQL (scratch databases). Redis ${s.redisVersion} (shared with other work). ${sampler.line()}`,
    `Load: ${fmt(n)} reminders for ${fmt(advisors)} advisors (${fmt(n / advisors)} each), due uniformly 1–30 days ahead. Rows written by bulk SQL in the shape booking writes (status \`scheduled\`, purpose \`reminder\`, the rendered Spanish reminder template, appointment id and version, idempotency key, request hash) with the \`message.schedule\` audit entry of each; every row then enqueued through \`BullMqMessageQueue.enqueue\` (${concurrency} concurrent loops; ${fmt(n / s.real.seconds)} enqueues/s, ${s.enqueueFailures} failed calls retried). Baselines: ${fmt(n)} bare BullMQ delayed jobs (empty payload, default options, generated ids) at the same due times, and a bare PostgreSQL table (uuid primary key, due timestamptz, an index on it) with the same ${fmt(n)} rows.`,
    '',
    '| storage per scheduled reminder | bytes | vs baseline |',
    '| --- | ---: | ---: |',
    `| Redis, bare delayed BullMQ job, all its keys (baseline) | ${perUnit(s.bare.usage.bytes, n)} | 1.0 × |`,
    `| Redis, reminder's send job, all its keys (MEMORY USAGE) | ${perUnit(s.real.usage.bytes, n)} | ${ratio(s.real.usage.bytes, s.bare.usage.bytes)} |`,
    `| … of which the job hash (bare: ${perUnit(bareJob, n)}) | ${perUnit(realJob, n)} | ${ratio(realJob, bareJob)} |`,
    `| … of which its entry in the delayed zset (bare: ${perUnit(bareDelayed, n)}) | ${perUnit(realDelayed, n)} | ${ratio(realDelayed, bareDelayed)} |`,
    `| Redis used_memory growth, whole server (bare: ${perUnit(s.bare.usedDelta, n)}) | ${perUnit(s.real.usedDelta, n)} | ${ratio(s.real.usedDelta, s.bare.usedDelta)} |`,
    `| PostgreSQL, bare schedule table with its indexes (baseline) | ${perUnit(s.db.bareBytes, n)} | 1.0 × |`,
    `| PostgreSQL, whatsapp_message row with its indexes | ${perUnit(s.db.messageBytes, n)} | ${ratio(s.db.messageBytes, s.db.bareBytes)} |`,
    `| … of which its 7 indexes (bare: ${perUnit(s.db.bareIndexBytes, n)}) | ${perUnit(s.db.messageIndexBytes, n)} | ${ratio(s.db.messageIndexBytes, s.db.bareIndexBytes)} |`,
    `| PostgreSQL, its audit_log entry with its indexes | ${perUnit(s.db.auditBytes, n)} | |`,
    '',
    `Totals for ${fmt(n)} reminders: Redis ${fmt(s.real.usage.bytes / 1048576, 1)} MiB by key (bare jobs ${fmt(s.bare.usage.bytes / 1048576, 1)} MiB), used_memory +${fmt(s.real.usedDelta / 1048576, 1)} MiB; whatsapp_message +${fmt(s.db.messageBytes / 1048576, 1)} MiB, audit_log +${fmt(s.db.auditBytes / 1048576, 1)} MiB, whole database +${fmt(s.db.databaseBytes / 1048576, 1)} MiB (with the bare table). Keys other than job hashes and the delayed zset, shared by all jobs: ${otherKeys(s.real.usage)} (${fmt(realOther / 1024)} KiB; bare: ${otherKeys(s.bare.usage)}, ${fmt(bareOther / 1024)} KiB). used_memory is the whole shared server, so other work can move it either way; the MEMORY USAGE figures count only this run's keys.`,
    `One reminder's job hash: ${s.real.sample}. A bare job's: ${s.bare.sample}. The difference is the payload (message id, advisor id, fairness flag), the job options every send job carries (attempts, custom backoff, removeOnComplete/removeOnFail, the derived job id) and the 41-character job id repeated in the key, the delayed zset member and the events.`,
    '',
    `Fire-time accuracy: ${fmt(f.lateness.count)} reminders POSTed to /api/whatsapp/send with \`scheduledAt\` (session cookie, ${fireAdvisors} advisors round-robin, ${fmt(f.postedPerSecond)} accepted/s), due uniformly over ${fireSeconds} s (${fmt(fire / fireSeconds, 1)} due per second), the window opening ${fmt(f.leadMs / 1000, 1)} s after the first POST so all were scheduled before any was due. One API process, one worker process (\`SEND_CONCURRENCY=${sendConcurrency}\`), the emulator in its own process (zero latency, receipts off), rate limit effectively off. Lateness = \`sent_at\` (the worker's clock) − \`scheduled_at\`. Baseline, same run: ${fmt(fire)} bare BullMQ delayed no-op jobs at the same relative due times, processed by a Worker (concurrency ${sendConcurrency}) in another process; lateness = the job's \`finishedOn\` − its due time.`,
    '',
    '| firing | reminders | p50 ms | p99 ms | max ms | min ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    lateRow('bare BullMQ delayed no-op job (baseline)', f.baseline),
    lateRow('reminder: due → `sent` recorded', f.lateness),
    '',
    `Non-202 answers: ${f.errors}. Accepted but not scheduled (sent at once): ${f.notScheduled}. Messages failed or skipped: ${f.failed}. Account-safety pacing was off (as in every pipeline benchmark); with it on, as it is by default against a real gateway, a reminder also waits for its advisor's pacing gap (3–8 s between sends by default), so reminders of one advisor due within a few seconds of each other go out later by design.`,
    '',
    `Target: p99 lateness < 1 s. ${fireMet ? 'Met.' : 'Not met on this run.'} (No target was set for memory or size; the figures above are for capacity planning.)`,
  ].join('\n');
  console.log(md);
  await writeSection('reminders', md);
}

await main();
