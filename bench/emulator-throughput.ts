// Throughput of the Evolution API emulator's sendText, against a bare Fastify handler answering 201 measured in
// the same run. Each server runs in a child process (this file with `--serve`), so the load generator and the
// server get a core each on a 2-core machine, for the baseline and the emulator alike.
//
//   npx tsx bench/emulator-throughput.ts [--seconds 5] [--concurrency 64] [--rounds 2]
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { countFlag } from './lib/flags.js';
import { Pool } from 'undici';

import { machineLine, percentile, writeSection } from './lib/report.js';

const API_KEY = 'bench-key';
const INSTANCE = 'bench';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '2' },
  },
});

/** Child mode: start one server, print its URL, run until killed. */
async function serve(kind: string): Promise<void> {
  let url: string;
  if (kind === 'baseline') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    app.post('/message/sendText/:instanceName', async (_request, reply) =>
      reply.code(201).send({ ok: true }),
    );
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  } else {
    const { startEmulator } = await import('../emulator/server.js');
    // No automatic receipts: the figure is the cost of the send path itself (and its SEND_MESSAGE webhook).
    const emulator = await startEmulator({ apiKey: API_KEY, statusDelaysMs: null, connectWaitMs: 0 });
    url = emulator.url;
  }
  console.log(url);
}

interface Result {
  label: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

async function startChild(kind: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--serve', kind],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, url };
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function json(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { apikey: API_KEY, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function prepareEmulator(url: string, webhookUrl: string | null): Promise<void> {
  await json(url, 'POST', '/instance/create', { instanceName: INSTANCE, integration: 'WHATSAPP-BAILEYS' });
  if (webhookUrl) {
    await json(url, 'POST', `/webhook/set/${INSTANCE}`, {
      webhook: { enabled: true, url: webhookUrl, events: ['SEND_MESSAGE', 'MESSAGES_UPDATE'] },
    });
  }
  await json(url, 'GET', `/instance/connect/${INSTANCE}`);
  await json(url, 'POST', `/_emulator/instances/${INSTANCE}/scan`, {});
}

/** `concurrency` loops each keeping one sendText in flight; the first second warms up and is not counted. */
async function load(label: string, url: string, seconds: number, concurrency: number): Promise<Result> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  const warmUpEnd = performance.now() + 1_000;
  const end = warmUpEnd + seconds * 1_000;
  let n = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const started = performance.now();
      const body = JSON.stringify({
        number: `3461${String(100_000 + (n++ % 800_000)).padStart(7, '0')}`,
        text: 'Hola',
      });
      try {
        const response = await pool.request({
          path: `/message/sendText/${INSTANCE}`,
          method: 'POST',
          headers: { apikey: API_KEY, 'content-type': 'application/json' },
          body,
        });
        await response.body.dump();
        if (started >= warmUpEnd) {
          requests += 1;
          latencies.push(performance.now() - started);
          if (response.statusCode !== 201) errors += 1;
        }
      } catch {
        if (started >= warmUpEnd) errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    label,
    requests,
    errors,
    seconds,
    rps: requests / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function main(): Promise<void> {
  // Other work on the machine skews every figure here: the load average is printed with them, and the
  // scenarios run in alternating rounds, keeping each one's best round.
  const loadBefore = loadavg()[0] ?? 0;
  const seconds = countFlag('seconds', values.seconds);
  const concurrency = countFlag('concurrency', values.concurrency);
  const rounds = countFlag('rounds', values.rounds);

  // A trivial receiver in this process: 200 and nothing else.
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const scenarios: { label: string; kind: string; webhook: string | null }[] = [
    { label: 'bare Fastify handler answering 201 (baseline)', kind: 'baseline', webhook: null },
    { label: 'emulator sendText, no webhook', kind: 'emulator', webhook: null },
    {
      label: 'emulator sendText, SEND_MESSAGE webhook to a trivial receiver',
      kind: 'emulator',
      webhook: receiverUrl,
    },
  ];
  const best = new Map<string, Result>();
  let deliveredPerSecond = 0;
  for (let round = 0; round < rounds; round += 1) {
    for (const scenario of scenarios) {
      const server = await startChild(scenario.kind);
      if (scenario.kind === 'emulator') await prepareEmulator(server.url, scenario.webhook);
      const receivedBefore = received;
      const result = await load(scenario.label, server.url, seconds, concurrency);
      await stopChild(server.child);
      const previous = best.get(scenario.label);
      if (!previous || result.rps > previous.rps) {
        best.set(scenario.label, result);
        // Deliveries that reached the receiver while that run lasted (warm-up included).
        if (scenario.webhook) deliveredPerSecond = (received - receivedBefore) / (seconds + 1);
      }
    }
  }
  await new Promise((resolve) => receiver.close(resolve));
  const results = scenarios.map((scenario) => best.get(scenario.label) as Result);

  const [base] = results;
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} | ${
        base ? `${Math.round((r.rps / base.rps) * 100)} %` : '-'
      } |`,
  );
  const markdown = [
    '## Evolution API emulator: sendText throughput',
    '',
    machineLine(),
    `Load: ${concurrency} concurrent requests through an undici Pool for ${seconds} s after a 1 s warm-up; each server`,
    `runs in its own process; best of ${rounds} alternating rounds. Receipts off (\`statusDelaysMs: null\`).`,
    `Webhook deliveries reaching the receiver during the webhook run: ${Math.round(deliveredPerSecond).toLocaleString('en-US')}/s.`,
    `1-minute load average before the run: ${loadBefore.toFixed(1)} (other work on the machine lowers every figure).`,
    '',
    '| scenario | requests/s | p50 ms | p99 ms | errors | vs baseline |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'Target: ≥ 5,000 sendText/s without webhooks.',
  ].join('\n');
  console.log(markdown);
  await writeSection('emulator', markdown);
}

if (values.serve) {
  await serve(values.serve);
} else {
  await main();
}
