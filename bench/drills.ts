// Reliability drills (issue 9): re-runnable failure scenarios against the real processes (API and
// workers from the compiled `dist/server/src/cli.js serve`, the emulator, a scratch PostgreSQL
// database, the run's own Redis prefix). Each drill checks its correctness target (nothing lost,
// no 500s, final statuses right) and the script exits 1 if any target fails, saying why. Results
// go to docs/BENCHMARKS.md.
//
//   npx tsx bench/drills.ts [--drill kill-worker|redis-flush|gateway-outage|db-restart|webhook-storm|webhook-flood|webhook-forgery|rolling-restart|soak]
//                           [--messages 10000] [--outage-seconds 120] [--soak-minutes 10] [--quick] [--write | --no-write]
//
// --messages sizes kill-worker; redis-flush, gateway-outage and webhook-storm take min(--messages,
// 3,000 / 1,200 / 3,000), webhook-flood min(--messages, 10,000) messages; db-restart POSTs for 10 s
// before and 20 s after the restart; webhook-forgery times 15 s without and 15 s with its flood;
// rolling-restart sends 120 messages/s (60 with --quick) while it replaces each of 2 workers and
// restarts each of 2 APIs, 10 s apart (3 s with --quick); soak sends 50 messages/s for
// --soak-minutes with receipts and replies on. --quick:
// 300 messages, a 10 s outage, no db-restart (it restarts the shared PostgreSQL) and no
// webhook-flood (it wants the whole machine), webhook-forgery's phases 5 s, soak 1 min at 30/s, for CI; it
// prints its rows without touching docs/BENCHMARKS.md unless given --write. Each drill's row
// replaces that drill's row only, so `--drill NAME` re-measures one drill.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { countFlag } from './lib/flags.js';
import { killWorker, redisFlush } from './lib/drill-failures.js';
import { dbRestart } from './lib/drill-db.js';
import { gatewayOutage } from './lib/drill-outages.js';
import { webhookStorm } from './lib/drill-storm.js';
import { webhookFlood } from './lib/drill-flood.js';
import { webhookForgery } from './lib/drill-forgery.js';
import { rollingRestart } from './lib/drill-restart.js';
import { soak } from './lib/drill-soak.js';
import type { DrillResult, DrillSizes } from './lib/drill-support.js';
import { machineLine, writeSection } from './lib/report.js';
import { databaseLine, LoadSampler } from './lib/stack.js';

const DRILLS: Record<string, (sizes: DrillSizes) => Promise<DrillResult>> = {
  'kill-worker': killWorker,
  'redis-flush': redisFlush,
  'gateway-outage': gatewayOutage,
  'db-restart': dbRestart,
  'webhook-storm': webhookStorm,
  'webhook-flood': webhookFlood,
  'webhook-forgery': webhookForgery,
  'rolling-restart': rollingRestart,
  soak,
};

const { values } = parseArgs({
  options: {
    drill: { type: 'string', multiple: true },
    messages: { type: 'string' },
    'outage-seconds': { type: 'string' },
    'soak-minutes': { type: 'string' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean' },
    'no-write': { type: 'boolean', default: false },
  },
});

const quick = values.quick;
// A quick run (CI) leaves the full run's figures in docs/BENCHMARKS.md unless asked to write.
const write = !values['no-write'] && (values.write ?? !quick);
const sizes: DrillSizes = {
  quick,
  messages: countFlag('messages', values.messages ?? String(quick ? 300 : 10_000)),
  outageSeconds: countFlag('outage-seconds', values['outage-seconds'] ?? String(quick ? 10 : 120)),
  soakMinutes: countFlag('soak-minutes', values['soak-minutes'] ?? String(quick ? 1 : 10)),
};
const asked =
  values.drill ??
  Object.keys(DRILLS).filter((name) => !(quick && (name === 'db-restart' || name === 'webhook-flood')));
for (const name of asked) {
  if (!DRILLS[name]) {
    console.error(`unknown drill ${name}; known: ${Object.keys(DRILLS).join(', ')}`);
    process.exit(2);
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const HEADER = '| drill | run | size | result | lost | duplicates | notes | pass/fail |';

function row(r: DrillResult, run: string): string {
  const verdict = r.pass ? 'pass' : `**fail**: ${cell(r.why.join('; '))}`;
  return `| ${r.drill} | ${run} | ${cell(r.size)} | ${cell(r.result)} | ${r.lost} | ${r.duplicates ?? '–'} | ${cell(r.notes)} | ${verdict} |`;
}

/** Rows of drills not run this time, kept from the section already in docs/BENCHMARKS.md. */
async function keptRows(ran: string[]): Promise<string[]> {
  const doc = await readFile(new URL('../docs/BENCHMARKS.md', import.meta.url), 'utf8').catch(() => '');
  const section = /<!-- bench:drills:start -->([\s\S]*?)<!-- bench:drills:end -->/.exec(doc)?.[1] ?? '';
  if (!section.includes(HEADER)) return [];
  return section
    .split('\n')
    .filter((line) => /^\| [a-z-]+ \| /.test(line) && line !== HEADER)
    .filter((line) => !ran.includes(line.split(' | ')[0]!.slice(2)));
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const order = Object.keys(DRILLS);
  const rows = new Map<string, string>();
  for (const line of await keptRows(asked)) rows.set(line.split(' | ')[0]!.slice(2), line);
  const failed: DrillResult[] = [];
  for (const name of asked) {
    console.error(`--- drill ${name}`);
    const sampler = new LoadSampler();
    const t0 = Date.now();
    let r: DrillResult;
    try {
      r = await DRILLS[name]!(sizes);
    } catch (err) {
      r = {
        drill: name,
        size: '–',
        result: 'the drill itself broke',
        lost: 0,
        duplicates: null,
        notes: '',
        pass: false,
        why: [`error: ${(err as Error).message}`],
      };
    }
    const load = /average ([\d.]+) before the run, up to ([\d.]+)/.exec(sampler.line());
    const when = new Date(t0).toISOString().slice(0, 16).replace('T', ' ');
    rows.set(name, row(r, `${when}Z ${quick ? 'quick' : 'full'}, load ${load?.[1]}→${load?.[2]}`));
    if (!r.pass) failed.push(r);
    console.error(
      `--- ${name}: ${r.pass ? 'pass' : 'FAIL'} in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${r.result}`,
    );
    const md = [
      '## Reliability drills',
      '',
      `${machineLine()} ${databaseLine('a scratch database per drill')} Each row says when it ran, full or \`--quick\`, ` +
        'and the 1-minute load average before → highest during it (2 cores; other work shares the machine).',
      '`npm run drills` runs every drill (`--drill NAME` one, `--messages N`, `--outage-seconds S`, `--soak-minutes M`); `npm run drills:quick` ' +
        'shrinks them for CI (300 messages, 10 s outage, no db-restart, no webhook-flood, webhook-forgery with 5 s phases, rolling-restart at 60/s with 3 s between restarts, soak for 1 min at 30/s). Each drill runs the real processes ' +
        '(compiled as `npm start` runs them: `dist/server/src/cli.js serve --role api|worker|all`, the emulator in its own process, rate limit effectively off) on a ' +
        "Redis prefix of its own, POSTs uniquely numbered texts and checks them in the database and in the emulator's " +
        '`sent` lists. Targets: no accepted message lost (each one final: `sent` or later, or `failed`/`skipped` with a ' +
        'reason), no 500 answers, final statuses right; duplicates are counted and explained (sends are at-least-once).',
      '',
      HEADER,
      '| --- | --- | --- | --- | ---: | ---: | --- | --- |',
      ...order.filter((d) => rows.has(d)).map((d) => rows.get(d)!),
    ].join('\n');
    if (write) await writeSection('drills', md);
    console.log(rows.get(name));
  }
  console.error(`drills done in ${((Date.now() - startedAt) / 60_000).toFixed(1)} min`);
  for (const r of failed) console.error(`drill ${r.drill} failed: ${r.why.join('; ')}`);
  process.exitCode = failed.length ? 1 : 0;
}

await main();
