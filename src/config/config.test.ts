import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ww-config-'));
const key = Buffer.alloc(32, 7).toString('base64');

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

/** Everything a production process needs, set to real-looking values. */
const productionEnv = () => ({
  DATA_DIR: tmp(),
  NODE_ENV: 'production',
  ENCRYPTION_KEY: key,
  BETTER_AUTH_SECRET: 'x'.repeat(40),
  PUBLIC_BASE_URL: 'https://wa.example.com',
  EVOLUTION_API_URL: 'https://evolution.example.com',
  EVOLUTION_API_KEY: 'k',
});

describe('loadConfig', () => {
  it('applies the documented defaults with nothing set', () => {
    const c = loadConfig({ DATA_DIR: tmp() });
    expect(c.port).toBe(3000);
    expect(c.redis.url).toBe('redis://localhost:6379');
    expect(c.rateLimit).toMatchObject({ max: 50, durationMs: 60000 });
    expect(c.database.kind).toBe('pglite');
    expect(c.evolution.sandbox).toBe(true);
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
    expect(c.sendConcurrency).toBe(100);
    expect(c.evolution.maxConnections, 'a connection for every send in flight, and 10 more').toBe(110);
  });

  it('keeps a gateway connection for every send a worker may have in flight, and never fewer than 50', () => {
    const pool = (concurrency: string) =>
      loadConfig({ DATA_DIR: tmp(), SEND_CONCURRENCY: concurrency }).evolution.maxConnections;
    expect(pool('1')).toBe(50);
    expect(pool('40')).toBe(50);
    expect(pool('45')).toBe(55);
    expect(pool('500')).toBe(510);
  });

  it('generates dev secrets once and reuses them on the next start', () => {
    const dir = tmp();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.encryption.key.length).toBe(32);
    expect(second.encryption.key.equals(first.encryption.key)).toBe(true);
    expect(second.authSecret).toBe(first.authSecret);
    const stored = JSON.parse(readFileSync(path.join(dir, 'dev-secrets.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(Buffer.from(stored.ENCRYPTION_KEY!, 'base64').equals(first.encryption.key)).toBe(true);
  });

  it('stops with one line, and leaves the file alone, when dev-secrets.json is damaged', () => {
    for (const [content, what] of [
      ['{"ENCRYPTION_KEY": "abc', /is not valid JSON/],
      [
        JSON.stringify({ ENCRYPTION_KEY: key, BETTER_AUTH_SECRET: 'y'.repeat(43) }),
        /incomplete.*EMULATOR_API_KEY/,
      ],
      [
        JSON.stringify({
          ENCRYPTION_KEY: 'c2hvcnQ=',
          BETTER_AUTH_SECRET: 'y'.repeat(43),
          EMULATOR_API_KEY: 'k',
        }),
        /incomplete.*ENCRYPTION_KEY/,
      ],
      ['', /is not valid JSON/],
    ] as const) {
      const dir = tmp();
      const file = path.join(dir, 'dev-secrets.json');
      writeFileSync(file, content);
      const problems = problemsOf({ DATA_DIR: dir });
      expect(problems).toEqual([expect.stringMatching(what)]);
      expect(problems[0]).toContain(file);
      expect(problems[0]).toMatch(/restore it from a backup/);
      expect(readFileSync(file, 'utf8')).toBe(content);
    }
  });

  it('does not need dev-secrets.json when every secret is set', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'dev-secrets.json'), 'damaged, but nobody reads it');
    expect(
      problemsOf({
        DATA_DIR: dir,
        ENCRYPTION_KEY: key,
        BETTER_AUTH_SECRET: 'x'.repeat(40),
        EVOLUTION_API_URL: 'https://evo.example.com',
        EVOLUTION_API_KEY: 'k',
      }),
    ).toEqual([]);
  });

  it('reads PostgreSQL, a real gateway and numeric settings', () => {
    const c = loadConfig({
      DATA_DIR: tmp(),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      EVOLUTION_API_URL: 'https://evo.example.com',
      EVOLUTION_API_KEY: 'k',
      WHATSAPP_RATE_LIMIT_MAX: '20',
      WHATSAPP_RATE_LIMIT_DURATION: '1000',
      PUBLIC_BASE_URL: 'https://wa.example.com/',
    });
    expect(c.database).toEqual({
      kind: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/test',
      poolSize: 10,
      queryTimeoutMs: 30_000,
    });
    expect(c.evolution).toMatchObject({ sandbox: false, url: 'https://evo.example.com', apiKey: 'k' });
    expect(c.rateLimit).toMatchObject({ max: 20, durationMs: 1000 });
    expect(c.publicBaseUrl).toBe('https://wa.example.com');
  });

  it('lists one clear line per bad value', () => {
    const problems = problemsOf({
      DATA_DIR: tmp(),
      PORT: 'eighty',
      REDIS_URL: 'http://nope',
      ENCRYPTION_KEY: 'c2hvcnQ=',
      WHATSAPP_RATE_LIMIT_MAX: '-3',
    });
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('PORT:'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('REDIS_URL:'))).toMatch(/redis:\/\//);
    expect(problems.find((p) => p.startsWith('ENCRYPTION_KEY:'))).toMatch(/32 bytes/);
    expect(problems.find((p) => p.startsWith('WHATSAPP_RATE_LIMIT_MAX:'))).toBeDefined();
  });

  it('refuses a directory or host of spaces only, naming the variable', () => {
    // DATA_DIR=" " made a directory named " " in the working directory and kept the database there.
    const problems = problemsOf({ DATA_DIR: ' ', PGLITE_DIR: '  ', HOST: ' ', METRICS_HOST: '\t' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DATA_DIR',
      'HOST',
      'METRICS_HOST',
      'PGLITE_DIR',
    ]);
    expect(problems.every((p) => p.endsWith('must not be blank'))).toBe(true);
    expect(problemsOf({ DATA_DIR: tmp(), HOST: '::', METRICS_HOST: 'localhost' })).toEqual([]);
  });

  it('refuses a REDIS_URL or DATABASE_URL its client cannot read, naming the variable', () => {
    // These passed and then stopped the start with "fatal: Invalid URL" (no variable named), or
    // with ioredis's stack trace for a database index that is not a number (SELECT NaN).
    for (const bad of [
      'redis://127.0.0.1:99999',
      'redis://[bad',
      'redis://127.0.0.1:6379/abc',
      'redis://127.0.0.1:6379/1/2',
      'redis://127.0.0.1:6379?db=two',
    ]) {
      expect(problemsOf({ DATA_DIR: tmp(), REDIS_URL: bad }), bad).toEqual([
        expect.stringMatching(/^REDIS_URL: /),
      ]);
    }
    for (const good of [
      'redis://127.0.0.1:6379',
      'redis://127.0.0.1:6379/',
      'redis://:secret@127.0.0.1:6379/2',
      'rediss://default:p%40ss@redis.example.com:6380/15',
    ]) {
      expect(loadConfig({ DATA_DIR: tmp(), REDIS_URL: good }).redis.url, good).toBe(good);
    }
    for (const bad of ['postgres://postgres@127.0.0.1:99999/test', 'postgres://postgres@[bad/test']) {
      expect(problemsOf({ DATA_DIR: tmp(), DATABASE_URL: bad }), bad).toEqual([
        expect.stringMatching(/^DATABASE_URL: /),
      ]);
    }
    for (const good of [
      'postgres://postgres@127.0.0.1:5432/test',
      'postgresql://user:p%40ss@[::1]:5432/db?sslmode=require',
      // A Unix socket, with the host left empty (node-postgres reads it from ?host=).
      'postgres://postgres@/test?host=/var/run/postgresql',
      'postgres://user@localhost/db?host=/var/run/postgresql',
    ]) {
      expect(loadConfig({ DATA_DIR: tmp(), DATABASE_URL: good }).database, good).toMatchObject({ url: good });
    }
  });

  it('believes X-Forwarded-For from private networks only, unless told otherwise', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).trustProxy).toBe('loopback,linklocal,uniquelocal');
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ DATA_DIR: tmp(), TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1' }).trustProxy).toBe(
      '10.0.0.0/8, 192.168.1.7,::1',
    );
    for (const bad of ['yes', '10.0.0.0/33', '300.1.1.1', 'loopback,nope', '10.0.0.0/8/1']) {
      expect(problemsOf({ DATA_DIR: tmp(), TRUST_PROXY: bad }), bad).toEqual([
        expect.stringMatching(/^TRUST_PROXY: must be true, false, or a comma-separated list/),
      ]);
    }
  });

  it('takes PUBLIC_BASE_URL as an http(s) origin only: a path or query would leave every /api/auth route 404', () => {
    // better-auth takes a base URL with a path as its whole mount point (/ww instead of
    // /api/auth), so sign-up and sign-in answered 404; the dashboard is served from / anyway.
    for (const good of ['https://wa.example.com', 'https://wa.example.com/', 'http://127.0.0.1:3000']) {
      expect(problemsOf({ DATA_DIR: tmp(), PUBLIC_BASE_URL: good }), good).toEqual([]);
    }
    for (const bad of [
      'https://wa.example.com/ww',
      'https://wa.example.com/?x=1',
      'https://wa.example.com/#top',
      'https://user:pw@wa.example.com',
      'ftp://wa.example.com',
      'mailto:ops@example.com',
    ]) {
      expect(problemsOf({ DATA_DIR: tmp(), PUBLIC_BASE_URL: bad }), bad).toEqual([
        expect.stringMatching(/^PUBLIC_BASE_URL: /),
      ]);
    }
    // A gateway behind a path prefix is fine; one that is not http(s) would fail at start-up.
    const gateway = { DATA_DIR: tmp(), EVOLUTION_API_KEY: 'k' };
    expect(problemsOf({ ...gateway, EVOLUTION_API_URL: 'https://evo.example.com/evolution' })).toEqual([]);
    expect(problemsOf({ ...gateway, EVOLUTION_API_URL: 'ftp://evo.example.com' })).toEqual([
      expect.stringMatching(/^EVOLUTION_API_URL: .*http/),
    ]);
  });

  it('needs the gateway key when a real gateway is configured', () => {
    expect(problemsOf({ DATA_DIR: tmp(), EVOLUTION_API_URL: 'https://evo.example.com' })).toEqual([
      'EVOLUTION_API_KEY: required when EVOLUTION_API_URL is set',
    ]);
  });

  it('refuses to start in production without real secrets', () => {
    const problems = problemsOf({ DATA_DIR: tmp(), NODE_ENV: 'production' });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'ENCRYPTION_KEY',
      'BETTER_AUTH_SECRET',
      'PUBLIC_BASE_URL',
      'EVOLUTION_API_URL',
    ]);
    expect(problemsOf(productionEnv())).toEqual([]);
  });

  it('refuses message bodies in the logs in production, and allows them in development', () => {
    expect(problemsOf({ ...productionEnv(), LOG_MESSAGE_CONTENT: 'true' })).toEqual([
      expect.stringMatching(/^LOG_MESSAGE_CONTENT:/),
    ]);
    expect(loadConfig({ DATA_DIR: tmp(), LOG_MESSAGE_CONTENT: 'true' }).logMessageContent).toBe(true);
  });

  it("keeps a worker's metrics listener off unless METRICS_PORT is set, on loopback by default", () => {
    expect(loadConfig({ DATA_DIR: tmp() }).workerMetrics).toEqual({ port: null, host: '127.0.0.1' });
    expect(loadConfig({ DATA_DIR: tmp(), METRICS_PORT: '' }).workerMetrics.port).toBeNull();
    expect(
      loadConfig({ DATA_DIR: tmp(), METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).workerMetrics,
    ).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(problemsOf({ DATA_DIR: tmp(), METRICS_PORT: '0' })).toEqual([
      expect.stringMatching(/^METRICS_PORT:/),
    ]);
    expect(problemsOf({ DATA_DIR: tmp(), METRICS_PORT: 'prometheus' })).toEqual([
      expect.stringMatching(/^METRICS_PORT:/),
    ]);
  });

  it('sizes the PostgreSQL pool from DATABASE_POOL_SIZE, 10 by default', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    expect(loadConfig({ DATA_DIR: tmp(), DATABASE_URL: url }).database).toEqual({
      kind: 'postgres',
      url,
      poolSize: 10,
      queryTimeoutMs: 30_000,
    });
    expect(
      loadConfig({ DATA_DIR: tmp(), DATABASE_URL: url, DATABASE_POOL_SIZE: '40' }).database,
    ).toMatchObject({
      poolSize: 40,
    });
    expect(problemsOf({ DATA_DIR: tmp(), DATABASE_URL: url, DATABASE_POOL_SIZE: '0' })).toEqual([
      expect.stringMatching(/^DATABASE_POOL_SIZE:/),
    ]);
  });

  it('bounds how long a PostgreSQL statement waits for its answer: DATABASE_QUERY_TIMEOUT_MS, 30 s by default, 0 for never', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    const timeout = (value?: string) => {
      const env = { DATA_DIR: tmp(), DATABASE_URL: url };
      const database = loadConfig(
        value === undefined ? env : { ...env, DATABASE_QUERY_TIMEOUT_MS: value },
      ).database;
      return database.kind === 'postgres' ? database.queryTimeoutMs : null;
    };
    expect(timeout()).toBe(30_000);
    expect(timeout('0')).toBe(0);
    expect(timeout('1500')).toBe(1_500);
    for (const [bad, why] of [
      ['500', /^DATABASE_QUERY_TIMEOUT_MS: must be 0 \(no timeout\) or at least 1000 ms$/],
      ['-1', /^DATABASE_QUERY_TIMEOUT_MS: /],
      ['30s', /^DATABASE_QUERY_TIMEOUT_MS: must be a whole number$/],
      ['3600001', /^DATABASE_QUERY_TIMEOUT_MS: /],
    ] as const) {
      expect(problemsOf({ DATA_DIR: tmp(), DATABASE_URL: url, DATABASE_QUERY_TIMEOUT_MS: bad }), bad).toEqual(
        [expect.stringMatching(why)],
      );
    }
  });

  it('refuses a backoff base above its maximum, which every retry would have ignored', () => {
    // backoffDelay caps base × 2^n at the maximum: SEND_BACKOFF_BASE_MS=600000 with the default
    // maximum of 300000 waited 5 minutes (with jitter) before every retry, the base never used.
    expect(problemsOf({ DATA_DIR: tmp(), SEND_BACKOFF_BASE_MS: '600000' })).toEqual([
      'SEND_BACKOFF_BASE_MS: must not exceed SEND_BACKOFF_MAX_MS',
    ]);
    expect(
      loadConfig({ DATA_DIR: tmp(), SEND_BACKOFF_BASE_MS: '5000', SEND_BACKOFF_MAX_MS: '5000' }).sendBackoff,
    ).toMatchObject({ baseMs: 5_000, maxMs: 5_000 });
  });

  it('accepts old encryption keys for rotation', () => {
    const old = Buffer.alloc(32, 1).toString('base64');
    const c = loadConfig({ DATA_DIR: tmp(), ENCRYPTION_KEY: key, ENCRYPTION_KEYS: `${old}, ` });
    expect(c.encryption.oldKeys).toHaveLength(1);
    expect(c.encryption.oldKeys[0]!.equals(Buffer.alloc(32, 1))).toBe(true);
  });
});
