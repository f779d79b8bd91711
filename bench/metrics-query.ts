// How long the metrics take on a large history: `computeMetrics` (what GET /api/whatsapp/metrics
// and GET /api/admin/metrics run) over a million messages in PostgreSQL, for one advisor and for
// the whole platform, next to a bare `count(*)` over the same rows and range measured in the same
// run (the least any query over that range can cost).
//
//   npx tsx bench/metrics-query.ts [--messages 1000000] [--advisors 1000] [--days 90] [--runs 5]
import { parseArgs } from 'node:util';

import { countFlag } from './lib/flags.js';
import { performance } from 'node:perf_hooks';

import { openDatabase } from '../src/db/client.js';
import { computeMetrics } from '../src/domain/metrics/compute-metrics.js';
import { machineLine, timedRuns, writeSection } from './lib/report.js';
import { databaseLine, fmt, LoadSampler, scratchDatabase } from './lib/stack.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    advisors: { type: 'string', default: '1000' },
    days: { type: 'string', default: '90' },
    runs: { type: 'string', default: '5' },
  },
});
const messages = countFlag('messages', values.messages);
const advisors = countFlag('advisors', values.advisors);
const days = countFlag('days', values.days);
const runs = countFlag('runs', values.runs);

const timed = (fn: () => Promise<unknown>) => timedRuns(runs, fn);

async function main(): Promise<void> {
  const sampler = new LoadSampler();
  const scratch = await scratchDatabase('metrics');
  const database = await openDatabase({ kind: 'postgres', url: scratch.url, poolSize: 2 });
  try {
    const pool = scratch.pool;
    const loadStarted = performance.now();
    await pool.query(
      `insert into "user" (id, name, email, role)
       select 'adv' || g, 'Asesora ' || g, 'adv' || g || '@example.test', 'user'
       from generate_series(1, $1) g`,
      [advisors],
    );
    await pool.query(
      `insert into whatsapp_config (advisor_id, public_slug, instance_name, status)
       select 'adv' || g, 'asesora-' || g, 'adv_' || g, case when g % 5 = 0 then 'disconnected' else 'connected' end
       from generate_series(1, $1) g`,
      [advisors],
    );
    // A realistic mix: 85 % outbound with receipts, 15 % inbound; a third from templates. One
    // outbound message in five that did not fail got a reply, 10 minutes later, at every advisor
    // (g % 5 gave every message of one advisor in five a reply and the others none). Times in
    // whole milliseconds, as the service writes them (JavaScript dates): a reply is found by its
    // created_at (milliseconds) equal to the replied_at it set.
    await pool.query(
      `insert into whatsapp_message (advisor_id, direction, phone, type, text, template_key, status, source,
         created_at, sent_at, delivered_at, read_at, replied_at)
       select 'adv' || (1 + g % $2),
         case when g % 7 = 0 then 'inbound' else 'outbound' end,
         '+3461' || lpad((g % 1000000)::text, 7, '0'), 'text', 'Hola, te recuerdo tu cita',
         case g % 3 when 0 then 'appointment_reminder' when 1 then null else 'appointment_confirmation' end,
         case when g % 7 = 0 then 'received' when g % 50 = 1 then 'failed' when g % 4 = 0 then 'delivered' else 'read' end,
         'api', t, t + interval '1 second', t + interval '3 seconds', t + interval '60 seconds',
         case when (g / 1000) % 5 = 0 and g % 7 <> 0 and g % 50 <> 1 then t + interval '10 minutes' end
       from (select g, date_trunc('milliseconds', now()) - ((g::bigint * 7919) % ($3 * 86400)) * interval '1 second' as t
             from generate_series(1, $1) g) s`,
      [messages, advisors, days],
    );
    // Each reply those messages got, as receive-inbound-message.ts stores it: the
    // client's inbound message, same advisor and phone, arrived (created_at) at the outbound's
    // replied_at to the millisecond, dated by WhatsApp (sent_at, whole seconds) 1 to 4 s before
    // it arrived. The metrics look each one up to time the reply from when the client wrote it.
    // Rows added on top of --messages: the counts read them (inbound), the percentiles look them up.
    const replyRows = (
      await pool.query(
        `insert into whatsapp_message (advisor_id, direction, phone, chat_jid, client_name, type, text, status,
           source, purpose, evolution_message_id, read_by_advisor, created_at, updated_at, sent_at)
         select advisor_id, 'inbound', phone, substr(phone, 2) || '@s.whatsapp.net', 'Cliente', 'text', 'Gracias, allí estaré',
           'received', 'phone', 'manual', '3EB0' || upper(substr(md5(id::text), 1, 16)), true, replied_at, replied_at,
           date_trunc('second', replied_at) - (1 + extract(epoch from replied_at)::bigint % 4) * interval '1 second'
         from whatsapp_message
         where direction = 'outbound' and replied_at is not null`,
      )
    ).rowCount!;
    await pool.query(
      `insert into connection_event (advisor_id, status, at)
       select 'adv' || (1 + g % $1), case when g % 2 = 0 then 'qr_pending' else 'connected' end,
              now() - ((g::bigint * 7919) % ($2 * 86400)) * interval '1 second'
       from generate_series(1, $1 * 4) g`,
      [advisors, days],
    );
    await pool.query('vacuum analyze');
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const size = (
      await pool.query<{ size: string }>(
        `select pg_size_pretty(pg_total_relation_size('whatsapp_message')) as size`,
      )
    ).rows[0]!.size;

    const range = { since: new Date(Date.now() - 30 * 86_400_000), until: new Date() };
    const bareAll = await timed(() =>
      pool.query(`select count(*) from whatsapp_message where created_at >= $1 and created_at < $2`, [
        range.since,
        range.until,
      ]),
    );
    const bareOne = await timed(() =>
      pool.query(
        `select count(*) from whatsapp_message where advisor_id = $1 and created_at >= $2 and created_at < $3`,
        ['adv7', range.since, range.until],
      ),
    );
    const one = await timed(() => computeMetrics(database.db, 'adv7', range));
    const all = await timed(() => computeMetrics(database.db, null, range));
    const rows = (
      await pool.query<{ n: string }>(
        `select count(*) as n from whatsapp_message where created_at >= $1 and created_at < $2`,
        [range.since, range.until],
      )
    ).rows[0]!.n;

    const row = (label: string, t: { median: number; max: number }, base: { median: number }) =>
      `| ${label} | ${fmt(t.median, 1)} | ${fmt(t.max, 1)} | ${fmt(t.median / base.median, 1)} × |`;
    const md = [
      '## Metrics over a million messages',
      '',
      `${machineLine()} ${databaseLine('a scratch database')} ${sampler.line()}`,
      `Data: ${fmt(messages)} messages from ${fmt(advisors)} advisors over ${days} days, and the ${fmt(replyRows)} replies that one outbound message in five (not failed, at every advisor) got 10 minutes later, stored as the service stores a client's message (arrived at the replied_at it set, dated by WhatsApp a few seconds earlier); ${size} with indexes, written by SQL in ${fmt(loadSeconds, 0)} s, then \`VACUUM ANALYZE\`. Query: the last 30 days (${fmt(Number(rows))} messages platform-wide). \`computeMetrics\` is what \`GET /api/whatsapp/metrics\` (one advisor) and \`GET /api/admin/metrics\` (platform) run: four statements sent at once, two of them over messages (counts by UTC day, template, direction and status; the response-time percentiles), each reading the range once. Median and worst of ${runs} runs after one warm-up; baselines are a bare \`count(*)\` over the same rows, in the same run.`,
      '',
      '| query | median ms | worst ms | vs its baseline |',
      '| --- | ---: | ---: | ---: |',
      row('bare count(*), one advisor, 30 days (baseline)', bareOne, bareOne),
      row('advisor metrics, 30 days', one, bareOne),
      row('bare count(*), whole platform, 30 days (baseline)', bareAll, bareAll),
      row('platform metrics, 30 days', all, bareAll),
      '',
      'One advisor is served by the `(advisor_id, created_at)` index. The platform view must read every message of the range, since the percentiles need every delivery, read and reply time. It used to run five statements one after the other, three of them reading the range (1,661.5 ms median, 9.2 × its baseline, in the run of 2026-11-30T04:58Z; the daily series sorted the whole range on disk because the planner expected one day per message). Now one statement counts the range by UTC day, template, direction and status into a few hundred groups (hashed and split across parallel workers, since migration 0003 gives the planner statistics on the day expression), from which the daily series, totals and template usage are summed; a second statement, sent at the same time on another connection, sorts the three durations for the percentiles. The reply time runs to when the client wrote the reply, so for each replied message that statement looks up its reply by index (advisor, phone, arrival): a subquery under a `case`, run for replied messages only; the platform view runs it in a transaction with `set local jit = off` (the planner prices the lookup for every message of the range, and with the default JIT settings PostgreSQL compiled the statement with inlining and optimization, about half a second a call). What remains is work per message: reading and filtering the rows, turning three intervals into seconds, sorting them. A single pass (a materialized CTE, or arrays collected by the same grouping) cost as much CPU as the second read, and cannot be split in two.',
      '',
      "Not done, measured on the same data: a covering index on `created_at` including the seven columns the metrics read cut the platform view by about a third and the bare count by two thirds (it becomes an index-only scan), but it is 93 MB per million messages, written by every insert and every status change in the send pipeline, for an admin page. A rollup table cannot keep the percentiles exact (they cannot be summed from parts, and every receipt moves a message's times); it could only serve the counts, which one pass already brings within about 1.5 × of the bare count.",
    ].join('\n');
    console.log(md);
    await writeSection('metrics', md);
  } finally {
    await database.close();
    await scratch.drop();
  }
}

await main();
