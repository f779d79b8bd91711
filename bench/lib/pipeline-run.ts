// One measured run of the whole send pipeline (bench/pipeline-throughput.ts, bench/pipeline-floor.ts):
// a fresh stack, a warm-up, `ANALYZE`, then `messages` POSTs by `concurrency` loops; the clock runs
// from the first POST to the last `sent` recorded in the database.
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

import { SendLoad, waitFinal, type LoadAuth } from './load.js';
import { startPipeline } from './pipeline-stack.js';

export interface PipelineRun {
  perSecond: number;
  acceptPerSecond: number;
  seconds: number;
  failed: number;
  errors: string;
  cpu: string;
  /** CPU seconds of every process together during the measured run. */
  cpuSeconds: number;
  /** The same, by process ("api", "worker1", "postgres (whole server)", …). */
  cpuByProcess: Record<string, number>;
  /** PostgreSQL commits per message (pg_stat_database; includes the bench's own polling, ~10/s). */
  commitsPerMessage: number;
}

/** Transactions committed in this database so far (statistics lag by up to a second). */
export async function commitsSoFar(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'select xact_commit as n from pg_stat_database where datname = current_database()',
  );
  return Number(rows[0]!.n);
}

export async function pipelineRun(options: {
  auth: LoadAuth;
  messages: number;
  concurrency: number;
  advisors: number;
  /** Worker processes; 0 runs the workers inside the API process (`--role all`). */
  workers: number;
  /** SEND_CONCURRENCY; the service's default when left out. */
  sendConcurrency?: number;
  /** More environment for the service processes (bench:compare's settings). */
  env?: Record<string, string>;
}): Promise<PipelineRun> {
  const { messages, concurrency } = options;
  const stack = await startPipeline({
    tag: 'tput',
    advisors: options.advisors,
    workers: options.workers,
    apiRole: options.workers === 0 ? 'all' : 'api',
    env: {
      ...(options.sendConcurrency === undefined ? {} : { SEND_CONCURRENCY: String(options.sendConcurrency) }),
      ...options.env,
    },
  });
  try {
    const load = new SendLoad(stack.apiUrl, stack.advisors, concurrency, options.auth);
    // Warm-up: JIT, pools, prepared paths; not counted.
    const warm = Math.min(1_000, Math.ceil(messages / 10));
    await load.closedLoop(warm, concurrency, undefined, 'warm');
    await waitFinal(stack.database.pool, warm);
    // A live database has planner statistics (autovacuum analyzes as tables grow); a scratch one
    // just filled by the warm-up has none, and PostgreSQL then picks scans a live one would not.
    await stack.database.pool.query('analyze');
    await sleep(1_500);
    const commitsBefore = await commitsSoFar(stack.database.pool);
    stack.cpu.begin();
    const result = await load.closedLoop(messages, concurrency);
    const done = await waitFinal(stack.database.pool, warm + result.posted.length);
    const seconds = (done.lastFinalAt - result.firstAt) / 1000;
    await load.close();
    const cpu = stack.cpu.end(seconds);
    await sleep(1_500);
    const commits = (await commitsSoFar(stack.database.pool)) - commitsBefore;
    return {
      perSecond: result.posted.length / seconds,
      acceptPerSecond: result.posted.length / ((result.lastAckAt - result.firstAt) / 1000),
      seconds,
      failed: done.failed,
      errors: [...result.errors].map(([status, n]) => `${n} × ${status || 'network'}`).join(', ') || 'none',
      cpu,
      cpuSeconds: stack.cpu.totalSeconds,
      cpuByProcess: stack.cpu.lastSeconds,
      commitsPerMessage: commits / result.posted.length,
    };
  } finally {
    await stack.close();
  }
}
