// The pieces the pipeline benchmarks and drills start: a scratch PostgreSQL database, the Evolution
// API emulator in a process of its own, the service as real processes (compiled, as `npm start`
// runs it: `dist/server/src/cli.js serve --role api|worker|all`), connected advisors made through
// the public API, and a clean-up of the run's Redis keys (only under its own prefix: other work
// shares this Redis).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

import { buildServer } from '../../test/support/cli-process.js';
import { HttpClient } from '../../test/support/http.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// DATABASE_URL picks the server and the way to it: TCP by default, or PostgreSQL's Unix socket
// (postgres://postgres@localhost/test?host=/var/run/postgresql). Both were measured on
// 2026-11-30 and gave the same throughput within the noise (docs/BENCHMARKS.md).
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let dataRoot: string | null = null;

/**
 * A fresh DATA_DIR for one service process (uploads land there). All of a run's live under one
 * temporary directory, removed when the bench exits, so runs leave nothing behind in /tmp.
 */
export function benchDataDir(): string {
  if (!dataRoot) {
    const root = mkdtempSync(path.join(tmpdir(), 'ww-bench-data-'));
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    dataRoot = root;
  }
  return mkdtempSync(path.join(dataRoot, 'service-'));
}

/** "Database: PostgreSQL over TCP (…)." or "… over its Unix socket (…).", for the reports. */
export function databaseLine(detail: string): string {
  const host = new URL(ADMIN_DATABASE_URL).searchParams.get('host');
  const transport = host?.startsWith('/') ? 'its Unix socket' : 'TCP';
  return `Database: PostgreSQL over ${transport} (${detail}).`;
}
const LOG_DIR = mkdtempSync(path.join(tmpdir(), 'ww-bench-logs-'));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A database of its own on the PostgreSQL server, migrated, dropped at the end. */
export interface ScratchDatabase {
  name: string;
  url: string;
  /** A small pool for the benchmark's own reads (counting sent messages…). */
  pool: pg.Pool;
  admin: pg.Client;
  drop(): Promise<void>;
}

export async function scratchDatabase(tag: string): Promise<ScratchDatabase> {
  const name = `ww_bench_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const { openDatabase } = await import('../../src/db/client.js');
  const { runMigrations } = await import('../../src/db/migrate.js');
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 1 });
  await runMigrations(database);
  await database.close();
  const pool = new pg.Pool({ connectionString: url.toString(), max: 3 });
  pool.on('error', () => undefined);
  return {
    name,
    url: url.toString(),
    pool,
    admin,
    drop: async () => {
      await pool.end().catch(() => undefined);
      await admin.query(`alter database ${name} allow_connections true`).catch(() => undefined);
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Deletes every key under `<prefix>:` (never FLUSHALL: the Redis is shared). Returns how many. */
export async function deletePrefix(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) removed += await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
  return removed;
}

export interface Child {
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** SIGTERM, wait for the exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
  /** SIGKILL, at once. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

function track(name: string, child: ChildProcess): Child {
  const logFile = path.join(LOG_DIR, `${name}-${child.pid}.log`);
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitExit = async (signal: NodeJS.Signals, graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    name,
    child,
    pid: child.pid!,
    logFile,
    stop: () => waitExit('SIGTERM', 20_000),
    kill: () => waitExit('SIGKILL', 5_000),
    exited,
  };
}

/** BENCH_CPU_PROFILE=dir: every service process and the emulator write a V8 CPU profile there (on exit). */
function cpuProfileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** The emulator with fast connect timings, in its own process. Receipts off unless asked. */
export async function startEmulatorProcess(
  options: { receipts?: boolean } = {},
): Promise<Child & { url: string; apiKey: string }> {
  const apiKey = randomBytes(12).toString('hex');
  const args = [
    ...cpuProfileArgs(),
    ...compiled('emulator/main.js'),
    '--port',
    '0',
    '--api-key',
    apiKey,
    '--fast',
  ];
  if (!options.receipts) args.push('--no-receipts');
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  lines.close();
  return { ...track('emulator', child), url, apiKey };
}

let serverBuilt = false;

/**
 * The service and the emulator run as `npm start` runs them: compiled (`npm run build:server`).
 * Brought up to date once per bench run; the build is incremental, seconds when nothing changed.
 */
function compiled(entry: string): string[] {
  if (!serverBuilt) {
    buildServer(ROOT);
    serverBuilt = true;
  }
  return ['--enable-source-maps', path.join('dist', 'server', entry)];
}

/** Environment shared by every service process of one run (same secrets, prefix, database). */
export function serviceEnv(options: {
  databaseUrl: string;
  emulator: { url: string; apiKey: string };
  prefix: string;
  port: number;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: benchDataDir(),
    DATABASE_URL: options.databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: options.prefix,
    EVOLUTION_API_URL: options.emulator.url,
    EVOLUTION_API_KEY: options.emulator.apiKey,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    PUBLIC_BASE_URL: `http://127.0.0.1:${options.port}`,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    ...options.extra,
  };
}

/** `node dist/server/src/cli.js serve --role <role>`; resolves when it serves (api/all) or at once. */
export async function startServiceProcess(
  role: 'api' | 'worker' | 'all',
  env: Record<string, string>,
  name: string = role,
): Promise<Child> {
  const args = [...cpuProfileArgs(), ...compiled('src/cli.js'), 'serve', '--role', role];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tracked = track(name, child);
  if (role !== 'worker') {
    const url = `http://127.0.0.1:${env.PORT}`;
    const until = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${name} exited with ${child.exitCode}: see ${tracked.logFile}`);
      const ok = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > until) throw new Error(`${name} did not start: see ${tracked.logFile}`);
      await sleep(100);
    }
  }
  return tracked;
}

export function tail(child: Child, lines = 20): string {
  try {
    return readFileSync(child.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Waits until `count` processes run a send worker on this prefix. */
export async function waitForWorkers(prefix: string, count: number, timeoutMs = 60_000): Promise<void> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('send', { connection, prefix });
  const until = Date.now() + timeoutMs;
  try {
    while ((await queue.getWorkersCount()) < count) {
      if (Date.now() > until)
        throw new Error(`only ${await queue.getWorkersCount()} of ${count} send workers`);
      await sleep(100);
    }
  } finally {
    await queue.close();
    await connection.quit();
  }
}

export interface BenchAdvisor {
  client: HttpClient;
  userId: string;
  instanceName: string;
  /** The session cookie, for load generators that bypass HttpClient. */
  cookie: string;
  /** An API key of this advisor (x-api-key), as the booking module calls with. */
  apiKey: string;
}

let advisorCounter = 0;

/** Signs up through the API, connects, lets the emulated phone scan, waits for `connected`. */
export async function connectAdvisor(
  apiUrl: string,
  emulatorUrl: string,
  name: string,
): Promise<BenchAdvisor> {
  const email = `bench${process.pid}x${advisorCounter++}x${randomBytes(3).toString('hex')}@example.test`;
  const signUp = await fetch(`${apiUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    // better-auth checks the Origin of browser-style sign-ups in production mode.
    headers: { 'content-type': 'application/json', origin: apiUrl },
    body: JSON.stringify({ name, email, password: 'correct-horse-9' }),
  });
  if (signUp.status !== 200) throw new Error(`sign-up: ${signUp.status} ${await signUp.text()}`);
  const userId = ((await signUp.json()) as { user: { id: string } }).user.id;
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const client = new HttpClient(apiUrl, { cookie });
  const connect = await client.post('/api/whatsapp/connect');
  if (connect.status !== 200) throw new Error(`connect: ${connect.status} ${JSON.stringify(connect.body)}`);
  const { instanceName } = (await client.get('/api/whatsapp/config')).body as { instanceName: string };
  const emulator = new HttpClient(emulatorUrl);
  const scan = await emulator.post(`/_emulator/instances/${instanceName}/scan`, {});
  if (scan.status !== 200) throw new Error(`scan: ${scan.status} ${JSON.stringify(scan.body)}`);
  const until = Date.now() + 30_000;
  for (;;) {
    const config = await client.get('/api/whatsapp/config?refresh=true');
    if ((config.body as { status: string }).status === 'connected') break;
    if (Date.now() > until) throw new Error(`${name} never connected`);
    await sleep(100);
  }
  const key = await client.post('/api/api-keys', { name: 'bench' });
  if (key.status !== 201) throw new Error(`api key: ${key.status} ${JSON.stringify(key.body)}`);
  return { client, userId, instanceName, cookie, apiKey: (key.body as { key: string }).key };
}

/** CPU time (user + system, seconds) a process has used so far; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Resident memory in MB, from /proc. */
export function rssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples the 1-minute load average while a run lasts; reports before/max. */
export class LoadSampler {
  private readonly before = loadavg()[0] ?? 0;
  private max = this.before;
  private readonly timer = setInterval(() => {
    this.max = Math.max(this.max, loadavg()[0] ?? 0);
  }, 1_000);
  constructor() {
    this.timer.unref();
  }
  line(): string {
    clearInterval(this.timer);
    return `1-minute load average ${this.before.toFixed(1)} before the run, up to ${this.max.toFixed(1)} during it (2 cores; other work on the machine lowers every figure).`;
  }
}

/** Counts of the scratch database's outbound messages by status. */
export async function statusCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: string }>(
    `select status, count(*) as n from whatsapp_message where direction = 'outbound' group by status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Pids of every process with this command name (postgres backends, redis-server). */
export function pidsByName(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** CPU seconds used by named groups of processes between start() and stop(). */
export class CpuMeter {
  private start = new Map<string, number>();
  constructor(private readonly groups: Record<string, () => number[]>) {}
  private read(): Map<string, number> {
    return new Map(
      Object.entries(this.groups).map(([label, pids]) => [
        label,
        pids().reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0),
      ]),
    );
  }
  begin(): void {
    this.start = this.read();
  }
  /** CPU seconds every group used together in the last begin() … end(). */
  totalSeconds = 0;
  /** CPU seconds of each group in the last begin() … end(). */
  lastSeconds: Record<string, number> = {};

  /** "api 3.1 s (52 %), …" over `seconds` of wall time. */
  end(seconds: number): string {
    const used = [...this.read()].map(
      ([label, v]) => [label, Math.max(0, v - (this.start.get(label) ?? 0))] as const,
    );
    this.totalSeconds = used.reduce((sum, [, v]) => sum + v, 0);
    this.lastSeconds = Object.fromEntries(used);
    return used
      .map(([label, v]) => `${label} ${v.toFixed(1)} s (${Math.round((100 * v) / seconds)} %)`)
      .join(', ');
  }
}
