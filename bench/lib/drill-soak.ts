// The soak drill: a steady, production-shaped load for many minutes (2 workers, delivery and read
// receipts on, clients writing back), watching what a short bench hides: Redis keys that never
// expire, a backlog that builds, latency or memory that drift. Correctness targets as in every
// drill (nothing lost, nothing sent twice, no answer but 202); the Redis keys without an expiry
// must not grow with the messages sent (no persistence is assumed, so keys are all the memory
// Redis has). Memory and latency drift are measured and reported, not judged: a process's RSS
// moves with V8's heap sizing, and a figure to compare between runs says more than a threshold.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

import { QUEUES } from '../../src/jobs/catalogue.js';

import {
  checkSent,
  counts,
  FINAL,
  seconds,
  settle,
  type DrillResult,
  type DrillSizes,
} from './drill-support.js';
import { SendLoad } from './load.js';
import { startPipeline, type PipelineStack } from './pipeline-stack.js';
import { percentile } from './report.js';
import { fmt, REDIS_URL, rssMb, sleep } from './stack.js';

const SAMPLE_EVERY_MS = 10_000;
/** The first minute (connections, JIT, V8 heap sizing; a third of a shorter run) is not part of the drift figures. */
const warmUpMs = (minutes: number) => Math.min(60_000, (minutes * 60_000) / 3);
/** One message in this many gets a reply from its client (the inbound path, conversations). */
const REPLY_EVERY = 20;
/**
 * Keys without an expiry, idle before the load against idle after it: a few may appear once per
 * advisor or client (first seen during the run); more than this, and something is kept per message.
 */
const PERSISTENT_KEY_SLACK = 20;

interface Sample {
  at: number;
  accepted: number;
  final: number;
  rss: Record<string, number | null>;
  keys: number;
  persistentKeys: number;
  redisMb: number;
  databaseMb: number;
  /** PostgreSQL transactions committed in the run's database so far. */
  commits: number;
}

/** Keys under the run's prefix, and how many of them have no expiry. */
async function redisKeys(redis: Redis, prefix: string): Promise<{ keys: number; persistent: number }> {
  let keys = 0;
  let persistent = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys += batch.length;
    if (batch.length) {
      const ttls = await redis.pipeline(batch.map((key) => ['pttl', key])).exec();
      persistent += (ttls ?? []).filter(([, ttl]) => ttl === -1).length;
    }
  } while (cursor !== '0');
  return { keys, persistent };
}

/** `primed`: outbound messages sent before the load (the primer), left out of `final`. */
async function sample(stack: PipelineStack, redis: Redis, accepted: number, primed: number): Promise<Sample> {
  const [{ rows: db }, keys, info] = await Promise.all([
    stack.database.pool.query<{ final: string; bytes: string; commits: string }>(
      `select (select count(*) from whatsapp_message where direction = 'outbound' and status = any($1)) as final,
              pg_database_size(current_database()) as bytes,
              (select xact_commit from pg_stat_database where datname = current_database()) as commits`,
      [FINAL],
    ),
    redisKeys(redis, stack.prefix),
    redis.info('memory'),
  ]);
  const processes = [stack.api, ...stack.workers];
  return {
    at: Date.now(),
    accepted,
    final: Number(db[0]!.final) - primed,
    rss: Object.fromEntries(processes.map((p) => [p.name, rssMb(p.pid)])),
    keys: keys.keys,
    persistentKeys: keys.persistent,
    redisMb: Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / 2 ** 20,
    databaseMb: Number(db[0]!.bytes) / 2 ** 20,
    commits: Number(db[0]!.commits),
  };
}

/**
 * Waits (bounded) until no send or webhook job is waiting, delayed or active and every stored
 * webhook event is processed and every message has its read receipt: receipts trail the sends by
 * a second or more, and a job in flight is a key without expiry that says nothing about leaks.
 */
async function quiet(stack: PipelineStack, redis: Redis, ids: string[], timeoutMs = 60_000): Promise<void> {
  const queues = [QUEUES.send, QUEUES.webhook].map(
    (name) => new Queue(name, { connection: redis, prefix: stack.prefix }),
  );
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const counts = await Promise.all(
        queues.map((q) => q.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized')),
      );
      // The emulator sends each read receipt a second after the send: wait for the last of them.
      const { rows } = await stack.database.pool.query<{ events: string; unread: string }>(
        `select (select count(*) from webhook_event where processed_at is null) as events,
                (select count(*) from whatsapp_message where id = any($1::uuid[]) and status <> 'read') as unread`,
        [ids],
      );
      if (counts.every((n) => n === 0) && rows[0]!.events === '0' && rows[0]!.unread === '0') return;
      if (Date.now() > until) return;
      await sleep(250);
    }
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

/**
 * A PostgreSQL backend reports its transaction counts when it goes idle, at most once a second,
 * and a backend that stays idle reports what it still holds after 10 s: without this wait, the
 * commits of the last seconds before a sample are missing from it (seen: 10.3 against 19.2 per
 * message for the same code).
 */
const STATS_SETTLE_MS = 11_000;

/** Least-squares slope of y over time, per minute. */
function perMinute(points: { at: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const mx = points.reduce((s, p) => s + p.at, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  const num = points.reduce((s, p) => s + (p.at - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.at - mx) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60_000;
}

/** A client answers one of the advisor's messages (the emulator delivers it as an inbound webhook). */
async function clientReplies(stack: PipelineStack, advisor: number, n: number): Promise<boolean> {
  const instance = stack.advisors[advisor]!.instanceName;
  const res = await fetch(`${stack.emulator.url}/_emulator/instances/${instance}/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      from: `3461${String(1_000_000 + (n % 2_000)).padStart(7, '0')}`,
      text: 'Gracias, allí estaré',
    }),
  }).catch(() => null);
  return res?.status === 201;
}

export async function soak(sizes: DrillSizes): Promise<DrillResult> {
  const minutes = sizes.soakMinutes;
  const rate = sizes.quick ? 30 : 50;
  const advisors = 10;
  const tag = `sk${Date.now().toString(36)}`;
  const stack = await startPipeline({
    tag: 'drillsoak',
    advisors,
    workers: 2,
    receipts: true,
    env: { SEND_CONCURRENCY: '20' },
  });
  const redis = new Redis(REDIS_URL);
  const load = new SendLoad(stack.apiUrl, stack.advisors, 32);
  const result = SendLoad.emptyResult();
  const samples: Sample[] = [];
  let repliesFailed = 0;
  let replies = 0;
  try {
    // One message and one reply per advisor first, then an idle sample: every key that exists once
    // per advisor or queue is there, and no job is in flight to count as a key without expiry.
    const primer = SendLoad.emptyResult();
    for (let advisor = 0; advisor < advisors; advisor++) {
      await load.post(advisor, primer, `${tag}p`);
      await clientReplies(stack, advisor, advisor);
    }
    await quiet(
      stack,
      redis,
      primer.posted.map((p) => p.id),
    );
    await sleep(STATS_SETTLE_MS);
    const idle = await sample(stack, redis, 0, 0);
    stack.cpu.begin();
    const total = Math.round(rate * minutes * 60);
    const started = performance.now();
    const startedAt = Date.now();
    const inFlight = new Set<Promise<unknown>>();
    const track = (p: Promise<unknown>) => {
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    };
    let nextSample = startedAt;
    console.error(
      `soak: ${fmt(rate)} messages/s for ${minutes} min (${fmt(total)} messages), 2 workers, receipts on`,
    );
    for (let n = 0; n < total; n++) {
      const wait = started + (n * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      const advisor = n % advisors;
      track(load.post(advisor, result, tag));
      if (n % REPLY_EVERY === REPLY_EVERY - 1) {
        replies++;
        track(clientReplies(stack, advisor, n).then((ok) => void (ok || repliesFailed++)));
      }
      if (Date.now() >= nextSample) {
        nextSample += SAMPLE_EVERY_MS;
        track(
          sample(stack, redis, result.posted.length, primer.posted.length).then(
            (s) => {
              samples.push(s);
              const minute = ((s.at - startedAt) / 60_000).toFixed(1);
              console.error(
                `soak ${minute} min: ${fmt(s.accepted)} accepted, backlog ${fmt(s.accepted - s.final)}, ` +
                  `rss ${Object.entries(s.rss)
                    .map(([k, v]) => `${k} ${fmt(v ?? 0)} MB`)
                    .join(', ')}, ` +
                  `redis keys ${fmt(s.keys)} (${fmt(s.persistentKeys)} without expiry)`,
              );
            },
            (err: Error) => console.error(`soak: a sample failed, skipped: ${err.message}`),
          ),
        );
      }
    }
    await Promise.all(inFlight);
    const loadEndedAt = Date.now();
    const cpu = stack.cpu.end((loadEndedAt - startedAt) / 1000);
    await load.close();
    const ids = result.posted.map((p) => p.id);
    const state = await settle(stack.database.pool, ids, 300_000);
    const drainedAt = Date.now();
    await quiet(stack, redis, ids);
    await sleep(STATS_SETTLE_MS);
    const last = await sample(stack, redis, result.posted.length, primer.posted.length);
    const warm = samples.filter((s) => s.at - startedAt >= warmUpMs(minutes));
    const base = warm[0] ?? samples[0]!;

    const times = await stack.database.pool.query<{ id: string; created: string; sent: string | null }>(
      `select id, extract(epoch from created_at) * 1000 as created, extract(epoch from sent_at) * 1000 as sent
         from whatsapp_message where id = any($1::uuid[])`,
      [ids],
    );
    const byMinute = new Map<number, number[]>();
    for (const r of times.rows) {
      if (r.sent === null) continue;
      const minute = Math.floor((Number(r.created) - startedAt) / 60_000);
      byMinute.set(minute, [...(byMinute.get(minute) ?? []), Number(r.sent) - Number(r.created)]);
    }
    const minutesSorted = [...byMinute].sort(([a], [b]) => a - b).map(([, ms]) => ms.sort((a, b) => a - b));
    const p50s = minutesSorted.map((ms) => percentile(ms, 50));
    const p99s = minutesSorted.map((ms) => percentile(ms, 99));
    console.error(`soak p50 by minute (ms): ${p50s.map((v) => fmt(v)).join(', ')}`);
    console.error(`soak p99 by minute (ms): ${p99s.map((v) => fmt(v)).join(', ')}`);
    const drift = (values: number[]) =>
      `first ${fmt(values[0] ?? 0)} ms, median minute ${fmt(
        percentile(
          [...values].sort((a, b) => a - b),
          50,
        ),
      )} ms, last ${fmt(values.at(-1) ?? 0)} ms`;
    const { rows: inbound } = await stack.database.pool.query<{ n: string }>(
      `select count(*) as n from whatsapp_message where direction = 'inbound'`,
    );
    const { rows: receipts } = await stack.database.pool.query<{ status: string; n: string }>(
      `select status, count(*) as n from whatsapp_message where id = any($1::uuid[]) group by 1`,
      [ids],
    );
    const sent = await checkSent(stack.emulator.url, stack.advisors, tag);
    // Updates that had to write a new entry in every index of the table (not HOT): the receipts'
    // cost in PostgreSQL depends on it.
    const { rows: updates } = await stack.database.pool.query<{ upd: string; hot: string }>(
      `select n_tup_upd as upd, n_tup_hot_upd as hot from pg_stat_user_tables where relname = 'whatsapp_message'`,
    );
    const hotShare = Number(updates[0]?.hot ?? 0) / Math.max(1, Number(updates[0]?.upd ?? 0));

    const rssLine = Object.keys(last.rss)
      .map((name) => {
        const slope = perMinute(warm.map((s) => ({ at: s.at, y: s.rss[name] ?? 0 })));
        return `${name} ${fmt(base.rss[name] ?? 0)} → ${fmt(last.rss[name] ?? 0)} MB (${slope >= 0 ? '+' : ''}${fmt(slope, 1)} MB/min after the warm-up)`;
      })
      .join(', ');
    const backlogs = samples.map((s) => s.accepted - s.final);
    const keyGrowth = last.persistentKeys - idle.persistentKeys;
    const lost = state.missing + state.notFinal;
    const why: string[] = [];
    if (lost) why.push(`${lost} accepted messages not final (${counts(state.byStatus)})`);
    if (state.byStatus.failed || state.byStatus.skipped)
      why.push(`failed or skipped: ${counts(state.failedCodes)}`);
    if (result.errors.size) why.push(`non-202 answers: ${counts(result.errors)}`);
    if (sent.duplicates) why.push(`${sent.duplicates} sent twice (e.g. ${sent.examples.join(', ')})`);
    if (keyGrowth > PERSISTENT_KEY_SLACK)
      why.push(
        `Redis keys without expiry, idle: ${fmt(idle.persistentKeys)} before the load, ${fmt(last.persistentKeys)} after it`,
      );
    if (repliesFailed) why.push(`${repliesFailed} client replies refused by the emulator`);
    return {
      drill: 'soak',
      size: `${fmt(ids.length)} messages at ${fmt(rate)}/s for ${minutes} min, ${fmt(replies)} replies`,
      result: `${counts(Object.fromEntries(receipts.map((r) => [r.status, Number(r.n)])))}; every message final ${seconds(drainedAt - loadEndedAt)} after the load stopped`,
      lost,
      duplicates: sent.duplicates,
      notes:
        `1 API, 2 workers, 10 advisors, receipts on (server ack, delivered, read), one client in ${REPLY_EVERY} writes back ` +
        `(${fmt(Number(inbound[0]!.n))} inbound rows). Backlog (accepted − final) sampled every ${SAMPLE_EVERY_MS / 1000} s: max ${fmt(Math.max(...backlogs))}, last ${fmt(backlogs.at(-1) ?? 0)}. ` +
        `POST→sent by minute, p50: ${drift(p50s)}; p99: ${drift(p99s)}. CPU during the load (share of one core): ${cpu}. PostgreSQL transactions committed per message (every process, with receipts and replies, the drill's own sampling included): ${fmt((last.commits - idle.commits) / ids.length, 1)}; message row updates ${fmt(Number(updates[0]?.upd ?? 0) / ids.length, 1)} per message, ${fmt(hotShare * 100)} % of them HOT (no index written). RSS (end of the warm-up → after the drain): ${rssLine}. ` +
        `Redis keys of the run, idle before → idle after: ${fmt(idle.keys)} → ${fmt(last.keys)}, without expiry ${fmt(idle.persistentKeys)} → ${fmt(last.persistentKeys)} (under load up to ${fmt(Math.max(...samples.map((s) => s.keys)))}); ` +
        `Redis used memory ${fmt(base.redisMb, 1)} → ${fmt(last.redisMb, 1)} MB (whole server). ` +
        `Database ${fmt(base.databaseMb)} → ${fmt(last.databaseMb)} MB (${fmt(((last.databaseMb - base.databaseMb) * 1024) / Math.max(1, ids.length - base.accepted), 1)} kB per message after the warm-up).`,
      pass: why.length === 0,
      why,
    };
  } finally {
    await load.close().catch(() => undefined);
    await redis.quit();
    await stack.close();
  }
}
