// Shared pieces of the reliability drills (bench/drills.ts): the result row, waiting for messages
// to settle without trusting any one process, duplicate detection through the emulator's `sent`
// list, the emulator's fault control, Prometheus scraping, and a closed-loop load whose progress
// can be watched while it runs.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';

import { SendLoad, type LoadResult } from './load.js';
import type { PipelineStack } from './pipeline-stack.js';
import { fmt, REDIS_URL, sleep, type BenchAdvisor } from './stack.js';

/** One row of the drills table. */
export interface DrillResult {
  drill: string;
  size: string;
  result: string;
  /** Accepted messages that never became final (or whose row is missing). */
  lost: number;
  /** Extra copies the emulator "sent" (null: not measured). */
  duplicates: number | null;
  notes: string;
  pass: boolean;
  /** Why the drill failed its correctness target (empty when it passed). */
  why: string[];
}

export interface DrillSizes {
  quick: boolean;
  messages: number;
  outageSeconds: number;
  /** How long the soak drill keeps its load going. */
  soakMinutes: number;
}

export const FINAL = ['sent', 'delivered', 'read', 'failed', 'skipped'];

export interface Settled {
  /** Rows per status among the ids asked about. */
  byStatus: Record<string, number>;
  missing: number;
  notFinal: number;
  /** failed/skipped rows by error code. */
  failedCodes: Record<string, number>;
  /** Latest sent_at / failed_at among them (ms), 0 if none. */
  lastFinalAt: number;
  timedOut: boolean;
}

/** Polls until every id is final (or `timeoutMs`); database errors (a restart) are retried. */
export async function settle(pool: pg.Pool, ids: string[], timeoutMs: number): Promise<Settled> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await readState(pool, ids).catch(() => null);
    if (state && state.notFinal === 0 && state.missing === 0) return state;
    if (Date.now() > until) {
      const last = state ?? (await readState(pool, ids));
      return { ...last, timedOut: true };
    }
    await sleep(500);
  }
}

async function readState(pool: pg.Pool, ids: string[]): Promise<Settled> {
  const { rows } = await pool.query<{ status: string; code: string | null; n: string; last: string | null }>(
    `select status, error_code as code, count(*) as n,
            (extract(epoch from max(coalesce(sent_at, failed_at))) * 1000)::bigint as last
       from whatsapp_message where id = any($1::uuid[]) group by 1, 2`,
    [ids],
  );
  const byStatus: Record<string, number> = {};
  const failedCodes: Record<string, number> = {};
  let found = 0;
  let notFinal = 0;
  let lastFinalAt = 0;
  for (const r of rows) {
    const n = Number(r.n);
    found += n;
    byStatus[r.status] = (byStatus[r.status] ?? 0) + n;
    if (!FINAL.includes(r.status)) notFinal += n;
    if (r.status === 'failed' || r.status === 'skipped')
      failedCodes[r.code ?? 'none'] = (failedCodes[r.code ?? 'none'] ?? 0) + n;
    if (FINAL.includes(r.status)) lastFinalAt = Math.max(lastFinalAt, Number(r.last ?? 0));
  }
  return { byStatus, missing: ids.length - found, notFinal, failedCodes, lastFinalAt, timedOut: false };
}

/** The ids among these whose row is not final. */
export async function unfinished(pool: pg.Pool, ids: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `select id from whatsapp_message where id = any($1::uuid[]) and not (status = any($2))`,
    [ids, FINAL],
  );
  return rows.map((r) => r.id);
}

/** Waits (bounded) until at least `count` of the outbound messages are final. */
export async function waitFinalCount(pool: pg.Pool, count: number, timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const n = await pool
      .query<{ n: string }>(
        `select count(*) as n from whatsapp_message where direction = 'outbound' and status = any($1)`,
        [FINAL],
      )
      .then((r) => Number(r.rows[0]!.n))
      .catch(() => 0);
    if (n >= count) return;
    if (Date.now() > until) throw new Error(`only ${n} of ${count} messages final`);
    await sleep(100);
  }
}

/** "12 × sent, 3 × failed" */
export const counts = (record: Record<string, number> | Map<number | string, number>): string => {
  const entries = record instanceof Map ? [...record] : Object.entries(record);
  return entries.map(([k, n]) => `${fmt(n)} × ${k === 0 ? 'network error' : k}`).join(', ') || 'none';
};

// ---------- the emulator ----------

export async function setFaults(emulatorUrl: string, patch: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${emulatorUrl}/_emulator/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  if (!res.ok) throw new Error(`PUT /_emulator/faults: ${res.status} ${await res.text()}`);
}

export async function clearFaults(emulatorUrl: string): Promise<void> {
  const res = await fetch(`${emulatorUrl}/_emulator/faults`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`DELETE /_emulator/faults: ${res.status}`);
}

export async function emulatorStats(emulatorUrl: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${emulatorUrl}/_emulator/stats`)).json()) as Record<string, unknown>;
}

export interface SentCheck {
  /** Texts with the drill's tag the emulator sent at least once. */
  distinct: number;
  /** Extra copies: sum over texts of (times sent − 1). */
  duplicates: number;
  /** A few duplicated texts, for the report. */
  examples: string[];
}

/** Reads every advisor's `sent` list (the emulator keeps the last 20,000 per instance). */
export async function checkSent(
  emulatorUrl: string,
  advisors: BenchAdvisor[],
  tag: string,
): Promise<SentCheck> {
  const times = new Map<string, number>();
  for (const advisor of advisors) {
    const res = await fetch(`${emulatorUrl}/_emulator/instances/${advisor.instanceName}/sent`);
    const sent = (await res.json()) as { text?: string }[];
    for (const s of sent) {
      if (!s.text?.startsWith(`${tag}-`)) continue;
      times.set(s.text, (times.get(s.text) ?? 0) + 1);
    }
  }
  const dup = [...times].filter(([, n]) => n > 1);
  return {
    distinct: times.size,
    duplicates: dup.reduce((sum, [, n]) => sum + n - 1, 0),
    examples: dup.slice(0, 3).map(([text]) => text.split(' ')[0]!),
  };
}

// ---------- Prometheus ----------

/** ww_sends_total by "outcome/code" from an `all` process's /metrics (loopback). */
export async function sendCounters(apiUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^ww_sends_total\{outcome="([^"]*)",code="([^"]*)"\} (\S+)$/.exec(line);
    if (match) out[match[2] ? `${match[1]}/${match[2]}` : match[1]!] = Number(match[3]);
  }
  return out;
}

export function diffCounters(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );
}

// ---------- load whose progress is visible ----------

/** A closed loop (like SendLoad.closedLoop) writing into a result the caller can watch. */
export function watchedLoad(
  stack: PipelineStack,
  total: number,
  concurrency: number,
  tag: string,
): { load: SendLoad; result: LoadResult; done: Promise<void> } {
  const load = new SendLoad(stack.apiUrl, stack.advisors, Math.max(concurrency, 8));
  const result = SendLoad.emptyResult();
  let issued = 0;
  const done = Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) {
        const n = issued++;
        await load.post(n % stack.advisors.length, result, tag);
      }
    }),
  ).then(() => undefined);
  return { load, result, done };
}

/** Message ids of the send jobs BullMQ holds as active right now (any worker). */
export async function activeMessageIds(prefix: string): Promise<string[]> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('send', { connection, prefix });
  try {
    const jobs = await queue.getJobs(['active']);
    return jobs.map((j) => (j.data as { messageId: string }).messageId);
  } finally {
    await queue.close();
    await connection.quit();
  }
}

/** Job schedulers of the maintenance queue (the sweepers, health check, retention). */
export async function maintenanceSchedulers(prefix: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  try {
    const ids = await redis.zrange(`${prefix}:maintenance:repeat`, '0', '-1');
    return ids.sort();
  } finally {
    await redis.quit();
  }
}

/** Advisors so that no emulator instance holds more than `perAdvisor` of the drill's texts. */
export const advisorsFor = (messages: number, perAdvisor = 10_000, min = 5) =>
  Math.max(min, Math.ceil(messages / perAdvisor));

export const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;
