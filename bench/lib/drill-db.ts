// The db-restart drill: PostgreSQL restarts (`pg_ctlcluster … restart`, a few seconds) while 16
// loops keep POSTing. Expected: 503 while it is away, no 500, processes survive, workers resume,
// every accepted message is sent. The drill acts as a supervisor: a service process that dies is
// recorded (a failure) and started again, so the rest of the drill still measures something.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';

import {
  advisorsFor,
  checkSent,
  counts,
  seconds,
  settle,
  type DrillResult,
  type DrillSizes,
} from './drill-support.js';
import { SendLoad } from './load.js';
import { startPipeline, type PipelineStack } from './pipeline-stack.js';
import { ADMIN_DATABASE_URL, fmt, sleep, startServiceProcess, tail, type Child } from './stack.js';

const run = promisify(execFile);

/** Loops POSTing until stopped; after a refusal a loop waits 100 ms, as a client would. */
function timedLoad(stack: PipelineStack, concurrency: number, tag: string) {
  const load = new SendLoad(stack.apiUrl, stack.advisors, concurrency);
  const result = SendLoad.emptyResult();
  let stopped = false;
  let n = 0;
  const done = Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stopped) {
        const before = result.posted.length;
        await load.post(n++ % stack.advisors.length, result, tag);
        if (result.posted.length === before) await sleep(100);
      }
    }),
  );
  return {
    result,
    stop: async () => {
      stopped = true;
      await done;
      await load.close();
    },
  };
}

interface Death {
  name: string;
  code: number | null;
  at: number;
  log: string;
  /** ms from the death until the replacement served (null: it did not start). */
  back: number | null;
}

/** Restarts a service process that exits (as systemd or Kubernetes would), remembering it. */
interface Watch {
  env: Record<string, string>;
  deaths: Death[];
  current: Map<string, Child>;
  stopping: boolean;
}

function supervise(child: Child, watch: Watch): void {
  watch.current.set(child.name, child);
  void child.exited.then(async (code) => {
    if (watch.stopping) return;
    const line = tail(child, 60)
      .split('\n')
      .find((l) => /Unhandled|throw er|^error:/.test(l));
    const death: Death = { name: child.name, code, at: Date.now(), log: line ?? `exit ${code}`, back: null };
    watch.deaths.push(death);
    const role = child.name.startsWith('worker') ? 'worker' : 'api';
    const next = await startServiceProcess(role, watch.env, child.name).catch(() => null);
    if (next) {
      death.back = Date.now() - death.at;
      supervise(next, watch);
    }
  });
}

export async function dbRestart(sizes: DrillSizes): Promise<DrillResult> {
  const tag = `db${Date.now().toString(36)}`;
  const stack = await startPipeline({ tag: 'drilldb', advisors: advisorsFor(1_000), workers: 1, env: {} });
  const dbName = stack.database.name;
  stack.database.admin.on('error', () => undefined);
  const watch: Watch = { env: stack.env, deaths: [], current: new Map(), stopping: false };
  const deaths = watch.deaths;
  for (const child of [stack.api, ...stack.workers]) supervise(child, watch);
  try {
    const loops = 16;
    const loadAt = Date.now();
    const load = timedLoad(stack, loops, tag);
    await sleep(sizes.quick ? 3_000 : 10_000);
    const acceptedBefore = load.result.posted.length;
    const before = new Map(load.result.errors);
    const version = readdirSync('/etc/postgresql')[0]!;
    const restartAt = Date.now();
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart']);
    const restartMs = Date.now() - restartAt;
    console.error(`db-restart: PostgreSQL ${version} restarted in ${restartMs} ms`);
    await sleep(sizes.quick ? 10_000 : 20_000);
    await load.stop();
    const loadMs = Date.now() - loadAt;
    const window = new Map(
      [...load.result.errors]
        .map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const)
        .filter(([, v]) => v > 0),
    );
    const ids = load.result.posted.map((p) => p.id);
    const state = await settle(stack.database.pool, ids, 300_000);
    const { rows } = await stack.database.pool.query<{ n: string; open: string }>(
      `select count(*) as n, count(*) filter (where status not in ('sent','delivered','read','failed','skipped')) as open
         from whatsapp_message where direction = 'outbound' and not (id = any($1::uuid[]))`,
      [ids],
    );
    const sent = await checkSent(stack.emulator.url, stack.advisors, tag);
    watch.stopping = true;
    const errors = load.result.errors;
    const lost = state.missing + state.notFinal;
    const acceptedAfter = load.result.posted.filter((p) => p.startedAt > restartAt + restartMs).length;
    const why: string[] = [];
    if (errors.get(500)) why.push(`${errors.get(500)} answers were 500`);
    if (lost) why.push(`${lost} accepted messages not final (${counts(state.byStatus)})`);
    if (state.byStatus.failed) why.push(`${state.byStatus.failed} failed: ${counts(state.failedCodes)}`);
    for (const d of deaths)
      why.push(
        `${d.name} process died ${seconds(d.at - restartAt)} after the restart began (exit ${d.code}: ${d.log})`,
      );
    if (!acceptedAfter) why.push('nothing accepted after the restart');
    return {
      drill: 'db-restart',
      size: `${loops} loops POSTing for ${seconds(loadMs)}, 1 worker`,
      result: `${fmt(ids.length)} accepted → ${counts(state.byStatus)}; refused: ${counts(errors)}`,
      lost,
      duplicates: sent.duplicates,
      notes:
        `\`pg_ctlcluster ${version} main restart\` took ${seconds(restartMs)}, ${fmt(acceptedBefore)} messages accepted ` +
        `before it, ${fmt(acceptedAfter)} after it. Answers other than 202 from the restart on: ${counts(window)} ` +
        `(0 = connection refused/reset); 500s: ${errors.get(500) ?? 0}. ` +
        (deaths.length
          ? `Process deaths: ${deaths.map((d) => `${d.name} (exit ${d.code}, serving again ${d.back === null ? 'never' : seconds(d.back)} later)`).join(', ')}, restarted by the drill as a supervisor would. `
          : 'No service process died. ') +
        `Every accepted message final ${seconds(state.lastFinalAt - restartAt)} after the restart began. Rows ` +
        `written without a 202 reaching the client (the connection dropped after the commit): ${rows[0]!.n}, ` +
        `${rows[0]!.open} of them not final.` +
        (sent.duplicates
          ? ' Duplicates: a send whose `sent` write failed while the database was away is retried and goes out again (at-least-once).'
          : ''),
      pass: why.length === 0,
      why,
    };
  } finally {
    watch.stopping = true;
    for (const child of watch.current.values())
      if (![stack.api, ...stack.workers].includes(child)) await child.stop();
    await stack.close().catch(async () => {
      // The scratch database's admin connection died with the restart: drop it with a fresh one.
      const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    });
  }
}
