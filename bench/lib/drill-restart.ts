// The rolling restart: what a deploy does to a running service. Under a steady load, each worker
// is replaced (the new one started first, then SIGTERM to the old), then each of two API
// processes is stopped with SIGTERM and started again while the other one serves. The load
// behaves like a load balancer with retries: a refused or cut request is sent again, with the
// same Idempotency-Key, to the other API. Nothing accepted may be lost, nothing sent twice, no
// answer may be a 5xx other than the 503 of a server closing, and every stopped process must
// exit by itself (code 0) having finished the sends it had started.
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { Pool } from 'undici';

import {
  advisorsFor,
  checkSent,
  counts,
  seconds,
  setFaults,
  settle,
  unfinished,
  waitFinalCount,
  activeMessageIds,
  type DrillResult,
  type DrillSizes,
} from './drill-support.js';
import { startPipeline, type PipelineStack } from './pipeline-stack.js';
import {
  fmt,
  freePort,
  sleep,
  startServiceProcess,
  tail,
  waitForWorkers,
  type BenchAdvisor,
  type Child,
} from './stack.js';

const GATEWAY_LATENCY_MS = 250;
/** How long a replaced process may take to exit before the drill calls it stuck (SIGKILL at 20 s). */
const EXIT_BUDGET_MS = 15_000;

/** Requests paced at `rate` per second over two APIs, each retried on the other when refused. */
class FailoverLoad {
  readonly pools: Pool[];
  /** Idempotency-Key → message id, for every request answered 202. */
  readonly accepted = new Map<string, string>();
  /** Answers that were not 202, by "status" or "network error", per API. */
  readonly refusals = new Map<string, number>();
  /** Requests that needed more than one attempt, and those given up after every attempt. */
  retried = 0;
  gaveUp = 0;
  /** For requests that needed more than one attempt: when the attempt answered 202 started. */
  readonly lastAttemptAt = new Map<string, number>();
  private stopped = false;
  private issued = 0;
  readonly done: Promise<void>;

  constructor(
    urls: string[],
    private readonly advisors: BenchAdvisor[],
    private readonly tag: string,
    rate: number,
    loops: number,
  ) {
    this.pools = urls.map((url) => new Pool(url, { connections: loops, pipelining: 1 }));
    const started = performance.now();
    this.done = Promise.all(
      Array.from({ length: loops }, async () => {
        while (!this.stopped) {
          const n = this.issued++;
          const wait = started + (n * 1000) / rate - performance.now();
          if (wait > 0) await sleep(wait);
          if (this.stopped) break;
          await this.send(n);
        }
      }),
    ).then(() => undefined);
  }

  private count(key: string): void {
    this.refusals.set(key, (this.refusals.get(key) ?? 0) + 1);
  }

  private async send(n: number): Promise<void> {
    const advisor = this.advisors[n % this.advisors.length]!;
    const key = `${this.tag}-${n}`;
    const body = JSON.stringify({
      to: `+3461${String(1_000_000 + (n % 2_000)).padStart(7, '0')}`,
      text: `${key} Hola, te recuerdo tu cita de mañana.`,
    });
    // Up to 40 attempts over both APIs (about 10 s): longer than an API takes to come back.
    for (let attempt = 0; attempt < 40; attempt++) {
      const api = (n + attempt) % this.pools.length;
      if (attempt === 1) this.retried++;
      const attemptAt = Date.now();
      try {
        const res = await this.pools[api]!.request({
          path: '/api/whatsapp/send',
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: advisor.cookie, 'idempotency-key': key },
          body,
        });
        const text = await res.body.text();
        if (res.statusCode === 202) {
          const id = (JSON.parse(text) as { message: { id: string } }).message.id;
          const before = this.accepted.get(key);
          // The same key must always name the same message, whichever API answered.
          if (before && before !== id) this.count(`two ids for one key`);
          this.accepted.set(key, id);
          if (attempt > 0) this.lastAttemptAt.set(id, attemptAt);
          return;
        }
        this.count(`api${api + 1} ${res.statusCode}`);
        // A closing server answers 503; anything else is the answer for this request.
        if (res.statusCode !== 503) return;
      } catch {
        this.count(`api${api + 1} network error`);
      }
      await sleep(250);
    }
    this.gaveUp++;
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    await this.done;
    await Promise.all(this.pools.map((p) => p.close()));
  }
}

/**
 * Of the messages accepted on a retry, those stored before that retry started: an earlier attempt
 * was accepted and its answer never arrived. With the Idempotency-Key the retry gets that message
 * back; a caller without one would have sent it twice.
 */
async function answersLost(pool: pg.Pool, lastAttemptAt: Map<string, number>): Promise<number> {
  if (!lastAttemptAt.size) return 0;
  const { rows } = await pool.query<{ id: string; created: string }>(
    `select id, (extract(epoch from created_at) * 1000)::bigint as created
       from whatsapp_message where id = any($1::uuid[])`,
    [[...lastAttemptAt.keys()]],
  );
  return rows.filter((r) => Number(r.created) < lastAttemptAt.get(r.id)!).length;
}

interface Stopped {
  name: string;
  child: Child;
  code: number | null;
  exitMs: number;
  /** Send jobs active (any worker) when the signal went out, and how many were final at the exit. */
  active?: number;
  finalAtExit?: number;
  /** When the last of those became final, from the signal (ms). */
  activeFinalMs?: number;
}

/**
 * Warnings and errors the service processes logged (pino levels 40 and up), by message. A
 * graceful restart should log none: a sweeper restore, for one, means a job went missing.
 */
function loggedProblems(children: Child[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const child of children) {
    let text: string;
    try {
      text = readFileSync(child.logFile, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      if ((entry.level ?? 0) < 40) continue;
      // A checkout without `npm run build:web` serves a "build missing" page; not this drill's business.
      if (/^"root" path .* must exist$/.test(entry.msg ?? '')) continue;
      const key = `${child.name}: ${entry.level! >= 50 ? 'error' : 'warning'} "${entry.msg}"`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
  }
  return out;
}

/** SIGTERM, then how long the exit took and with which code (null: killed after 20 s). */
async function terminate(child: Child): Promise<Pick<Stopped, 'code' | 'exitMs'>> {
  const at = Date.now();
  await child.stop();
  return { code: await child.exited, exitMs: Date.now() - at };
}

async function replaceWorker(stack: PipelineStack, old: Child, name: string, count: number) {
  const next = await startServiceProcess('worker', stack.env, name);
  await waitForWorkers(stack.prefix, count + 1, 120_000);
  const active = await activeMessageIds(stack.prefix);
  const signalAt = Date.now();
  const exit = await terminate(old);
  const finalAtExit = active.length - (await unfinished(stack.database.pool, active)).length;
  // A send the old worker abandoned would wait for the stalled-job check and the claim hold (30 s
  // and more); the others' sends finish within the gateway's latency.
  const state = await settle(stack.database.pool, active, 60_000);
  const stopped: Stopped = {
    name: old.name,
    child: old,
    ...exit,
    active: active.length,
    finalAtExit,
    activeFinalMs: active.length ? state.lastFinalAt - signalAt : 0,
  };
  return { next, stopped };
}

async function restartApi(stack: PipelineStack, old: Child, port: number, name: string) {
  const exit = await terminate(old);
  const downAt = Date.now();
  const next = await startServiceProcess('api', { ...stack.env, PORT: String(port) }, name);
  return { next, stopped: { name: old.name, child: old, ...exit }, downMs: Date.now() - downAt };
}

export async function rollingRestart(sizes: DrillSizes): Promise<DrillResult> {
  const rate = sizes.quick ? 60 : 120;
  const pause = sizes.quick ? 3_000 : 10_000;
  const tag = `rr${Date.now().toString(36)}`;
  const stack = await startPipeline({
    tag: 'drillroll',
    advisors: advisorsFor(rate * 120),
    workers: 2,
    // Requests keep being served for a second after SIGTERM while /ready says 503.
    env: { SEND_CONCURRENCY: '20', SHUTDOWN_DRAIN_MS: '1000' },
  });
  const apiPorts = [Number(stack.env.PORT), await freePort()];
  const started: Child[] = [];
  let load: FailoverLoad | null = null;
  try {
    started.push(await startServiceProcess('api', { ...stack.env, PORT: String(apiPorts[1]) }, 'api2'));
    await setFaults(stack.emulator.url, { latencyMs: GATEWAY_LATENCY_MS });
    const loadAt = Date.now();
    load = new FailoverLoad(
      apiPorts.map((p) => `http://127.0.0.1:${p}`),
      stack.advisors,
      tag,
      rate,
      16,
    );
    await waitFinalCount(stack.database.pool, rate * 2);
    await sleep(pause);

    const stopped: Stopped[] = [];
    const workers = [...stack.workers];
    for (const [i, old] of workers.entries()) {
      const { next, stopped: s } = await replaceWorker(stack, old, `worker${i + 1}-new`, workers.length);
      started.push(next);
      stopped.push(s);
      console.error(`rolling-restart: ${s.name} exited ${s.code} after ${seconds(s.exitMs)}`);
      await sleep(pause);
    }
    const apis = [stack.api, started[0]!];
    const downs: number[] = [];
    for (const [i, old] of apis.entries()) {
      const { next, stopped: s, downMs } = await restartApi(stack, old, apiPorts[i]!, `api${i + 1}-new`);
      started.push(next);
      stopped.push(s);
      downs.push(downMs);
      console.error(`rolling-restart: ${s.name} exited ${s.code} after ${seconds(s.exitMs)}`);
      await sleep(pause);
    }
    await load.stop();
    const loadMs = Date.now() - loadAt;

    const ids = [...new Set(load.accepted.values())];
    const state = await settle(stack.database.pool, ids, sizes.quick ? 120_000 : 300_000);
    const sent = await checkSent(stack.emulator.url, stack.advisors, tag);
    const cut = await answersLost(stack.database.pool, load.lastAttemptAt);
    const lost = state.missing + state.notFinal;
    const why: string[] = [];
    if (lost > 0) why.push(`${lost} accepted messages not final (${counts(state.byStatus)})`);
    if (sent.duplicates > 0) why.push(`${sent.duplicates} texts sent twice (${sent.examples.join(', ')})`);
    if (ids.length !== load.accepted.size)
      why.push(`${load.accepted.size - ids.length} keys shared a message`);
    const bad = [...load.refusals].filter(([k]) => !/ (503|network error)$/.test(k));
    if (bad.length) why.push(`answers other than 202 or a closing server's: ${counts(new Map(bad))}`);
    if (cut) why.push(`${cut} requests accepted by a stopping API whose answer was cut`);
    if (load.gaveUp) why.push(`${load.gaveUp} requests refused by both APIs for 10 s`);
    for (const s of stopped) {
      if (s.code !== 0) why.push(`${s.name} exited with ${s.code ?? 'SIGKILL'}: ${tail(s.child, 5)}`);
      else if (s.exitMs > EXIT_BUDGET_MS) why.push(`${s.name} took ${seconds(s.exitMs)} to exit`);
      if (s.active !== undefined && s.activeFinalMs! > EXIT_BUDGET_MS)
        why.push(`a send active at ${s.name}'s SIGTERM was final only ${seconds(s.activeFinalMs!)} later`);
    }
    const problems = loggedProblems([...stack.workers, stack.api, ...started]);
    if (problems.size) why.push(`logged: ${counts(problems)}`);
    const describe = (s: Stopped) =>
      `${s.name} exited ${s.code ?? 'by SIGKILL'} after ${seconds(s.exitMs)}` +
      (s.active !== undefined
        ? ` (${s.active} send jobs active in all workers at the signal, ${s.finalAtExit} final when it had exited, all ${seconds(s.activeFinalMs!)} after the signal)`
        : '');
    return {
      drill: 'rolling-restart',
      size: `${fmt(ids.length)} messages in ${seconds(loadMs)} (paced at ${rate}/s, ${fmt(ids.length / (loadMs / 1000))}/s reached: a loop waits while it retries), 2 workers, 2 APIs`,
      result: `${counts(state.byStatus)}; ${fmt(load.retried)} requests retried on the other API, ${fmt(load.gaveUp)} given up`,
      lost,
      duplicates: sent.duplicates,
      notes:
        `Emulator latency ${GATEWAY_LATENCY_MS} ms per call; \`SHUTDOWN_DRAIN_MS=1000\`. Each worker replaced ` +
        `(new one serving first, then SIGTERM to the old), then each API stopped with SIGTERM and started again ` +
        `while the other served (down ${downs.map((d) => seconds(d)).join(' and ')}). ${stopped.map(describe).join('; ')}. ` +
        `The load retries a refused or cut request on the other API with the same Idempotency-Key; ` +
        `answers other than 202: ${counts(load.refusals)}; requests accepted whose answer was cut by the stop (a caller without the key would send them twice): ${fmt(cut)}. Warnings or errors logged by the service processes: ${counts(problems)}. Emulator sent ${fmt(sent.distinct)} distinct texts.`,
      pass: why.length === 0,
      why,
    };
  } finally {
    await load?.stop().catch(() => undefined);
    for (const child of started.reverse()) await child.stop();
    await stack.close();
  }
}
