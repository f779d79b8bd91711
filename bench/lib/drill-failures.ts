// Drills where part of the machinery dies under load: a worker process killed with SIGKILL, and
// Redis losing every key of the deployment (what FLUSHALL does to it).
import { readFileSync } from 'node:fs';

import {
  activeMessageIds,
  advisorsFor,
  checkSent,
  counts,
  maintenanceSchedulers,
  setFaults,
  seconds,
  settle,
  unfinished,
  waitFinalCount,
  watchedLoad,
  type DrillResult,
  type DrillSizes,
} from './drill-support.js';
import { startPipeline } from './pipeline-stack.js';
import { deletePrefix, fmt, sleep, startServiceProcess, waitForWorkers, type Child } from './stack.js';

export async function killWorker(sizes: DrillSizes): Promise<DrillResult> {
  const total = sizes.messages;
  const tag = `kw${Date.now().toString(36)}`;
  const stack = await startPipeline({
    tag: 'drillkill',
    advisors: advisorsFor(total),
    workers: 2,
    env: { SEND_CONCURRENCY: '20' },
  });
  let replacement: Child | null = null;
  try {
    // A gateway that takes 250 ms per call (the real one takes longer): sends are in flight when
    // the worker dies, as in production.
    await setFaults(stack.emulator.url, { latencyMs: 250 });
    const startedAt = Date.now();
    const run = watchedLoad(stack, total, 32, tag);
    // Kill once a quarter is final, so messages are queued, active and still arriving.
    await waitFinalCount(stack.database.pool, Math.max(20, Math.floor(total / 4)));
    const victim = stack.workers[0]!;
    const held = await activeMessageIds(stack.prefix);
    const killAt = Date.now();
    await victim.kill();
    // Which of them the kill left unfinished (mostly the dead worker's; the live one's finish on).
    const orphaned = await unfinished(stack.database.pool, held);
    console.error(`kill-worker: SIGKILL ${victim.name} (pid ${victim.pid}), ${held.length} send jobs active`);
    replacement = await startServiceProcess('worker', stack.env, 'worker-replacement');
    await waitForWorkers(stack.prefix, 2, 120_000);
    const replacementAfter = Date.now() - killAt;
    await run.done;
    await run.load.close();
    const ids = run.result.posted.map((p) => p.id);
    const state = await settle(stack.database.pool, ids, sizes.quick ? 180_000 : 600_000);
    const orphanState = orphaned.length ? await settle(stack.database.pool, orphaned, 1_000) : null;
    const sent = await checkSent(stack.emulator.url, stack.advisors, tag);
    const lost = state.missing + state.notFinal;
    const why: string[] = [];
    if (lost > 0) why.push(`${lost} accepted messages not final (${counts(state.byStatus)})`);
    if (run.result.errors.size) why.push(`non-202 answers: ${counts(run.result.errors)}`);
    const recovered = orphanState ? orphanState.lastFinalAt - killAt : 0;
    return {
      drill: 'kill-worker',
      size: `${fmt(ids.length)} messages, 2 workers`,
      result: `${counts(state.byStatus)} in ${seconds(state.lastFinalAt - startedAt)}`,
      lost,
      duplicates: sent.duplicates,
      notes:
        `Emulator latency 250 ms per call. SIGKILL of one worker while ${held.length} send jobs were active ` +
        `(both workers), ${orphaned.length} of them not yet final right after the kill; replacement serving ` +
        `${seconds(replacementAfter)} after the kill; ` +
        (orphaned.length
          ? `those ${orphaned.length} all final ${seconds(recovered)} after it (a send the dead worker had started is confirmed by Evolution's SEND_MESSAGE echo, which gives the row its id; a job it had not started yet waits for BullMQ's stalled-job check, 30 s lock, and a row it had claimed for that claim to lapse, the request timeout + 5 s)`
          : 'nothing to recover') +
        `. Emulator sent ${fmt(sent.distinct)} distinct texts` +
        (sent.duplicates
          ? `; duplicated: ${sent.examples.join(', ')}… (sent by the dead worker and sent again before its echo confirmed it: at-least-once)`
          : '') +
        '.',
      pass: why.length === 0,
      why,
    };
  } finally {
    await replacement?.stop();
    await stack.close();
  }
}

const SWEEP_LOG = 'sweeper re-enqueued messages missing from Redis';
const REINSTALL_LOG = 'maintenance schedulers were missing from Redis';

/** From a worker's JSON log: how often the sweeper restored jobs, how many, and scheduler reinstalls. */
function readWorkerLog(child: Child): { sweeps: number; restored: number; reinstalls: number } {
  let text = '';
  try {
    text = readFileSync(child.logFile, 'utf8');
  } catch {
    /* no log */
  }
  const out = { sweeps: 0, restored: 0, reinstalls: 0 };
  for (const line of text.split('\n')) {
    if (line.includes(REINSTALL_LOG)) out.reinstalls++;
    if (!line.includes(SWEEP_LOG)) continue;
    out.sweeps++;
    out.restored += Number(/"restored":(\d+)/.exec(line)?.[1] ?? 0);
  }
  return out;
}

/** Polls the maintenance schedulers until `want` are back (or `ms`); returns when, or null. */
async function schedulersBack(
  prefix: string,
  want: number,
  since: number,
  ms: number,
): Promise<number | null> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if ((await maintenanceSchedulers(prefix)).length >= want) return Date.now() - since;
    await sleep(250);
  }
  return null;
}

export async function redisFlush(sizes: DrillSizes): Promise<DrillResult> {
  const total = sizes.quick ? sizes.messages : Math.min(sizes.messages, 3_000);
  const tag = `rf${Date.now().toString(36)}`;
  const sweeperMs = 2_000;
  const stack = await startPipeline({
    tag: 'drillflush',
    advisors: advisorsFor(total),
    workers: 1,
    // Sends slower than the API accepts (5 at a time, 100 ms each): a backlog builds in Redis.
    env: { SEND_CONCURRENCY: '5', SWEEPER_INTERVAL_MS: String(sweeperMs) },
  });
  let restarted: Child | null = null;
  // Bounded wait: the sweeper runs every 2 s and takes rows untouched for 10 s.
  const boundMs = sizes.quick ? 40_000 : 60_000;
  try {
    await setFaults(stack.emulator.url, { latencyMs: 100 });
    const before = await maintenanceSchedulers(stack.prefix);
    const run = watchedLoad(stack, total, 16, tag);
    await waitFinalCount(stack.database.pool, Math.max(20, Math.floor(total / 4)));
    const open = (
      await unfinished(
        stack.database.pool,
        run.result.posted.map((p) => p.id),
      )
    ).length;
    const flushAt = Date.now();
    const removed = await deletePrefix(stack.prefix);
    const rightAfter = (await maintenanceSchedulers(stack.prefix)).length;
    console.error(
      `redis-flush: deleted ${removed} keys under ${stack.prefix}: (${open} messages unfinished)`,
    );
    const back = schedulersBack(stack.prefix, before.length, flushAt, boundMs + 60_000);
    await run.done;
    await run.load.close();
    const ids = run.result.posted.map((p) => p.id);
    const state = await settle(stack.database.pool, ids, boundMs);
    const backAfter = await back;
    const worker = stack.workers[0]!;
    const log = readWorkerLog(worker);
    const lost = state.missing + state.notFinal;
    const why: string[] = [];
    let remedy = '';
    if (lost > 0) {
      why.push(
        `${lost} accepted messages not final ${seconds(boundMs)} after the load ended (${counts(state.byStatus)}); ` +
          `maintenance schedulers ${backAfter === null ? 'never came back' : `back after ${seconds(backAfter)}`}; ` +
          `"${SWEEP_LOG}" logged ${log.sweeps} time(s)`,
      );
      // The remedy docs/OPERATIONS.md §5 gave before the workers reinstalled the schedulers.
      const restartAt = Date.now();
      await worker.stop();
      restarted = await startServiceProcess('worker', stack.env, 'worker-restarted');
      const healed = await settle(stack.database.pool, ids, 120_000);
      const left = healed.missing + healed.notFinal;
      remedy =
        ` After restarting the worker: ${counts(healed.byStatus)}, ` +
        (left
          ? `${left} still not final.`
          : `all final ${seconds(healed.lastFinalAt - restartAt)} after the restart.`);
    }
    const final = await settle(stack.database.pool, ids, 1_000);
    const sent = await checkSent(stack.emulator.url, stack.advisors, tag);
    if (run.result.errors.size) why.push(`non-202 answers: ${counts(run.result.errors)}`);
    const failedOk = Object.keys(final.failedCodes).length
      ? ` Failed/skipped, each with its reason: ${counts(final.failedCodes)}.`
      : '';
    return {
      drill: 'redis-flush',
      size: `${fmt(ids.length)} messages, 1 worker (\`SEND_CONCURRENCY=5\`), sweeper every ${seconds(sweeperMs)}`,
      result: lost
        ? `${fmt(lost)} stuck (${counts(state.byStatus)}) until the worker restarted`
        : `${counts(state.byStatus)}; last final ${seconds(state.lastFinalAt - flushAt)} after the flush`,
      lost,
      duplicates: sent.duplicates,
      notes:
        `Emulator latency 100 ms per call. Deleted all ${fmt(removed)} keys under the run's prefix mid-load, ` +
        `${fmt(open)} messages unfinished (what FLUSHALL does to this deployment; the drill never runs FLUSHALL: ` +
        `other work shares this Redis). Maintenance job schedulers: ${before.length} before, ${rightAfter} right ` +
        `after the flush, ` +
        (backAfter === null
          ? `**not reinstalled** within ${seconds(boundMs + 60_000)}`
          : `all back ${seconds(backAfter)} later (the workers' scheduler check; "${REINSTALL_LOG}" logged ${log.reinstalls} time(s))`) +
        `; the outbox sweeper then restored ${fmt(log.restored)} jobs in ${log.sweeps} run(s).${failedOk}${remedy}`,
      pass: why.length === 0,
      why,
    };
  } finally {
    await restarted?.stop();
    await stack.close();
  }
}
