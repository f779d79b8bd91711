// The gateway-outage drill: the WhatsApp gateway answers an error to every call for a while, and
// messages must survive it on retries with backoff.
import { randomBytes } from 'node:crypto';

import { backoffDelay } from '../../src/jobs/catalogue.js';
import {
  advisorsFor,
  checkSent,
  clearFaults,
  counts,
  diffCounters,
  emulatorStats,
  sendCounters,
  seconds,
  setFaults,
  settle,
  waitFinalCount,
  watchedLoad,
  type DrillResult,
  type DrillSizes,
} from './drill-support.js';
import { RATE_LIMIT_OFF, type PipelineStack } from './pipeline-stack.js';
import {
  connectAdvisor,
  CpuMeter,
  deletePrefix,
  fmt,
  freePort,
  scratchDatabase,
  serviceEnv,
  sleep,
  startEmulatorProcess,
  startServiceProcess,
  waitForWorkers,
  type Child,
} from './stack.js';

/** One `--role all` process (HTTP + workers), so the worker-side counters are on its /metrics. */
async function startAllInOne(
  tag: string,
  advisors: number,
  extra: Record<string, string>,
): Promise<PipelineStack> {
  const database = await scratchDatabase(tag);
  const emulator = await startEmulatorProcess({ receipts: false });
  const prefix = `wwbench_${tag}_${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const env = serviceEnv({
    databaseUrl: database.url,
    emulator,
    prefix,
    port,
    extra: { ...RATE_LIMIT_OFF, ...extra },
  });
  const started: Child[] = [emulator];
  const close = async () => {
    for (const child of started.reverse()) await child.stop();
    await deletePrefix(prefix);
    await database.drop();
  };
  try {
    const all = await startServiceProcess('all', env);
    started.push(all);
    await waitForWorkers(prefix, 1);
    const apiUrl = `http://127.0.0.1:${port}`;
    const list = [];
    for (let i = 0; i < advisors; i++) list.push(await connectAdvisor(apiUrl, emulator.url, `Asesora ${i}`));
    const cpu = new CpuMeter({ all: () => [all.pid], emulator: () => [emulator.pid] });
    return { apiUrl, prefix, database, emulator, api: all, workers: [], advisors: list, env, cpu, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Attempts so that even the shortest jittered backoff outlasts the outage by a margin. */
function attemptsToSurvive(outageMs: number, backoff: { baseMs: number; maxMs: number }): number {
  let waited = 0;
  let attempts = 1;
  while (waited < outageMs * 1.3 + 5_000 && attempts < 50) {
    waited += backoffDelay(attempts, backoff, () => 0);
    attempts++;
  }
  return attempts;
}

export async function gatewayOutage(sizes: DrillSizes): Promise<DrillResult> {
  const outageMs = sizes.outageSeconds * 1000;
  const total = sizes.quick ? sizes.messages : Math.min(sizes.messages, 1_200);
  const backoff = { baseMs: 1_000, maxMs: Math.min(30_000, Math.max(2_000, Math.round(outageMs / 4))) };
  const attempts = attemptsToSurvive(outageMs, backoff);
  const tag = `go${Date.now().toString(36)}`;
  const stack = await startAllInOne('drillgw', advisorsFor(total), {
    SEND_CONCURRENCY: '20',
    SEND_MAX_ATTEMPTS: String(attempts),
    SEND_BACKOFF_BASE_MS: String(backoff.baseMs),
    SEND_BACKOFF_MAX_MS: String(backoff.maxMs),
  });
  try {
    // A quarter before the outage, half during it (spread over it), a quarter after.
    const first = Math.floor(total / 4);
    const pre = watchedLoad(stack, first, 8, tag);
    await pre.done;
    await waitFinalCount(stack.database.pool, first);
    const c0 = await sendCounters(stack.apiUrl);
    await setFaults(stack.emulator.url, { errorRate: 1 });
    const outageAt = Date.now();
    console.error(`gateway-outage: errorRate 1 for ${sizes.outageSeconds} s`);
    const during = Math.floor(total / 2);
    const mid = await pre.load.openLoop(during / (sizes.outageSeconds * 0.8), sizes.outageSeconds * 0.8, tag);
    await sleep(Math.max(0, outageAt + outageMs - Date.now()));
    const c1 = await sendCounters(stack.apiUrl);
    const injected = (await emulatorStats(stack.emulator.url)).injectedErrors as number;
    await clearFaults(stack.emulator.url);
    const restoredAt = Date.now();
    const { rows: early } = await stack.database.pool.query<{ code: string; n: string }>(
      `select coalesce(error_code, 'none') as code, count(*) as n from whatsapp_message
        where direction = 'outbound' and status = 'failed' group by 1`,
    );
    const post = await pre.load.openLoop(50, (total - first - during) / 50, tag);
    await pre.load.close();
    const ids = [...pre.result.posted, ...mid.posted, ...post.posted].map((p) => p.id);
    const state = await settle(stack.database.pool, ids, outageMs + 300_000);
    const c2 = await sendCounters(stack.apiUrl);
    const { rows: att } = await stack.database.pool.query<{ max: number; avg: string }>(
      `select max(attempts) as max, avg(attempts) as avg from whatsapp_message where id = any($1::uuid[])`,
      [ids],
    );
    const sent = await checkSent(stack.emulator.url, stack.advisors, tag);
    const errors = new Map([...pre.result.errors, ...mid.errors, ...post.errors]);
    const failedEarly = early.reduce((s, r) => s + Number(r.n), 0);
    const lost = state.missing + state.notFinal;
    const why: string[] = [];
    if (lost) why.push(`${lost} accepted messages not final (${counts(state.byStatus)})`);
    if (failedEarly)
      why.push(
        `${failedEarly} marked failed during the outage: ${counts(Object.fromEntries(early.map((r) => [r.code, Number(r.n)])))}`,
      );
    if (state.byStatus.failed)
      why.push(`${state.byStatus.failed} failed in the end: ${counts(state.failedCodes)}`);
    if (errors.size) why.push(`non-202 answers: ${counts(errors)}`);
    return {
      drill: 'gateway-outage',
      size: `${fmt(ids.length)} messages, ${seconds(outageMs)} outage`,
      result: `${counts(state.byStatus)}; last sent ${seconds(state.lastFinalAt - restoredAt)} after the gateway returned`,
      lost,
      duplicates: sent.duplicates,
      notes:
        `Emulator \`errorRate: 1\` (every Evolution call answers 500 with a Baileys "Timed Out" body: transient, \`gateway_error\`; ${fmt(injected)} injected) ` +
        `with ${fmt(during)} messages POSTed during it; \`SEND_MAX_ATTEMPTS=${attempts}\`, backoff ${fmt(backoff.baseMs)} ms doubling to ` +
        `${fmt(backoff.maxMs)} ms with full jitter (chosen so the shortest backoff sum outlasts the outage). ` +
        `Failed during the outage: ${failedEarly}. \`ww_sends_total\` during the outage: ${counts(diffCounters(c1, c0))}; ` +
        `after it: ${counts(diffCounters(c2, c1))}. Attempts per message: max ${att[0]?.max ?? 0}, mean ${Number(att[0]?.avg ?? 0).toFixed(1)}.`,
      pass: why.length === 0,
      why,
    };
  } finally {
    await clearFaults(stack.emulator.url).catch(() => undefined);
    await stack.close();
  }
}
