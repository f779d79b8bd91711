// Every environment variable the service reads, with its default and its rule. README's
// configuration table is written from this file: keep them in step.
import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
// "PORT=abc" used to say "expected number, received NaN"; bounds keep zod's own wording.
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a whole number' : undefined) })
    .int()
    .min(min)
    .max(max);
const base64Key32 = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, {
  message: 'must be 32 bytes encoded in base64 (openssl rand -base64 32)',
});
/**
 * A directory or a host: a value of spaces only (a stray `DATA_DIR= ` in an env file) passed, and
 * DATA_DIR made a directory named " " in the working directory to keep the database in.
 */
const nonBlank = z.string().refine((v) => v.trim() !== '', 'must not be blank');
const parsedUrl = (v: string): URL | null => (URL.canParse(v) ? new URL(v) : null);
// Both addresses are reached over HTTP: anything else (ftp:, mailto:) passed `url()` and then
// stopped the start-up with a library's error (undici's pool, better-auth's base URL).
const url = z
  .string()
  .url()
  .refine(
    (v) => ['http:', 'https:'].includes(parsedUrl(v)?.protocol ?? 'http:'),
    'must be an http:// or https:// URL',
  );
/**
 * PUBLIC_BASE_URL is where the service itself answers at the root: better-auth takes a base URL
 * with a path as its whole mount point (`/ww` instead of `/api/auth`), so with one every sign-up
 * and sign-in answered 404, and a query or fragment ended up in the middle of the webhook URL.
 */
const origin = url.refine((v) => {
  const u = parsedUrl(v);
  // One line per problem: a URL already refused above is not refused again here.
  if (!u || !['http:', 'https:'].includes(u.protocol)) return true;
  return u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password;
}, 'must be the bare address the service answers at, scheme://host[:port], with no path, query or credentials (the service is served from /)');

/**
 * What ioredis can connect to: a URL it can parse (`new URL`), whose database index (the path, else
 * `?db=`) is a number. `redis://host:99999` stopped the start with "Invalid URL", naming no
 * variable, and `redis://host/abc` with ioredis's stack trace (it sent SELECT NaN). A value that is
 * not redis:// at all is the regex's to refuse (one line per bad value).
 */
function isRedisUrl(v: string): boolean {
  if (!/^rediss?:\/\//.test(v)) return true;
  const u = parsedUrl(v);
  if (!u) return false;
  const db = u.pathname.length > 1 ? u.pathname.slice(1) : u.searchParams.get('db');
  return db === null || /^\d+$/.test(db);
}

/**
 * What node-postgres can read (pg-connection-string's own steps): a URL once spaces and stray `%`
 * are encoded, the host possibly empty (`postgres://user@/db?host=/var/run/postgresql`). Others
 * passed and stopped the start with "Invalid URL", naming no variable.
 */
function isPostgresUrl(v: string): boolean {
  if (!/^postgres(ql)?:\/\//.test(v)) return true;
  const text = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(v) ? encodeURI(v).replace(/%25(\d\d)/g, '%$1') : v;
  return URL.canParse(text) || URL.canParse(text.replace('@/', '@localhost/'));
}

/** One entry of TRUST_PROXY's list: a named range, an address, or an address/prefix. */
function isTrustedProxyItem(item: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(item)) return true;
  const [address, prefix, ...rest] = item.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** SEND_CONCURRENCY's default; the benches name it in their reports. */
export const DEFAULT_SEND_CONCURRENCY = 100;

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: nonBlank.default('0.0.0.0'),
  // Whose X-Forwarded-For to believe for the client's address (rate limits, logs): `true` (anyone:
  // only behind a proxy that overwrites the header), `false`, or addresses/CIDRs/named ranges as
  // proxy-addr reads them. The default trusts private networks only, where a load balancer sits.
  TRUST_PROXY: z
    .string()
    .min(1)
    .default('loopback,linklocal,uniquelocal')
    .refine(
      (v) => v === 'true' || v === 'false' || v.split(',').every((item) => isTrustedProxyItem(item.trim())),
      'must be true, false, or a comma-separated list of addresses, CIDRs, loopback, linklocal, uniquelocal',
    )
    .transform((v): boolean | string => (v === 'true' ? true : v === 'false' ? false : v)),
  PUBLIC_BASE_URL: origin.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_MESSAGE_CONTENT: bool.default(false),
  DATA_DIR: nonBlank.default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave unset for embedded PGlite)')
    .refine(
      isPostgresUrl,
      "is not a URL PostgreSQL's client can read (postgres://user:password@host:port/database)",
    )
    .optional(),
  // Connections per process to PostgreSQL (ignored on PGlite).
  DATABASE_POOL_SIZE: int(1, 500).default(10),
  // How long a statement waits for PostgreSQL's answer before it fails (ignored on PGlite); 0 =
  // for ever. Migrations are not cut (src/db/migrate.ts). Why 30 s: docs/OPERATIONS.md, PostgreSQL.
  // Under 1 s it would cut the platform metrics of a young database; a negative is the bound's to
  // refuse (one line per bad value).
  DATABASE_QUERY_TIMEOUT_MS: int(0, 3_600_000)
    .refine((v) => v <= 0 || v >= 1_000, 'must be 0 (no timeout) or at least 1000 ms')
    .default(30_000),
  PGLITE_DIR: nonBlank.optional(),
  MIGRATE_ON_START: bool.default(true),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .refine(
      isRedisUrl,
      "is not a URL Redis's client can read (redis://[:password@]host[:port][/db], db a number)",
    )
    .default('redis://localhost:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
    .default('ww'),
  EVOLUTION_API_URL: url.optional(),
  EVOLUTION_API_KEY: z.string().min(1).optional(),
  EVOLUTION_CONNECT_TIMEOUT_MS: int(100, 60_000).default(5_000),
  EVOLUTION_REQUEST_TIMEOUT_MS: int(100, 300_000).default(30_000),
  EMULATOR_PORT: int(0, 65535).default(0),
  WHATSAPP_RATE_LIMIT_MAX: int(1, 100_000).default(50),
  WHATSAPP_RATE_LIMIT_DURATION: int(1_000, 86_400_000).default(60_000),
  WHATSAPP_RATE_LIMIT_MAX_CEILING: int(1, 100_000).default(200),
  // Account-safety pacing (ARCHITECTURE.md, "Account safety"): server defaults and bounds.
  PACING_MODE: z.enum(['auto', 'on', 'off']).default('auto'),
  PACING_ALLOW_OFF: bool.default(true),
  PACING_GAP_MIN_MS: int(0, 600_000).default(3_000),
  PACING_GAP_MAX_MS: int(0, 600_000).default(8_000),
  PACING_GAP_FLOOR_MS: int(0, 600_000).default(1_000),
  PACING_HOURLY_CAP: int(1, 100_000).default(60),
  PACING_HOURLY_CAP_CEILING: int(1, 100_000).default(200),
  PACING_DAILY_CAP: int(1, 1_000_000).default(300),
  PACING_DAILY_CAP_CEILING: int(1, 1_000_000).default(1_000),
  PACING_WARMUP_DAYS: int(0, 60).default(7),
  PACING_WARMUP_START_CAP: int(1, 1_000_000).default(20),
  PACING_PAUSE_FAILURES: int(1, 100).default(5),
  PACING_PAUSE_WINDOW_MINUTES: int(1, 1_440).default(10),
  ENCRYPTION_KEY: base64Key32.optional(),
  ENCRYPTION_KEYS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    )
    .pipe(z.array(base64Key32)),
  BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ADMIN_EMAIL: z.string().email().optional(),
  METRICS_TOKEN: z.string().min(16).optional(),
  // Worker-role processes only (the API serves /metrics on PORT). Unset: no listener.
  METRICS_PORT: int(1, 65535).optional(),
  METRICS_HOST: nonBlank.default('127.0.0.1'),
  HTTP_BODY_LIMIT: int(1_024, 200 * 1024 * 1024).default(24 * 1024 * 1024),
  MEDIA_MAX_BYTES: int(1_024, 100 * 1024 * 1024).default(16 * 1024 * 1024),
  WEBHOOK_BODY_LIMIT: int(1_024, 50 * 1024 * 1024).default(1024 * 1024),
  WEBHOOK_GROUPS: z.enum(['store', 'ignore']).default('ignore'),
  // MESSAGES_EDITED is the one delivery Evolution 2.3.6 awaits in its inbound pipeline: `off`
  // leaves it unsubscribed (see README).
  WEBHOOK_EDITS: z.enum(['on', 'off']).default('on'),
  WEBHOOK_CONCURRENCY: int(1, 500).default(10),
  WEBHOOK_ECHO_GRACE_MS: int(0, 10_000).default(250),
  WEBHOOK_RETENTION_DAYS: int(1, 3_650).default(7),
  API_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  // Sign-in, sign-up and better-auth's other POSTs, per IP address: password guessing.
  AUTH_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(30),
  SEND_MAX_ATTEMPTS: int(1, 50).default(8),
  // Jobs in flight per worker process. More than the database pool on purpose: the worker's
  // statements are shared between concurrent jobs (db/coalesce.ts), so jobs waiting for a
  // connection join one statement. 100 against 50: fewer commits per message and more messages/s
  // in every pair measured (docs/BENCHMARKS.md, 2026-12-05 01:26Z; 50 against 20 on 2026-12-04
  // 19:24Z). The gateway client's pool grows with it (config.ts), so no send waits for a
  // connection inside its request timeout.
  SEND_CONCURRENCY: int(1, 500).default(DEFAULT_SEND_CONCURRENCY),
  SEND_BACKOFF_BASE_MS: int(10, 600_000).default(2_000),
  SEND_BACKOFF_MAX_MS: int(10, 3_600_000).default(300_000),
  // After an attempt whose answer never came (it may have gone out), wait at least this long for
  // Evolution's SEND_MESSAGE echo to confirm it before trying again.
  SEND_UNCERTAIN_RETRY_MS: int(0, 3_600_000).default(60_000),
  RECONNECT_POLL_MS: int(50, 3_600_000).default(30_000),
  SWEEPER_INTERVAL_MS: int(1_000, 3_600_000).default(30_000),
  SHUTDOWN_DRAIN_MS: int(0, 120_000).default(0),
  LIVE_EVENTS_RECHECK_MS: int(1_000, 3_600_000).default(15_000),
  SESSION_CACHE_TTL_MS: int(0, 300_000).default(5_000),
  API_KEY_CACHE_TTL_MS: int(0, 300_000).default(5_000),
  HEALTH_CHECK_INTERVAL_MS: int(0, 86_400_000).default(300_000),
  AUDIT_RETENTION_DAYS: int(1, 3_650).default(365),
  MEDIA_RETENTION_DAYS: int(1, 3_650).default(30),
  CHECK_WHATSAPP_NUMBERS: bool.default(false),
  FEATURE_SENDING: bool.default(true),
  FEATURE_REMINDERS: bool.default(true),
  FEATURE_INBOX: bool.default(true),
  FEATURE_PUBLIC_CTA: bool.default(true),
});

export type Env = z.infer<typeof envSchema>;
