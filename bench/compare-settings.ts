// Compares two settings of the service on the send pipeline, in alternating pairs of runs (A B,
// B A, A B, …), each on a fresh stack as bench:pipeline runs it. On a shared two-core machine
// the same code's messages/s moves by a third from one run to the next, more than most changes
// do, so each pair is read on its own and with figures that move less than messages/s: CPU
// per message, commits per message, and the API's CPU against the worker's (a change in the
// API moves the API's CPU and not the worker's; a busier machine moves both). Prints a Markdown
// table; nothing is written to docs/BENCHMARKS.md (a comparison worth keeping goes into its
// "Where the time goes" by hand, with what was compared).
//
//   npx tsx bench/compare-settings.ts --b WEBHOOK_ECHO_GRACE_MS=0 [--b NAME=value …]
//        [--a NAME=value …] [--pairs 3] [--messages 4000] [--concurrency 32] [--advisors 10]
//        [--workers 1] [--a-workers N] [--b-workers N] [--auth apikey|session]
// A and B are environment variables for the service processes (README, configuration), on top
// of bench:pipeline's (rate limit effectively off, receipts off). With no --a, A is the service's
// defaults (SEND_CONCURRENCY included: pass it to compare it). The sides may also differ in their
// worker processes: 0 runs the workers inside the API process (`--role all`, as `npm start` does),
// so `--a-workers 1 --b-workers 0` compares the split deployment with the single process.
import { parseArgs } from 'node:util';

import { countFlag as count } from './lib/flags.js';
import type { LoadAuth } from './lib/load.js';
import { pipelineRun, type PipelineRun } from './lib/pipeline-run.js';
import { machineLine } from './lib/report.js';
import { fmt } from './lib/stack.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string', multiple: true, default: [] },
    b: { type: 'string', multiple: true, default: [] },
    pairs: { type: 'string', default: '3' },
    messages: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '32' },
    advisors: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1' },
    'a-workers': { type: 'string' },
    'b-workers': { type: 'string' },
    auth: { type: 'string', default: 'apikey' },
  },
});

function settings(flag: 'a' | 'b', given: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of given) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`--${flag} takes NAME=value, got ${JSON.stringify(item)}`);
    env[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return env;
}

const sides = { A: settings('a', values.a), B: settings('b', values.b) };
const auth = values.auth as LoadAuth;
if (auth !== 'apikey' && auth !== 'session') throw new Error('--auth takes apikey or session');
const pairs = count('pairs', values.pairs);
const messages = count('messages', values.messages);
const loops = count('concurrency', values.concurrency);
const advisors = count('advisors', values.advisors);
// Worker processes per side; 0 runs the workers inside the API process.
const workersBoth = count('workers', values.workers, 0);
const workers = {
  A: values['a-workers'] === undefined ? workersBoth : count('a-workers', values['a-workers'], 0),
  B: values['b-workers'] === undefined ? workersBoth : count('b-workers', values['b-workers'], 0),
};
if (Object.keys(sides.B).length === 0 && Object.keys(sides.A).length === 0 && workers.A === workers.B)
  throw new Error(
    'nothing to compare: give B (and optionally A) as --b NAME=value, or --a-workers and --b-workers',
  );

type Side = keyof typeof sides;
interface Measured {
  run: PipelineRun;
  cpuPerMessageMs: number;
  apiOverWorker: number;
}

function measured(run: PipelineRun): Measured {
  const worker = Object.entries(run.cpuByProcess)
    .filter(([name]) => name.startsWith('worker'))
    .reduce((sum, [, seconds]) => sum + seconds, 0);
  return {
    run,
    cpuPerMessageMs: (run.cpuSeconds / messages) * 1000,
    // No worker process (the workers run in the API's): no ratio to give.
    apiOverWorker: worker > 0 ? (run.cpuByProcess['api'] ?? 0) / worker : NaN,
  };
}

/** A side's processes, as the report names them. */
const shape = (n: number) => (n === 0 ? 'one process (--role all)' : `1 API + ${n} worker process(es)`);

const describe = (side: Side) =>
  [
    Object.entries(sides[side])
      .map(([name, value]) => `${name}=${value}`)
      .join(' ') || 'defaults',
    ...(workers.A === workers.B ? [] : [shape(workers[side])]),
  ].join(', ');

async function main(): Promise<void> {
  const results: Record<Side, Measured>[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order: Side[] = pair % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    const done = {} as Record<Side, Measured>;
    for (const side of order) {
      const run = await pipelineRun({
        auth,
        messages,
        concurrency: loops,
        advisors,
        workers: workers[side],
        env: sides[side],
      });
      done[side] = measured(run);
      console.error(
        `pair ${pair + 1} ${side}: ${fmt(run.perSecond)} messages/s, ${done[side].cpuPerMessageMs.toFixed(2)} ms CPU per message, ` +
          `${run.commitsPerMessage.toFixed(2)} commits per message, ${run.failed} failed (${run.cpu})`,
      );
    }
    results.push(done);
  }

  const row = (label: string, of: (m: Measured) => string) =>
    `| ${label} | ${results.map((r) => of(r.A)).join(', ')} | ${results.map((r) => of(r.B)).join(', ')} |`;
  const better = (of: (m: Measured) => number, lowerIsBetter: boolean) =>
    results.filter((r) => (lowerIsBetter ? of(r.B) < of(r.A) : of(r.B) > of(r.A))).length;
  console.log(
    [
      `${machineLine()} ${pairs} alternating pair(s) of ${fmt(messages)} messages (${auth}, ${loops} loops, ${advisors} advisors${workers.A === workers.B ? `, ${shape(workers.A)}` : ''}).`,
      `A: ${describe('A')}. B: ${describe('B')}.`,
      '',
      '| per pair | A | B |',
      '| --- | --- | --- |',
      row('messages/s', (m) => fmt(m.run.perSecond)),
      row('CPU per message, every process (ms)', (m) => m.cpuPerMessageMs.toFixed(2)),
      row('commits per message', (m) => m.run.commitsPerMessage.toFixed(2)),
      row("API's CPU / worker's CPU", (m) =>
        Number.isNaN(m.apiOverWorker) ? '–' : m.apiOverWorker.toFixed(2),
      ),
      row('failed', (m) => String(m.run.failed)),
      '',
      `B against A, pairs out of ${pairs}: more messages/s in ${better((m) => m.run.perSecond, false)}, ` +
        `less CPU per message in ${better((m) => m.cpuPerMessageMs, true)}, ` +
        `fewer commits per message in ${better((m) => m.run.commitsPerMessage, true)}.`,
    ].join('\n'),
  );
}

await main();
