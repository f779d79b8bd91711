// Scheduled reminders (issue 7): what 100,000 booked appointments with their reminders cost in
// Redis and in PostgreSQL, and how close to the planned instant a real appointment reminder goes
// out while those 100,000 are waiting. Each figure sits next to a baseline measured in the same
// run.
//
// One pipeline runs throughout (`startPipeline`: API, one worker, the emulator as processes of
// their own, a scratch PostgreSQL database, one Redis prefix; rate limit and pacing off), so the
// firing is measured on the very database and Redis that hold the 100,000.
//
//  1. Storage. `--advisors` advisors (user + whatsapp_config rows) and `--reminders` bookings are
//     written by bulk SQL in the shape booking writes (booking 100,000 appointments through the
//     HTTP API would take ~20 minutes at the ~80 requests/s this machine manages), in two steps:
//     a. the reminder rows (status `scheduled`, purpose `reminder`, the real rendered Spanish
//        template, appointment id and version, idempotency key, request hash, due 1–30 days
//        ahead) with the `message.schedule` audit entry of each; every one then enqueued through
//        the production path, `BullMqMessageQueue.enqueue` (a delayed job whose id derives from
//        the message id). Redis: `INFO memory` used_memory before and after (the whole server, so
//        other work on this shared Redis can blur it) and the exact `MEMORY USAGE … SAMPLES 0` of
//        every job key. Database: pg_total_relation_size (heap, TOAST, every index).
//     b. the rest of each booking: the appointment row, the confirmation (sent) and follow-up
//        (scheduled) rows with their audit entries, and the `appointment.book` entry. The
//        follow-up's delayed job is not enqueued: it has the reminder job's shape, so a booking
//        holds two such jobs.
//     Baselines: 100,000 bare BullMQ delayed jobs (empty payload, default options, generated ids)
//     on another prefix, and a bare PostgreSQL schedule table (uuid primary key, due timestamptz,
//     an index on it): the least a database-backed scheduler stores.
//  2. Fire-time accuracy, with the 100,000 still in Redis and the database (and the worker's
//     sweeper scanning them). `--fire` appointments are booked through POST /api/appointments
//     with an API key each of `--fire-advisors` connected advisors (reminder offset
//     `--offset-minutes`, quiet hours off), their reminders due uniformly over `--fire-seconds`;
//     so each reminder goes through booking, the delayed job and the worker's send-time check
//     (appointment still there, same version, not started, quiet hours). All are booked before
//     the first is due; the lead time comes from the booking rate measured in a warm-up.
//     Lateness = sent_at (the worker's clock) − scheduled_at. Baseline, same run: the same number
//     of bare BullMQ delayed no-op jobs at the same relative due times, processed by a Worker in
//     another process (bench/lib/baseline.ts); lateness = the job's finishedOn − its due time.
//
// Everything is cleaned up: the scratch databases are dropped, the run's Redis prefixes deleted
// (never FLUSHALL: the Redis is shared). Check the script with small numbers (e.g. `--reminders
// 2000 --advisors 20 --fire 200 --fire-seconds 20 --no-write`); only a full run on a quiet
// machine belongs in docs/BENCHMARKS.md.
//
//   npx tsx bench/reminders.ts [--reminders 100000] [--advisors 1000] [--fire 1500]
//                              [--fire-seconds 60] [--fire-advisors 20] [--offset-minutes 60]
//                              [--no-write]
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

import { DEFAULT_SEND_CONCURRENCY } from '../src/config/env-schema.js';
import { countFlag } from './lib/flags.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Pool } from 'undici';

import { BullMqMessageQueue } from '../src/jobs/bullmq-message-queue.js';
import {
  buildAppointmentVariables,
  DEFAULT_FOLLOW_UP_MESSAGE,
  findBuiltinTemplate,
  ONLINE_APPOINTMENT_PLACE,
  renderTemplate,
} from '../src/domain/templates/index.js';
import { startRawBaseline } from './lib/baseline.js';
import { startPipeline, type PipelineStack } from './lib/pipeline-stack.js';
import { machineLine, percentile, writeSection } from './lib/report.js';
import {
  ADMIN_DATABASE_URL,
  databaseLine,
  deletePrefix,
  fmt,
  LoadSampler,
  REDIS_URL,
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
    'offset-minutes': { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '32' },
    // The service's own default, so the figures describe the service as it ships.
    'send-concurrency': { type: 'string', default: String(DEFAULT_SEND_CONCURRENCY) },
    /** Print the section only: a trial run with small numbers must not replace the real figures. */
    'no-write': { type: 'boolean', default: false },
  },
});
const reminders = countFlag('reminders', values.reminders);
const advisors = countFlag('advisors', values.advisors);
const fire = countFlag('fire', values.fire);
const fireSeconds = countFlag('fire-seconds', values['fire-seconds']);
const fireAdvisors = countFlag('fire-advisors', values['fire-advisors']);
const offsetMinutes = countFlag('offset-minutes', values['offset-minutes']);
const concurrency = countFlag('concurrency', values.concurrency);
const sendConcurrency = countFlag('send-concurrency', values['send-concurrency']);
const SEND_MAX_ATTEMPTS = 8; // the default of SEND_MAX_ATTEMPTS (src/config/env-schema.ts)
const DAY = 86_400_000;
const BATCH = 5_000;
const ZONE = 'Europe/Madrid';

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
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:${queue}:*`, 'COUNT', 2000);
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

interface Sizes {
  total: number;
  indexes: number;
}

interface DbFigures {
  /** Step a: the reminder rows and their audit entries. */
  reminder: Sizes;
  reminderAudit: number;
  /** Step b: the rest of each booking. */
  otherMessages: Sizes;
  appointment: Sizes;
  otherAudit: number;
  /** The whole database, before step a → after step b (the bare table included). */
  databaseBytes: number;
  bare: Sizes;
  insertSeconds: number;
}

interface StorageResult {
  redisVersion: string;
  bare: RedisFigures;
  /** The reminders' jobs (step a). */
  real: RedisFigures;
  /** Every job of the send queue once the follow-ups are enqueued too (step b). */
  withFollowUps: KeyUsage;
  enqueueFailures: number;
  db: DbFigures;
}

/** One booking of the bulk load: what its rows share. */
interface BulkBooking {
  appointmentId: string;
  advisorId: string;
  advisorName: string;
  phone: string;
  clientName: string;
  address: string | null;
  startsAt: Date;
  reminderId: string;
  reminderAt: Date;
  confirmationId: string;
  followUpId: string;
  followUpAt: Date;
}

interface BulkMessage {
  id: string;
  booking: BulkBooking;
  purpose: 'confirmation' | 'reminder' | 'follow_up';
  templateKey: string;
  text: string;
  status: 'sent' | 'scheduled';
  scheduledAt: Date | null;
  sentAt: Date | null;
  evolutionMessageId: string | null;
}

type Query = (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;

const TEMPLATE_OF = {
  confirmation: 'appointment_confirmation',
  reminder: 'appointment_reminder',
  follow_up: 'follow_up',
} as const;

function renderFor(b: BulkBooking, purpose: BulkMessage['purpose']): string {
  const variables = buildAppointmentVariables(
    {
      clientName: b.clientName,
      startsAt: b.startsAt,
      timezone: ZONE,
      address: b.address ?? ONLINE_APPOINTMENT_PLACE.es,
    },
    { name: b.advisorName, locale: 'es-ES' },
    purpose === 'follow_up' ? DEFAULT_FOLLOW_UP_MESSAGE.es : undefined,
  );
  return renderTemplate(findBuiltinTemplate(TEMPLATE_OF[purpose], 'es').body, variables).text;
}

/** Message rows as sendMessage writes them for an appointment, with its audit entry each. */
async function insertMessages(q: Query, rows: BulkMessage[]): Promise<void> {
  const col = <T>(f: (r: BulkMessage) => T) => rows.map(f);
  await q(
    `insert into whatsapp_message
       (id, advisor_id, direction, phone, client_name, type, text, template_key, appointment_id,
        appointment_version, purpose, status, source, idempotency_key, request_hash, scheduled_at,
        sent_at, evolution_message_id)
     select id, advisor_id, 'outbound', phone, client_name, 'text', text, template_key, appointment_id,
            1, purpose, status, 'automation', idempotency_key, request_hash, scheduled_at, sent_at,
            evolution_message_id
       from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[],
                   $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[],
                   $13::timestamptz[], $14::text[])
         as t(id, advisor_id, phone, client_name, text, template_key, appointment_id, purpose, status,
              idempotency_key, request_hash, scheduled_at, sent_at, evolution_message_id)`,
    [
      col((r) => r.id),
      col((r) => r.booking.advisorId),
      col((r) => r.booking.phone),
      col((r) => r.booking.clientName),
      col((r) => r.text),
      col((r) => r.templateKey),
      col((r) => r.booking.appointmentId),
      col((r) => r.purpose),
      col((r) => r.status),
      col((r) => `appointment:${r.booking.appointmentId}:v1:${r.purpose}`),
      col((r) => createHash('sha256').update(r.text).digest('hex')),
      col((r) => r.scheduledAt),
      col((r) => r.sentAt),
      col((r) => r.evolutionMessageId),
    ],
  );
  await insertAudit(
    q,
    rows.map((r) => ({
      advisorId: r.booking.advisorId,
      actorType: 'automation',
      action: r.scheduledAt ? 'message.schedule' : 'message.send',
      messageId: r.id,
      phone: r.booking.phone,
      content: {
        type: 'text',
        text: r.text,
        caption: null,
        mediaUrl: null,
        fileName: null,
        mimetype: null,
        template: r.templateKey,
        scheduledAt: r.scheduledAt?.toISOString() ?? null,
      },
    })),
  );
}

interface BulkAudit {
  advisorId: string;
  actorType: string;
  action: string;
  messageId: string | null;
  phone: string;
  content: Record<string, unknown>;
}

async function insertAudit(q: Query, rows: BulkAudit[]): Promise<void> {
  await q(
    `insert into audit_log (advisor_id, actor_type, action, message_id, phone, content)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::jsonb[])`,
    [
      rows.map((r) => r.advisorId),
      rows.map((r) => r.actorType),
      rows.map((r) => r.action),
      rows.map((r) => r.messageId),
      rows.map((r) => r.phone),
      rows.map((r) => JSON.stringify(r.content)),
    ],
  );
}

/** Every key of one queue, minus what it held before (shared keys such as `events` included). */
function usageSince(after: KeyUsage, before: KeyUsage): KeyUsage {
  const byKind = new Map<string, { keys: number; bytes: number }>();
  for (const [kind, v] of after.byKind) {
    const b = before.byKind.get(kind) ?? { keys: 0, bytes: 0 };
    byKind.set(kind, { keys: v.keys - b.keys, bytes: v.bytes - b.bytes });
  }
  return { keys: after.keys - before.keys, bytes: after.bytes - before.bytes, byKind };
}

async function enqueueAll(
  messages: BullMqMessageQueue,
  jobs: { id: string; advisorId: string; scheduledAt: Date }[],
): Promise<number> {
  let failures = 0;
  await inLoops(jobs.length, concurrency, async (i) => {
    const job = jobs[i]!;
    for (let attempt = 0; ; attempt++) {
      try {
        await messages.enqueue(job);
        return;
      } catch (err) {
        failures++;
        if (attempt >= 3) throw err;
      }
    }
  });
  return failures;
}

async function storage(stack: PipelineStack): Promise<StorageResult> {
  const db = stack.database;
  const redis = new Redis(REDIS_URL);
  const prefix = stack.prefix;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const messages = new BullMqMessageQueue(connection, prefix, SEND_MAX_ATTEMPTS);
  try {
    const q: Query = (sql, params = []) => db.pool.query(sql, params);
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
    const grew = (after: Sizes, before: Sizes): Sizes => ({
      total: after.total - before.total,
      indexes: after.indexes - before.indexes,
    });

    // Advisors: the rows a connected advisor has (better-auth user + whatsapp_config).
    await q(
      `insert into "user" (id, name, email, email_verified)
         select 'bench-adv-' || g, 'Asesora ' || g, 'bench-adv-' || g || '@example.test', true
           from generate_series(1, $1::int) g`,
      [advisors],
    );
    await q(
      `insert into whatsapp_config (advisor_id, public_slug, instance_name, status, phone_number, connected_at)
         select 'bench-adv-' || g, 'bench-asesora-' || g, 'adv_' || substr(md5('bench' || g), 1, 16), 'connected',
                '+3460' || lpad(g::text, 7, '0'), now()
           from generate_series(1, $1::int) g`,
      [advisors],
    );

    // Baseline table: what any database-backed scheduler must keep per job.
    await q(`create table bench_bare_schedule (id uuid primary key, due_at timestamptz not null)`);
    await q(`create index bench_bare_schedule_due_idx on bench_bare_schedule (due_at)`);

    await q('vacuum analyze whatsapp_message, audit_log, appointment');
    const messageBefore = await sizeOf('whatsapp_message');
    const auditBefore = await sizeOf('audit_log');
    const appointmentBefore = await sizeOf('appointment');

    const now = Date.now();
    const bookings: BulkBooking[] = Array.from({ length: reminders }, (_, i) => {
      const reminderAt = new Date(now + DAY + Math.floor(Math.random() * 29 * DAY));
      const startsAt = new Date(reminderAt.getTime() + DAY); // the default offset: the day before
      return {
        appointmentId: randomUUID(),
        advisorId: `bench-adv-${(i % advisors) + 1}`,
        advisorName: `Asesora ${(i % advisors) + 1}`,
        phone: `+3461${String(1_000_000 + (i % 1_000_000)).padStart(7, '0')}`,
        clientName: `Cliente ${i % 5_000}`,
        address: i % 3 === 0 ? null : `Calle Mayor ${i % 200}, Madrid`,
        startsAt,
        reminderId: randomUUID(),
        reminderAt,
        confirmationId: randomUUID(),
        followUpId: randomUUID(),
        followUpAt: new Date(startsAt.getTime() + 2 * 3_600_000), // the default two hours after
      };
    });
    const batches = function* () {
      for (let from = 0; from < bookings.length; from += BATCH) yield bookings.slice(from, from + BATCH);
    };

    // a. The reminders, as booking writes them.
    const started = performance.now();
    for (const batch of batches()) {
      await insertMessages(
        q,
        batch.map((b) => ({
          id: b.reminderId,
          booking: b,
          purpose: 'reminder',
          templateKey: TEMPLATE_OF.reminder,
          text: renderFor(b, 'reminder'),
          status: 'scheduled',
          scheduledAt: b.reminderAt,
          sentAt: null,
          evolutionMessageId: null,
        })),
      );
      await q(
        `insert into bench_bare_schedule (id, due_at) select * from unnest($1::uuid[], $2::timestamptz[])`,
        [batch.map((b) => b.reminderId), batch.map((b) => b.reminderAt)],
      );
    }
    let insertSeconds = (performance.now() - started) / 1000;
    await q('vacuum analyze whatsapp_message, audit_log, bench_bare_schedule');
    const messageA = await sizeOf('whatsapp_message');
    const auditA = await sizeOf('audit_log');
    const bare = await sizeOf('bench_bare_schedule');
    console.error(
      `database: ${fmt((messageA.total - messageBefore.total) / reminders)} B/reminder in whatsapp_message, ${fmt(bare.total / reminders)} B in the bare table`,
    );

    // Redis baseline: bare delayed jobs at the same due times.
    const bareRedis = await bareJobs(
      redis,
      bookings.map((b) => b.reminderAt.getTime()),
    );
    console.error(
      `redis baseline: ${fmt(bareRedis.usage.bytes / reminders)} B/job by key, ${fmt(bareRedis.usedDelta / reminders)} B/job by used_memory`,
    );

    // The production path: one delayed send job per scheduled reminder.
    await messages.queue.waitUntilReady();
    const jobKey = /^send-[0-9a-f-]{36}$/;
    const usageBefore = await keyUsage(redis, prefix, 'send', jobKey);
    const before = await usedMemory(redis);
    const enqueueStarted = performance.now();
    let failures = await enqueueAll(
      messages,
      bookings.map((b) => ({ id: b.reminderId, advisorId: b.advisorId, scheduledAt: b.reminderAt })),
    );
    const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
    const usedDelta = (await usedMemory(redis)) - before;
    const usage = usageSince(await keyUsage(redis, prefix, 'send', jobKey), usageBefore);
    const sample = await hashFields(redis, `${prefix}:send:send-${bookings[0]!.reminderId}`);
    const real: RedisFigures = { sample, jobs: bookings.length, seconds: enqueueSeconds, usedDelta, usage };
    const delayed = await connection.zcard(`${prefix}:send:delayed`);
    if (delayed < bookings.length)
      throw new Error(`${delayed} delayed jobs for ${bookings.length} reminders`);
    console.error(
      `redis: ${fmt(usage.bytes / reminders)} B/reminder by key, ${fmt(usedDelta / reminders)} B/reminder by used_memory`,
    );

    // b. The rest of each booking: appointment, confirmation (sent), follow-up (scheduled), the
    // booking's audit entry; the follow-ups' jobs too, or the sweeper would add them mid-firing.
    const startedB = performance.now();
    for (const batch of batches()) {
      await q(
        `insert into appointment (id, advisor_id, external_id, client_name, client_phone, starts_at, timezone, address)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                              $7::text[], $8::text[])`,
        [
          batch.map((b) => b.appointmentId),
          batch.map((b) => b.advisorId),
          batch.map((b) => `bk-${b.appointmentId}`),
          batch.map((b) => b.clientName),
          batch.map((b) => b.phone),
          batch.map((b) => b.startsAt),
          batch.map(() => ZONE),
          batch.map((b) => b.address),
        ],
      );
      const sentAt = new Date();
      await insertMessages(q, [
        ...batch.map((b): BulkMessage => ({
          id: b.confirmationId,
          booking: b,
          purpose: 'confirmation',
          templateKey: TEMPLATE_OF.confirmation,
          text: renderFor(b, 'confirmation'),
          status: 'sent',
          scheduledAt: null,
          sentAt,
          evolutionMessageId: `BENCH${b.confirmationId.replaceAll('-', '').slice(0, 20).toUpperCase()}`,
        })),
        ...batch.map((b): BulkMessage => ({
          id: b.followUpId,
          booking: b,
          purpose: 'follow_up',
          templateKey: TEMPLATE_OF.follow_up,
          text: renderFor(b, 'follow_up'),
          status: 'scheduled',
          scheduledAt: b.followUpAt,
          sentAt: null,
          evolutionMessageId: null,
        })),
      ]);
      await insertAudit(
        q,
        batch.map((b) => ({
          advisorId: b.advisorId,
          actorType: 'api_key',
          action: 'appointment.book',
          messageId: null,
          phone: b.phone,
          content: {
            appointmentId: b.appointmentId,
            externalId: `bk-${b.appointmentId}`,
            startsAt: b.startsAt.toISOString(),
            endsAt: null,
            timezone: ZONE,
            plan: [
              { kind: 'confirmation', at: 'now', adjustment: null },
              { kind: 'reminder', at: b.reminderAt.toISOString(), adjustment: null },
              { kind: 'follow_up', at: b.followUpAt.toISOString(), adjustment: null },
            ],
          },
        })),
      );
    }
    insertSeconds += (performance.now() - startedB) / 1000;
    failures += await enqueueAll(
      messages,
      bookings.map((b) => ({ id: b.followUpId, advisorId: b.advisorId, scheduledAt: b.followUpAt })),
    );
    const withFollowUps = usageSince(await keyUsage(redis, prefix, 'send', jobKey), usageBefore);
    await q('vacuum analyze whatsapp_message, audit_log, appointment');
    const messageB = await sizeOf('whatsapp_message');
    const auditB = await sizeOf('audit_log');
    const appointmentB = await sizeOf('appointment');

    const dbFigures: DbFigures = {
      reminder: grew(messageA, messageBefore),
      reminderAudit: auditA.total - auditBefore.total,
      otherMessages: grew(messageB, messageA),
      appointment: grew(appointmentB, appointmentBefore),
      otherAudit: auditB.total - auditA.total,
      databaseBytes: appointmentB.database - messageBefore.database,
      bare: { total: bare.total, indexes: bare.indexes },
      insertSeconds,
    };
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    return {
      redisVersion,
      bare: bareRedis,
      real,
      withFollowUps,
      enqueueFailures: failures,
      db: dbFigures,
    };
  } finally {
    // The rows and jobs stay for the firing; the pipeline's clean-up removes them.
    await messages.close();
    await connection.quit();
    await redis.quit();
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

interface AppointmentFiring {
  lateness: Lateness;
  bookedPerSecond: number;
  leadMs: number;
  /** Booked, but the reminder was not scheduled (planned at once or skipped). */
  notScheduled: number;
  failed: number;
  skipped: string;
  errors: string;
  baseline: Lateness;
  /** Rows and delayed jobs present while the reminders fired. */
  present: { messages: number; appointments: number; delayedJobs: number };
}

/** Waits until every one of these messages is final; returns the final count. */
async function waitIdsFinal(pool: pg.Pool, ids: string[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(
      `select count(*) as n from whatsapp_message
        where id = any($1::uuid[]) and status in ('sent','delivered','read','failed','skipped','cancelled')`,
      [ids],
    );
    if (Number(rows[0]!.n) >= ids.length) return;
    if (Date.now() > until) throw new Error(`only ${rows[0]!.n} of ${ids.length} messages final`);
    await sleep(200);
  }
}

async function appointmentFiring(stack: PipelineStack): Promise<AppointmentFiring> {
  // Each advisor books as the booking module does: an API key, the reminder `offsetMinutes`
  // before, quiet hours off (the window may fall at night where the machine is).
  const keys: string[] = [];
  for (const advisor of stack.advisors) {
    const key = await advisor.client.post('/api/api-keys', { name: 'booking' });
    if (key.status !== 201) throw new Error(`api key: ${key.status} ${JSON.stringify(key.body)}`);
    keys.push((key.body as { key: string }).key);
    const settings = await advisor.client.put('/api/whatsapp/config', {
      settings: { reminderOffsetMinutes: offsetMinutes, quietHours: null },
    });
    if (settings.status !== 200)
      throw new Error(`settings: ${settings.status} ${JSON.stringify(settings.body)}`);
  }
  const pool = new Pool(stack.apiUrl, { connections: 16, pipelining: 1 });
  const errors = new Map<number, number>();
  /** Books one appointment; the reminder's id and planned time, or null when refused. */
  const book = async (tag: string, i: number, startsAt: Date) => {
    try {
      const res = await pool.request({
        path: '/api/appointments',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': keys[i % keys.length]! },
        body: JSON.stringify({
          externalId: `${tag}-${i}`,
          clientName: `Cliente ${i}`,
          clientPhone: `+3461${String(2_000_000 + (i % 1_000_000)).padStart(7, '0')}`,
          startsAt: startsAt.toISOString(),
          timezone: ZONE,
        }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 201) {
        errors.set(res.statusCode, (errors.get(res.statusCode) ?? 0) + 1);
        return null;
      }
      const { messages } = JSON.parse(text) as {
        messages: { id: string; purpose: string; scheduledAt: string | null }[];
      };
      return messages.find((m) => m.purpose === 'reminder') ?? null;
    } catch {
      errors.set(0, (errors.get(0) ?? 0) + 1);
      return null;
    }
  };
  const offsetMs = offsetMinutes * 60_000;
  try {
    // The booking rate first, to know how far ahead the window must open (bookings a week away:
    // only their confirmations go out now).
    const warm = Math.min(200, fire);
    const warmStarted = performance.now();
    await inLoops(warm, 16, async (i) => void (await book('warm', i, new Date(Date.now() + 7 * DAY))));
    const bookRate = warm / ((performance.now() - warmStarted) / 1000);
    const leadMs = Math.round((fire / bookRate) * 1000 * 1.5 + 10_000);
    errors.clear();
    console.error(`booking ${fmt(bookRate)} requests/s: the window opens ${fmt(leadMs / 1000, 1)} s ahead`);

    const baseline = await bareFiring(leadMs);
    console.error(`baseline lateness p50 ${fmt(baseline.p50)} ms, p99 ${fmt(baseline.p99)} ms`);

    const ids: string[] = [];
    let notScheduled = 0;
    const opens = Date.now() + leadMs;
    const postStarted = performance.now();
    await inLoops(fire, 16, async (i) => {
      // The reminder is due at opens + offset; the appointment starts `offsetMinutes` later.
      const reminder = await book('fire', i, new Date(opens + dueOffsets[i]! + offsetMs));
      if (!reminder) return;
      if (!reminder.scheduledAt) notScheduled++;
      ids.push(reminder.id);
    });
    const bookedPerSecond = fire / ((performance.now() - postStarted) / 1000);
    const bookedBy = Date.now();
    console.error(
      `booked ${fmt(ids.length)} appointments at ${fmt(bookedPerSecond)}/s; first reminder due in ${fmt((opens - bookedBy) / 1000, 1)} s`,
    );
    const count = async (sql: string) => Number((await stack.database.pool.query(sql)).rows[0].n);
    const present = {
      messages: await count(`select count(*) as n from whatsapp_message`),
      appointments: await count(`select count(*) as n from appointment`),
      delayedJobs: 0,
    };
    const redis = new Redis(REDIS_URL);
    present.delayedJobs = await redis.zcard(`${stack.prefix}:send:delayed`).finally(() => redis.quit());
    await waitIdsFinal(stack.database.pool, ids, (leadMs + fireSeconds * 1000) * 2 + 120_000);
    const { rows } = await stack.database.pool.query<{
      status: string;
      error_code: string | null;
      late: string | null;
    }>(
      `select status, error_code, (extract(epoch from sent_at - scheduled_at) * 1000)::float8 as late
         from whatsapp_message where id = any($1::uuid[]) and scheduled_at is not null`,
      [ids],
    );
    const skipped = new Map<string, number>();
    for (const r of rows.filter((r) => r.status === 'skipped')) {
      skipped.set(r.error_code ?? '?', (skipped.get(r.error_code ?? '?') ?? 0) + 1);
    }
    return {
      lateness: latenessOf(rows.filter((r) => r.late !== null).map((r) => Number(r.late))),
      bookedPerSecond,
      leadMs,
      notScheduled,
      failed: rows.filter((r) => r.status === 'failed').length,
      skipped: [...skipped].map(([code, n]) => `${n} × ${code}`).join(', ') || 'none',
      errors: [...errors].map(([status, n]) => `${n} × ${status || 'network'}`).join(', ') || 'none',
      baseline,
      present,
    };
  } finally {
    await pool.close();
  }
}

// ---------------------------------------------------------------------------------------------

const perUnit = (bytes: number, n: number) => fmt(bytes / n);
const ratio = (a: number, b: number) => `${fmt(a / b, 1)} ×`;
const mib = (bytes: number) => fmt(bytes / 1048576, 1);

async function main(): Promise<void> {
  const sampler = new LoadSampler();
  const stack = await startPipeline({
    tag: 'rem',
    advisors: fireAdvisors,
    workers: 1,
    // The health check would ask the gateway about the 1,000 bulk advisors' made-up instances.
    env: { SEND_CONCURRENCY: String(sendConcurrency), HEALTH_CHECK_INTERVAL_MS: '0' },
  });
  // A terminated idle admin connection must not crash the run before the clean-up.
  stack.database.admin.on('error', () => undefined);
  let s: StorageResult;
  let f: AppointmentFiring;
  try {
    s = await storage(stack);
    f = await appointmentFiring(stack);
  } finally {
    // stack.close() stops the processes, deletes the prefix, then drops the database.
    await dropDatabase(stack.database, stack.close);
  }
  console.error(`reminder lateness p50 ${fmt(f.lateness.p50)} ms, p99 ${fmt(f.lateness.p99)} ms`);

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
  const db = s.db;
  const bookingBytes =
    db.reminder.total + db.reminderAudit + db.otherMessages.total + db.appointment.total + db.otherAudit;
  const fireMet = f.lateness.p99 < 1_000;
  const lateRow = (label: string, l: Lateness) =>
    `| ${label} | ${fmt(l.count)} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.max)} | ${fmt(l.min)} |`;
  const md = [
    '## Scheduled reminders: memory, database size, fire-time accuracy',
    '',
    `${machineLine()} ${databaseLine('a scratch database')} Redis ${s.redisVersion} (shared with other work). ${sampler.line()}`,
    `Load: ${fmt(n)} booked appointments for ${fmt(advisors)} advisors (${fmt(n / advisors)} each), reminders due uniformly 1–30 days ahead, written by bulk SQL in the shape booking writes: first the reminder rows (status \`scheduled\`, purpose \`reminder\`, the rendered Spanish reminder template, appointment id and version, idempotency key, request hash) with the \`message.schedule\` audit entry of each, every one then enqueued through \`BullMqMessageQueue.enqueue\` (${concurrency} concurrent loops; ${fmt(n / s.real.seconds)} enqueues/s); then the rest of each booking: the appointment row, the confirmation (\`sent\`) and follow-up (\`scheduled\`, its job enqueued too) rows with their audit entries, and the \`appointment.book\` entry (${s.enqueueFailures} failed enqueue calls retried). Baselines: ${fmt(n)} bare BullMQ delayed jobs (empty payload, default options, generated ids) at the reminders' due times, and a bare PostgreSQL table (uuid primary key, due timestamptz, an index on it) with the same ${fmt(n)} rows.`,
    '',
    '| storage per booked appointment | bytes | vs baseline |',
    '| --- | ---: | ---: |',
    `| Redis, bare delayed BullMQ job, all its keys (baseline) | ${perUnit(s.bare.usage.bytes, n)} | 1.0 × |`,
    `| Redis, the reminder's send job, all its keys (MEMORY USAGE) | ${perUnit(s.real.usage.bytes, n)} | ${ratio(s.real.usage.bytes, s.bare.usage.bytes)} |`,
    `| … of which the job hash (bare: ${perUnit(bareJob, n)}) | ${perUnit(realJob, n)} | ${ratio(realJob, bareJob)} |`,
    `| … of which its entry in the delayed zset (bare: ${perUnit(bareDelayed, n)}) | ${perUnit(realDelayed, n)} | ${ratio(realDelayed, bareDelayed)} |`,
    `| Redis used_memory growth for the reminders' jobs, whole server (bare: ${perUnit(s.bare.usedDelta, n)}) | ${perUnit(s.real.usedDelta, n)} | ${ratio(s.real.usedDelta, s.bare.usedDelta)} |`,
    `| Redis, the booking's two jobs (reminder and follow-up), all their keys | ${perUnit(s.withFollowUps.bytes, n)} | ${ratio(s.withFollowUps.bytes, s.bare.usage.bytes)} |`,
    `| PostgreSQL, bare schedule table with its indexes (baseline) | ${perUnit(db.bare.total, n)} | 1.0 × |`,
    `| PostgreSQL, the reminder's whatsapp_message row with its indexes | ${perUnit(db.reminder.total, n)} | ${ratio(db.reminder.total, db.bare.total)} |`,
    `| … of which its 7 indexes (bare: ${perUnit(db.bare.indexes, n)}) | ${perUnit(db.reminder.indexes, n)} | ${ratio(db.reminder.indexes, db.bare.indexes)} |`,
    `| PostgreSQL, the reminder's audit_log entry with its indexes | ${perUnit(db.reminderAudit, n)} | |`,
    `| PostgreSQL, the appointment row with its indexes | ${perUnit(db.appointment.total, n)} | |`,
    `| PostgreSQL, the confirmation and follow-up rows with their indexes | ${perUnit(db.otherMessages.total, n)} | |`,
    `| PostgreSQL, their audit entries and the \`appointment.book\` entry | ${perUnit(db.otherAudit, n)} | |`,
    `| PostgreSQL, the whole booking (the rows above) | ${perUnit(bookingBytes, n)} | ${ratio(bookingBytes, db.bare.total)} |`,
    '',
    `Totals for ${fmt(n)} bookings: Redis ${mib(s.real.usage.bytes)} MiB by key for the reminders' jobs, ${mib(s.withFollowUps.bytes)} MiB with the follow-ups' (bare jobs ${mib(s.bare.usage.bytes)} MiB), used_memory +${mib(s.real.usedDelta)} MiB for the reminders'; whatsapp_message +${mib(db.reminder.total + db.otherMessages.total)} MiB, audit_log +${mib(db.reminderAudit + db.otherAudit)} MiB, appointment +${mib(db.appointment.total)} MiB, whole database +${mib(db.databaseBytes)} MiB (with the bare table); bulk writes took ${fmt(db.insertSeconds, 1)} s. Keys of the send queue other than job hashes and the delayed zset, shared by all jobs: ${otherKeys(s.real.usage)} (${fmt(realOther / 1024)} KiB; bare: ${otherKeys(s.bare.usage)}, ${fmt(bareOther / 1024)} KiB). used_memory is the whole shared server, so other work can move it either way; the MEMORY USAGE figures count only this run's keys.`,
    `One reminder's job hash: ${s.real.sample}. A bare job's: ${s.bare.sample}. The difference is the payload (message id, advisor id, fairness flag), the job options every send job carries (attempts, custom backoff, removeOnComplete/removeOnFail, the derived job id) and the 41-character job id repeated in the key, the delayed zset member and the events.`,
    '',
    `Fire-time accuracy: ${fmt(f.lateness.count)} appointments booked through POST /api/appointments (an API key for each of ${fireAdvisors} connected advisors, round-robin, ${fmt(f.bookedPerSecond)} bookings/s, each also sending its confirmation at once), reminder offset ${offsetMinutes} minutes and quiet hours off, so the reminders fell due uniformly over ${fireSeconds} s (${fmt(fire / fireSeconds, 1)} per second), the window opening ${fmt(f.leadMs / 1000, 1)} s after the first booking so all were booked before any was due. Meanwhile the database held ${fmt(f.present.messages)} messages and ${fmt(f.present.appointments)} appointments and the send queue ${fmt(f.present.delayedJobs)} delayed jobs (the ${fmt(n)} bookings above included), which the worker's sweeper kept scanning. Every reminder went through the worker's send-time check (appointment still there, same version, not started, quiet hours). One API process, one worker process (\`SEND_CONCURRENCY=${sendConcurrency}\`), the emulator in its own process (zero latency, receipts off), rate limit and pacing off. Lateness = \`sent_at\` (the worker's clock) − \`scheduled_at\`. Baseline, same run: ${fmt(fire)} bare BullMQ delayed no-op jobs at the same relative due times, processed by a Worker (concurrency ${sendConcurrency}) in another process; lateness = the job's \`finishedOn\` − its due time.`,
    '',
    '| firing | reminders | p50 ms | p99 ms | max ms | min ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    lateRow('bare BullMQ delayed no-op job (baseline)', f.baseline),
    lateRow('appointment reminder: due → `sent` recorded', f.lateness),
    '',
    `Non-201 answers: ${f.errors}. Booked but the reminder not scheduled: ${f.notScheduled}. Reminders failed: ${f.failed}; skipped: ${f.skipped}. Account-safety pacing was off (as in every pipeline benchmark); with it on, as it is by default against a real gateway, a reminder also waits for its advisor's pacing gap (3–8 s between sends by default), so reminders of one advisor due within a few seconds of each other go out later by design.`,
    '',
    `Target: p99 lateness < 1 s. ${fireMet ? 'Met.' : 'Not met on this run.'} (No target was set for memory or size; the figures above are for capacity planning.)`,
  ].join('\n');
  console.log(md);
  if (!values['no-write']) await writeSection('reminders', md);
}

await main();
