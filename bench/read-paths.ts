// What the dashboard's and the other modules' reads cost on a large database: every GET the
// advisor's pages and the booking module call, over real HTTP against the API process, for an
// advisor with a long history and for one with little, while the database holds a million
// messages (and their audit entries) of a thousand other advisors. Next to them, in the same run,
// `GET /health` (the HTTP round trip with no database work): the least any read can cost.
//
// It looks for reads that grow with the advisor's history (or with everyone's) instead of with
// the page: those pass every test on small tables and only show here.
//
//   npx tsx bench/read-paths.ts [--messages 1000000] [--heavy 300000] [--advisors 1000] [--runs 7]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

import { HttpClient } from '../test/support/http.js';
import { countFlag } from './lib/flags.js';
import { machineLine, timedRuns, writeSection } from './lib/report.js';
import {
  connectAdvisor,
  databaseLine,
  fmt,
  freePort,
  LoadSampler,
  scratchDatabase,
  serviceEnv,
  startEmulatorProcess,
  startServiceProcess,
  type BenchAdvisor,
} from './lib/stack.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    heavy: { type: 'string', default: '300000' },
    advisors: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '7' },
  },
});
const messages = countFlag('messages', values.messages);
const heavyMessages = countFlag('heavy', values.heavy);
const advisors = countFlag('advisors', values.advisors);
const runs = countFlag('runs', values.runs);
const DAYS = 90;
const HEAVY_CLIENTS = 5_000;
const APPOINTMENTS = 20;

// What the table shows beyond its figures; kept with the script so the two stay together.
const PLAIN_WORDS = [
  "Every page is read from an index that starts at the advisor, so most reads cost the same for both advisors. Two grow with the advisor's history by design: the metrics read every message of the range (bench:metrics), and the template list counts, for each template, every message ever sent from it (`usageCount` in API.md), which reads all of the advisor's outbound messages. An index cannot serve that count alone, because it depends on each message's status, which changes with every receipt, and a status in an index would cost every status update its in-place (HOT) write. A counter kept per template would have to follow every status change. Neither is done; the figure is here to watch.",
  "The audit log's first page was 93.5 ms for the advisor with a long history in the first run of this script (2026-12-05T23:37Z, before it was ordered by the advisor's index): the primary key was walked backwards through the 850,000 newer entries of the other advisors.",
].join('\n\n');

/** Median and worst of `runs` calls after one warm-up, in ms, and the status of the last. */
async function timed(client: HttpClient, path: string) {
  const t = await timedRuns(runs, () => client.get(path));
  return { median: t.median, max: t.max, status: t.last.status };
}

/** The messages, clients and audit entries of one advisor, written by SQL. */
async function seedAdvisor(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  advisorId: string,
  count: number,
  clients: number,
  // Filler advisors' messages are spread over `spread` advisor ids sharing this seed.
  salt: number,
): Promise<void> {
  // 85 % outbound with receipts, 15 % inbound; a third from templates; one in fifty failed.
  await query(
    `insert into whatsapp_message (advisor_id, direction, phone, type, text, template_key, status, source,
       created_at, sent_at, delivered_at, read_at, replied_at, read_by_advisor)
     select $1,
       case when g % 7 = 0 then 'inbound' else 'outbound' end,
       '+3461' || lpad(((g * 31 + $4) % $3)::text, 7, '0'), 'text', 'Hola, te recuerdo tu cita',
       case g % 3 when 0 then 'appointment_reminder' when 1 then null else 'appointment_confirmation' end,
       case when g % 7 = 0 then 'received' when g % 50 = 1 then 'failed' when g % 4 = 0 then 'delivered' else 'read' end,
       'api', t, t + interval '1 second', t + interval '3 seconds', t + interval '60 seconds',
       case when g % 5 = 0 then t + interval '10 minutes' end, true
     from (select g, now() - ((g::bigint * 7919 + $4) % ($5 * 86400)) * interval '1 second' as t
           from generate_series(1, $2) g) s`,
    [advisorId, count, clients, salt, DAYS],
  );
  await query(
    `insert into whatsapp_client (advisor_id, phone, last_inbound_at, last_outbound_at, unread)
     select advisor_id, phone,
       max(created_at) filter (where direction = 'inbound'),
       max(created_at) filter (where direction = 'outbound'),
       case when hashtext(phone) % 20 = 0 then 1 else 0 end
     from whatsapp_message where advisor_id = $1 group by advisor_id, phone
     on conflict do nothing`,
    [advisorId],
  );
  await query(
    `insert into audit_log (advisor_id, actor_type, actor_id, action, message_id, phone, content, created_at)
     select advisor_id, 'api_key', 'bench', 'message.send', id, phone,
       jsonb_build_object('text', text), created_at
     from whatsapp_message where advisor_id = $1 and direction = 'outbound' order by created_at`,
    [advisorId],
  );
}

async function main(): Promise<void> {
  const sampler = new LoadSampler();
  const scratch = await scratchDatabase('reads');
  const emulator = await startEmulatorProcess();
  const port = await freePort();
  const prefix = `bench-reads-${process.pid}`;
  const api = await startServiceProcess(
    'all',
    serviceEnv({ databaseUrl: scratch.url, emulator, prefix, port }),
  );
  const apiUrl = `http://127.0.0.1:${port}`;
  try {
    const pool = scratch.pool;
    const query = (sql: string, params: unknown[]) => pool.query(sql, params);
    const heavy = await connectAdvisor(apiUrl, emulator.url, 'Asesora con historia');
    const light = await connectAdvisor(apiUrl, emulator.url, 'Asesora nueva');
    const callers = new Map<BenchAdvisor, HttpClient>(
      [heavy, light].map((a) => [a, new HttpClient(apiUrl, { 'x-api-key': a.apiKey })]),
    );
    // Appointments through the API, as the booking module books them (their audit entries and
    // messages are the real ones); the rest of the history is written by SQL.
    for (const advisor of [heavy, light]) {
      for (let i = 0; i < APPOINTMENTS; i++) {
        const booked = await callers.get(advisor)!.post('/api/appointments', {
          externalId: `bench-${i}`,
          clientName: `Cliente ${i}`,
          clientPhone: `+3461${String(9_000_000 + i)}`,
          startsAt: new Date(Date.now() + (i + 2) * 86_400_000).toISOString(),
        });
        if (booked.status !== 201)
          throw new Error(`booking: ${booked.status} ${JSON.stringify(booked.body)}`);
      }
    }

    const loadStarted = performance.now();
    await pool.query(
      `insert into "user" (id, name, email, role)
       select 'filler' || g, 'Asesora ' || g, 'filler' || g || '@example.test', 'user'
       from generate_series(1, $1) g`,
      [advisors],
    );
    // The other advisors' history, in one statement per advisor would take minutes: one
    // statement, advisors round-robin, interleaved in time with the heavy advisor's.
    await seedAdvisor(query, heavy.userId, heavyMessages, HEAVY_CLIENTS, 0);
    await pool.query(
      `insert into whatsapp_message (advisor_id, direction, phone, type, text, status, source, created_at, sent_at, read_by_advisor)
       select 'filler' || (1 + g % $2), case when g % 7 = 0 then 'inbound' else 'outbound' end,
         '+3462' || lpad((g % 100000)::text, 7, '0'), 'text', 'Hola', case when g % 7 = 0 then 'received' else 'read' end,
         'api', t, t + interval '1 second', true
       from (select g, now() - ((g::bigint * 7919) % ($3 * 86400)) * interval '1 second' as t
             from generate_series(1, $1) g) s`,
      [messages, advisors, DAYS],
    );
    await pool.query(
      `insert into audit_log (advisor_id, actor_type, actor_id, action, message_id, phone, content, created_at)
       select advisor_id, 'api_key', 'bench', 'message.send', id, phone, jsonb_build_object('text', text), created_at
       from whatsapp_message where advisor_id like 'filler%' and direction = 'outbound' order by created_at`,
    );
    await seedAdvisor(query, light.userId, 200, 20, 17);
    await pool.query('vacuum analyze');
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const count = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
    const totalMessages = await count('select count(*) as n from whatsapp_message');
    const totalAudit = await count('select count(*) as n from audit_log');
    const size = (
      await pool.query<{ size: string }>(
        `select pg_size_pretty(pg_total_relation_size('whatsapp_message') + pg_total_relation_size('audit_log')) as size`,
      )
    ).rows[0]!.size;

    const rows: string[] = [];
    const baseline = await timed(callers.get(heavy)!, '/health');
    rows.push(
      `| \`GET /health\` (baseline: no database) | ${fmt(baseline.median, 1)} | ${fmt(baseline.max, 1)} | | |`,
    );
    for (const [label, advisor] of [
      ['long history', heavy],
      ['new advisor', light],
    ] as const) {
      const client = callers.get(advisor)!;
      const history = (await client.get('/api/whatsapp/messages?limit=50')).body as {
        items: { id: string; phone: string }[];
        nextCursor: string | null;
      };
      const audit = (await client.get('/api/whatsapp/audit?limit=50')).body as { nextCursor: number | null };
      const conversations = (await client.get('/api/whatsapp/conversations?limit=50')).body as {
        items: { phone: string }[];
        nextCursor: string | null;
      };
      const phone = encodeURIComponent(conversations.items[0]?.phone ?? '+34610000000');
      const chat = (await client.get(`/api/whatsapp/conversations/${phone}/messages?limit=50`)).body as {
        nextCursor: string | null;
      };
      const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const paths: [string, string][] = [
        ['history, first page', '/api/whatsapp/messages?limit=50'],
        ['history, next page', `/api/whatsapp/messages?limit=50&cursor=${history.nextCursor ?? ''}`],
        ['history, failed only', '/api/whatsapp/messages?limit=50&status=failed'],
        ['history, one client', `/api/whatsapp/messages?limit=50&phone=${phone}`],
        [
          'history, inbound, last 30 days',
          `/api/whatsapp/messages?limit=50&direction=inbound&since=${since}`,
        ],
        ['history, one template', '/api/whatsapp/messages?limit=50&templateKey=appointment_reminder'],
        ['one message', `/api/whatsapp/messages/${history.items[0]?.id ?? ''}`],
        ['audit log, first page', '/api/whatsapp/audit?limit=50'],
        ['audit log, next page', `/api/whatsapp/audit?limit=50&cursor=${audit.nextCursor ?? ''}`],
        ['conversations, first page', '/api/whatsapp/conversations?limit=50'],
        [
          'conversations, next page',
          `/api/whatsapp/conversations?limit=50&cursor=${encodeURIComponent(conversations.nextCursor ?? '')}`,
        ],
        ['unread badge', '/api/whatsapp/conversations/unread'],
        ['a chat, first page', `/api/whatsapp/conversations/${phone}/messages?limit=50`],
        [
          'a chat, next page',
          `/api/whatsapp/conversations/${phone}/messages?limit=50&cursor=${encodeURIComponent(chat.nextCursor ?? '')}`,
        ],
        ['clients', '/api/whatsapp/clients?limit=50'],
        ['clients, opted out', '/api/whatsapp/clients?limit=50&optedOut=true'],
        ['appointments', '/api/appointments?limit=50'],
        ['an appointment (timeline)', '/api/appointments/bench-3'],
        ['metrics, 30 days', `/api/whatsapp/metrics?since=${since}`],
        ['templates', '/api/whatsapp/templates'],
        ['config', '/api/whatsapp/config'],
      ];
      for (const [name, path] of paths) {
        // A page past the last has no cursor: skip rather than time an error.
        if (path.endsWith('cursor=')) continue;
        const t = await timed(client, path);
        if (t.status !== 200) throw new Error(`${path}: ${t.status}`);
        rows.push(
          `| ${name} (${label}) | ${fmt(t.median, 1)} | ${fmt(t.max, 1)} | ${fmt(t.median / baseline.median, 1)} × |`,
        );
        console.error(`${label}: ${name} ${fmt(t.median, 1)} ms`);
      }
    }

    const md = [
      '## Reads on a large database',
      '',
      `${machineLine()} ${databaseLine('a scratch database')} ${sampler.line()}`,
      `Data: ${fmt(totalMessages)} messages and ${fmt(totalAudit)} audit entries (${size} with indexes): an advisor with a long history (${fmt(heavyMessages)} messages over ${DAYS} days with ${fmt(HEAVY_CLIENTS)} clients, one audit entry per outbound message), a new advisor (200 messages, 20 clients) and ${fmt(advisors)} others sharing ${fmt(messages)} messages, written by SQL in ${fmt(loadSeconds, 0)} s, then \`VACUUM ANALYZE\`; each of the two advisors also booked ${APPOINTMENTS} appointments through the API. Each read is a real HTTP request to one API process (\`--role all\`) with the advisor's API key; median and worst of ${runs} calls after one warm-up, one at a time. The baseline is \`GET /health\` in the same run: an HTTP round trip without the database.`,
      '',
      '| read | median ms | worst ms | vs baseline |',
      '| --- | ---: | ---: | ---: |',
      ...rows,
      '',
      PLAIN_WORDS,
    ].join('\n');
    console.log(md);
    await writeSection('read-paths', md);
  } finally {
    await api.stop();
    await emulator.stop();
    await scratch.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
