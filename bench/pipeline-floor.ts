// How fast can this machine go at all? The send pipeline's floor (bench/lib/floor-service.ts: an
// API and a worker doing only what every message needs) next to raw BullMQ and the real pipeline,
// in the same run, on the same emulator, PostgreSQL and Redis. Two floors: one statement per step
// and message, as the product does today, and the same statements coalesced across the requests
// or jobs of one event-loop turn (what a batched send path would buy before it is built).
//
//   npx tsx bench/pipeline-floor.ts [--messages 10000] [--concurrency 32] [--rounds 2]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { DEFAULT_SEND_CONCURRENCY } from '../src/config/env-schema.js';
import { countFlag } from './lib/flags.js';
import pg from 'pg';
import { Pool } from 'undici';

import { rawThroughput, startRawBaseline } from './lib/baseline.js';
import { pipelineRun, type PipelineRun } from './lib/pipeline-run.js';
import { machineLine, writeSection } from './lib/report.js';
import {
  CpuMeter,
  databaseLine,
  deletePrefix,
  fmt,
  freePort,
  LoadSampler,
  pidsByName,
  REDIS_URL,
  ROOT,
  scratchDatabase,
  sleep,
  startEmulatorProcess,
  type Child,
} from './lib/stack.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
    // The service's own default, so the figures describe the service as it ships.
    'send-concurrency': { type: 'string', default: String(DEFAULT_SEND_CONCURRENCY) },
  },
});
const messages = countFlag('messages', values.messages);
const concurrency = countFlag('concurrency', values.concurrency);
const sendConcurrency = countFlag('send-concurrency', values['send-concurrency']);

const FLOOR_TABLE = `create table floor_message (
  id uuid primary key default gen_random_uuid(),
  phone text not null,
  text text not null,
  status text not null default 'queued',
  attempts integer not null default 0,
  evolution_id text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index floor_message_evolution_id on floor_message (evolution_id)`;

interface FloorProcess {
  pid: number;
  stop(): Promise<void>;
}

async function startFloorProcess(args: string[], env: Record<string, string>): Promise<FloorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/floor-service.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`floor ${args[0]} exited with ${code}`)));
  });
  return {
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Creates an emulator instance that echoes SEND_MESSAGE to `webhookUrl` (or not), and links its phone. */
async function connectedInstance(
  emulator: Child & { url: string; apiKey: string },
  webhookUrl: string,
  echo: boolean,
): Promise<{ name: string; token: string }> {
  const name = `floor-${randomBytes(3).toString('hex')}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', apikey: emulator.apiKey },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const created = await call('POST', '/instance/create', {
    instanceName: name,
    integration: 'WHATSAPP-BAILEYS',
    qrcode: false,
    // Without the echo the instance still has a webhook, for an event that never fires while sending
    // (an empty list would mean every event).
    webhook: {
      url: webhookUrl,
      byEvents: false,
      base64: false,
      events: [echo ? 'SEND_MESSAGE' : 'CONNECTION_UPDATE'],
    },
  });
  await call('GET', `/instance/connect/${name}`);
  await call('POST', `/_emulator/instances/${name}/scan`, {});
  const until = Date.now() + 30_000;
  for (;;) {
    const state = (await call('GET', `/instance/connectionState/${name}`)) as { instance: { state: string } };
    if (state.instance.state === 'open') break;
    if (Date.now() > until) throw new Error(`floor instance ${name} never opened`);
    await sleep(50);
  }
  return { name, token: created.hash as string };
}

interface FloorRun {
  perSecond: number;
  seconds: number;
  cpu: string;
  cpuMsPerMessage: number;
}

/** `total` POST /send by `concurrency` loops; resolves when every one answered 202. */
async function floorLoad(apiUrl: string, total: number, tag: string): Promise<number> {
  const http = new Pool(apiUrl, { connections: concurrency, pipelining: 1 });
  let issued = 0;
  const firstAt = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) {
        const n = issued++;
        const res = await http.request({
          path: '/send',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            to: `+3461${String(1_000_000 + (n % 2_000)).padStart(7, '0')}`,
            text: `${tag}-${n} Hola, te recuerdo tu cita de mañana.`,
          }),
        });
        await res.body.text();
        if (res.statusCode !== 202) throw new Error(`floor /send answered ${res.statusCode}`);
      }
    }),
  );
  await http.close();
  return firstAt;
}

async function waitSent(pool: pg.Pool, expected: number): Promise<number> {
  const until = Date.now() + 600_000;
  for (;;) {
    const { rows } = await pool.query<{ sent: string; last: string | null }>(
      `select count(*) filter (where status = 'sent') as sent,
              (extract(epoch from max(sent_at)) * 1000)::bigint as last from floor_message`,
    );
    if (Number(rows[0]!.sent) >= expected) return Number(rows[0]!.last);
    if (Date.now() > until) throw new Error(`only ${rows[0]!.sent} of ${expected} floor messages sent`);
    await sleep(100);
  }
}

async function floorRun(coalesce: boolean, echo = true): Promise<FloorRun> {
  const database = await scratchDatabase('floor');
  const emulator = await startEmulatorProcess({ receipts: false });
  const prefix = `wwbench_floor_${randomBytes(3).toString('hex')}`;
  const started: { stop(): Promise<void> }[] = [emulator];
  try {
    await database.pool.query(FLOOR_TABLE);
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const instance = await connectedInstance(emulator, `${apiUrl}/webhook`, echo);
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL,
      FLOOR_PREFIX: prefix,
      EMULATOR_URL: emulator.url,
      FLOOR_INSTANCE: instance.name,
      FLOOR_TOKEN: instance.token,
    };
    const flag = coalesce ? '1' : '0';
    const api = await startFloorProcess(['api', String(port), flag], env);
    started.push(api);
    const worker = await startFloorProcess(['worker', String(sendConcurrency), flag], env);
    started.push(worker);
    const cpu = new CpuMeter({
      api: () => [api.pid],
      worker: () => [worker.pid],
      emulator: () => [emulator.pid],
      'load generator': () => [process.pid],
      'postgres (whole server)': () => pidsByName('postgres'),
      redis: () => pidsByName('redis-server'),
    });
    const warm = Math.min(1_000, Math.ceil(messages / 10));
    await floorLoad(apiUrl, warm, 'warm');
    await waitSent(database.pool, warm);
    await database.pool.query('analyze');
    await sleep(1_500);
    cpu.begin();
    const firstAt = await floorLoad(apiUrl, messages, 'm');
    const lastAt = await waitSent(database.pool, warm + messages);
    const seconds = (lastAt - firstAt) / 1000;
    const used = cpu.end(seconds);
    return {
      perSecond: messages / seconds,
      seconds,
      cpu: used,
      cpuMsPerMessage: (1000 * cpu.totalSeconds) / messages,
    };
  } finally {
    for (const child of started.reverse()) await child.stop();
    await deletePrefix(prefix);
    await database.drop();
  }
}

async function main(): Promise<void> {
  const sampler = new LoadSampler();
  const rounds = countFlag('rounds', values.rounds);
  const raws: number[] = [];
  const perStatement: FloorRun[] = [];
  const coalesced: FloorRun[] = [];
  const noEcho: FloorRun[] = [];
  const pipeline: PipelineRun[] = [];
  for (let round = 0; round < rounds; round++) {
    const raw = await startRawBaseline(sendConcurrency);
    await rawThroughput(raw, Math.min(2_000, messages), concurrency);
    raws.push((await rawThroughput(raw, messages, concurrency)).perSecond);
    await raw.close();
    perStatement.push(await floorRun(false));
    coalesced.push(await floorRun(true));
    noEcho.push(await floorRun(true, false));
    pipeline.push(
      await pipelineRun({
        auth: 'apikey',
        messages,
        concurrency,
        advisors: 10,
        workers: 1,
        sendConcurrency,
      }),
    );
    console.error(
      `round ${round + 1}: raw ${fmt(raws.at(-1)!)} jobs/s, floor ${fmt(perStatement.at(-1)!.perSecond)}, ` +
        `coalesced floor ${fmt(coalesced.at(-1)!.perSecond)}, without echo ${fmt(noEcho.at(-1)!.perSecond)}, pipeline ${fmt(pipeline.at(-1)!.perSecond)} messages/s`,
    );
  }
  const bestOf = <T extends { perSecond: number }>(runs: T[]) =>
    runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const raw = Math.max(...raws);
  const rows: [string, { perSecond: number; seconds: number }, number, string][] = [
    [
      'floor: one statement per step and message',
      bestOf(perStatement),
      bestOf(perStatement).cpuMsPerMessage,
      'one INSERT, one `add`, one claim UPDATE, one sendText, one sent UPDATE',
    ],
    [
      'floor: statements coalesced per event-loop turn',
      bestOf(coalesced),
      bestOf(coalesced).cpuMsPerMessage,
      'the same, as one statement (and one `addBulk`) per batch',
    ],
    [
      'floor: coalesced, without the SEND_MESSAGE echo',
      bestOf(noEcho),
      bestOf(noEcho).cpuMsPerMessage,
      'the same, and the gateway sends no webhook per message',
    ],
    [
      'the product: POST /api/whatsapp/send (API key) → `sent`',
      bestOf(pipeline),
      (1000 * bestOf(pipeline).cpuSeconds) / messages,
      'bench:pipeline',
    ],
  ];
  const every = (runs: { perSecond: number }[]) => runs.map((r) => fmt(r.perSecond)).join(', ');
  const md = [
    '## Send pipeline: the floor on this machine',
    '',
    `${machineLine()} ${databaseLine('scratch databases')} ${sampler.line()}`,
    `Load: ${fmt(messages)} messages POSTed by ${concurrency} concurrent loops after a warm-up; the clock runs from the first POST to the last \`sent\` recorded. Every scenario runs an API process, a worker process (BullMQ, concurrency ${sendConcurrency}) and the emulator (zero latency, receipts off; each send's SEND_MESSAGE echo goes back to the API). The floor (\`bench/lib/floor-service.ts\`) does only what every message needs: an HTTP request in, an outbox row, a job, a claim, the gateway call, a \`sent\` row and the echo acknowledged; no authentication lookup, validation, phone parsing, opt-out, pacing, rate limit, live events, audit or receipts. Best of ${rounds} round(s); raw BullMQ as in bench:pipeline.`,
    '',
    '| scenario | messages/s | vs raw BullMQ | CPU per message, every process | what runs per message |',
    '| --- | ---: | ---: | ---: | --- |',
    `| raw BullMQ: add → no-op job processed (baseline) | ${fmt(raw)} | 100 % | | |`,
    ...rows.map(
      ([name, run, cpuMs, what]) =>
        `| ${name} | ${fmt(run.perSecond)} | ${fmt((100 * run.perSecond) / raw, 1)} % | ${fmt(cpuMs, 2)} ms | ${what} |`,
    ),
    '',
    `Every round, messages/s: raw BullMQ ${every(raws.map((perSecond) => ({ perSecond })))}; floor ${every(perStatement)}; coalesced floor ${every(coalesced)}; without the echo ${every(noEcho)}; the product ${every(pipeline)}.`,
    '',
    `CPU of the best rounds (share of one core): floor ${bestOf(perStatement).cpu}; coalesced floor ${bestOf(coalesced).cpu}; without the echo ${bestOf(noEcho).cpu}; the product ${bestOf(pipeline).cpu}.`,
  ].join('\n');
  console.log(md);
  await writeSection('pipeline-floor', md);
}

await main();
