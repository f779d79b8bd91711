// Parses the environment once at start-up into a typed Config. Nothing else reads process.env.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { envSchema, type Env } from './env-schema.js';

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  /** Fastify's trustProxy: whose X-Forwarded-For gives the client's address. */
  trustProxy: boolean | string;
  publicBaseUrl: string;
  logLevel: Env['LOG_LEVEL'];
  logMessageContent: boolean;
  dataDir: string;
  database:
    | { kind: 'postgres'; url: string; poolSize: number; queryTimeoutMs: number }
    | { kind: 'pglite'; dir: string | null };
  migrateOnStart: boolean;
  redis: { url: string; prefix: string };
  /** sandbox: no EVOLUTION_API_URL, so the service runs the emulator next to itself. */
  evolution: {
    sandbox: boolean;
    url: string | null;
    apiKey: string;
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    /**
     * The gateway client's pool: one connection for each send a worker may have in flight and room
     * for the API's own calls (connect, QR, state) beside them, never fewer than 50. A send that
     * had to wait for a connection would spend its request timeout waiting (http-transport.ts)
     * while its claim on the message stands.
     */
    maxConnections: number;
  };
  emulatorPort: number;
  rateLimit: { max: number; durationMs: number; maxCeiling: number };
  /**
   * Account-safety pacing: what `auto` means here, the advisors' defaults and bounds (the shape
   * of domain/instances/pacing-settings.ts PacingBounds; config imports nothing of ours).
   */
  pacing: {
    defaultOn: boolean;
    /** Whether an advisor may switch pacing off (PACING_ALLOW_OFF). */
    allowOff: boolean;
    defaults: {
      minGapMs: number;
      maxGapMs: number;
      hourlyCap: number;
      dailyCap: number;
      warmupDays: number;
      warmupStartCap: number;
      pauseAfterFailures: number;
      failureWindowMinutes: number;
    };
    gapFloorMs: number;
    hourlyCeiling: number;
    dailyCeiling: number;
  };
  encryption: { key: Buffer; oldKeys: Buffer[] };
  authSecret: string;
  adminEmail: string | null;
  metricsToken: string | null;
  /**
   * The metrics listener of a `--role worker` process (GET /metrics and /health); port null = none.
   * Other roles serve /metrics on PORT and ignore it.
   */
  workerMetrics: { port: number | null; host: string };
  limits: {
    httpBodyBytes: number;
    mediaBytes: number;
    webhookBodyBytes: number;
    apiPerMinute: number;
    authPerMinute: number;
  };
  /** Group chats are stored apart from client conversations, or not at all. */
  webhooks: {
    groups: 'store' | 'ignore';
    /** Whether instances are subscribed to MESSAGES_EDITED (edits made in WhatsApp). */
    edits: 'on' | 'off';
    concurrency: number;
    retentionDays: number;
    /** How long an echo that beat its send's record waits for a second look before it is stored. */
    echoGraceMs: number;
  };
  sendMaxAttempts: number;
  sendConcurrency: number;
  sendBackoff: { baseMs: number; maxMs: number; uncertainMs: number };
  reconnectPollMs: number;
  sweeperIntervalMs: number;
  /** On SIGTERM, how long /ready answers 503 before the server stops taking requests. */
  shutdownDrainMs: number;
  /** How often an open live-events stream checks that its session or API key is still valid. */
  liveEventsRecheckMs: number;
  /** How long a resolved dashboard session is reused without asking the database (0 = never). */
  sessionCacheTtlMs: number;
  /** How long a checked API key is reused without asking the database (0 = never). */
  apiKeyCacheTtlMs: number;
  healthCheckIntervalMs: number;
  auditRetentionDays: number;
  /** Uploaded media bytes are kept this long after their message was last updated, once it is done. */
  mediaRetentionDays: number;
  checkWhatsappNumbers: boolean;
  featureDefaults: { sending: boolean; reminders: boolean; inbox: boolean; publicCta: boolean };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

interface DevSecrets {
  ENCRYPTION_KEY: string;
  BETTER_AUTH_SECRET: string;
  EMULATOR_API_KEY: string;
}

/**
 * Dev secrets are generated once and kept in DATA_DIR so sessions and encrypted rows survive
 * restarts. Only a missing file is created: replacing a damaged one would make every credential
 * sealed under the old key unreadable, so that stops the start instead.
 */
function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, 'dev-secrets.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError([`${file}: cannot be read (${(err as Error).message})`]);
    }
    const secrets: DevSecrets = {
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
      EMULATOR_API_KEY: randomBytes(16).toString('hex'),
    };
    mkdirSync(dataDir, { recursive: true });
    try {
      // 'wx': when two processes start at once, the second keeps the first one's secrets.
      writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
      return secrets;
    } catch (writeErr) {
      if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
      text = readFileSync(file, 'utf8');
    }
  }
  return parseDevSecrets(file, text);
}

function parseDevSecrets(file: string, text: string): DevSecrets {
  const damaged = (what: string) =>
    new ConfigError([
      `${file}: ${what}; restore it from a backup, or delete it to generate new secrets (credentials stored under the old ENCRYPTION_KEY will no longer decrypt)`,
    ]);
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    throw damaged('is not valid JSON');
  }
  const parsed = devSecretsSchema.safeParse(stored);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(file)'))];
    throw damaged(`is incomplete or damaged (${fields.join(', ')})`);
  }
  return parsed.data;
}

const devSecretsSchema = z.object({
  ENCRYPTION_KEY: z
    .string()
    .refine((k) => Buffer.from(k, 'base64').length === 32, 'must be 32 bytes in base64'),
  BETTER_AUTH_SECRET: z.string().min(32),
  EMULATOR_API_KEY: z.string().min(1),
});

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset": that is how most orchestrators blank a variable.
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';
  if (production && !e.ENCRYPTION_KEY)
    problems.push('ENCRYPTION_KEY: required in production (openssl rand -base64 32)');
  if (production && !e.BETTER_AUTH_SECRET)
    problems.push('BETTER_AUTH_SECRET: required in production (32+ random characters)');
  if (production && !e.PUBLIC_BASE_URL)
    problems.push('PUBLIC_BASE_URL: required in production (where Evolution posts webhooks)');
  if (production && e.LOG_MESSAGE_CONTENT)
    problems.push('LOG_MESSAGE_CONTENT: must be false in production (message bodies would reach the logs)');
  // Without it the service would quietly run the built-in emulator: no message would reach anyone.
  if (production && !e.EVOLUTION_API_URL)
    problems.push('EVOLUTION_API_URL: required in production (the sandbox emulator is for development)');
  if (e.EVOLUTION_API_URL && !e.EVOLUTION_API_KEY)
    problems.push('EVOLUTION_API_KEY: required when EVOLUTION_API_URL is set');
  if (e.WHATSAPP_RATE_LIMIT_MAX > e.WHATSAPP_RATE_LIMIT_MAX_CEILING) {
    problems.push('WHATSAPP_RATE_LIMIT_MAX: must not exceed WHATSAPP_RATE_LIMIT_MAX_CEILING');
  }
  // Every retry would wait the maximum (backoffDelay caps the exponential there): the base ignored.
  if (e.SEND_BACKOFF_BASE_MS > e.SEND_BACKOFF_MAX_MS)
    problems.push('SEND_BACKOFF_BASE_MS: must not exceed SEND_BACKOFF_MAX_MS');
  problems.push(...pacingProblems(e));
  if (problems.length > 0) throw new ConfigError(problems);

  const needsDevSecrets = !e.ENCRYPTION_KEY || !e.BETTER_AUTH_SECRET || !e.EVOLUTION_API_URL;
  const dev = needsDevSecrets ? loadOrCreateDevSecrets(e.DATA_DIR) : null;
  const encryptionKey = e.ENCRYPTION_KEY ?? dev!.ENCRYPTION_KEY;
  const sandbox = !e.EVOLUTION_API_URL;

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    trustProxy: e.TRUST_PROXY,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    logLevel: e.LOG_LEVEL,
    logMessageContent: e.LOG_MESSAGE_CONTENT,
    dataDir: e.DATA_DIR,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolSize: e.DATABASE_POOL_SIZE,
          queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS,
        }
      : { kind: 'pglite', dir: e.PGLITE_DIR ?? path.join(e.DATA_DIR, 'pglite') },
    migrateOnStart: e.MIGRATE_ON_START,
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    evolution: {
      sandbox,
      url: e.EVOLUTION_API_URL ?? null,
      apiKey: e.EVOLUTION_API_KEY ?? dev!.EMULATOR_API_KEY,
      connectTimeoutMs: e.EVOLUTION_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: e.EVOLUTION_REQUEST_TIMEOUT_MS,
      maxConnections: Math.max(50, e.SEND_CONCURRENCY + 10),
    },
    emulatorPort: e.EMULATOR_PORT,
    rateLimit: {
      max: e.WHATSAPP_RATE_LIMIT_MAX,
      durationMs: e.WHATSAPP_RATE_LIMIT_DURATION,
      maxCeiling: e.WHATSAPP_RATE_LIMIT_MAX_CEILING,
    },
    pacing: {
      // On by default only against a real WhatsApp: the sandbox has no number to protect.
      defaultOn: e.PACING_MODE === 'on' || (e.PACING_MODE === 'auto' && sandbox === false),
      allowOff: e.PACING_ALLOW_OFF,
      defaults: {
        minGapMs: e.PACING_GAP_MIN_MS,
        maxGapMs: e.PACING_GAP_MAX_MS,
        hourlyCap: e.PACING_HOURLY_CAP,
        dailyCap: e.PACING_DAILY_CAP,
        warmupDays: e.PACING_WARMUP_DAYS,
        warmupStartCap: e.PACING_WARMUP_START_CAP,
        pauseAfterFailures: e.PACING_PAUSE_FAILURES,
        failureWindowMinutes: e.PACING_PAUSE_WINDOW_MINUTES,
      },
      gapFloorMs: e.PACING_GAP_FLOOR_MS,
      hourlyCeiling: e.PACING_HOURLY_CAP_CEILING,
      dailyCeiling: e.PACING_DAILY_CAP_CEILING,
    },
    encryption: {
      key: Buffer.from(encryptionKey, 'base64'),
      oldKeys: e.ENCRYPTION_KEYS.map((k) => Buffer.from(k, 'base64')),
    },
    authSecret: e.BETTER_AUTH_SECRET ?? dev!.BETTER_AUTH_SECRET,
    adminEmail: e.ADMIN_EMAIL ?? null,
    metricsToken: e.METRICS_TOKEN ?? null,
    workerMetrics: { port: e.METRICS_PORT ?? null, host: e.METRICS_HOST },
    limits: {
      httpBodyBytes: e.HTTP_BODY_LIMIT,
      mediaBytes: e.MEDIA_MAX_BYTES,
      webhookBodyBytes: e.WEBHOOK_BODY_LIMIT,
      apiPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
      authPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
    },
    webhooks: {
      groups: e.WEBHOOK_GROUPS,
      edits: e.WEBHOOK_EDITS,
      concurrency: e.WEBHOOK_CONCURRENCY,
      retentionDays: e.WEBHOOK_RETENTION_DAYS,
      echoGraceMs: e.WEBHOOK_ECHO_GRACE_MS,
    },
    sendMaxAttempts: e.SEND_MAX_ATTEMPTS,
    sendConcurrency: e.SEND_CONCURRENCY,
    sendBackoff: {
      baseMs: e.SEND_BACKOFF_BASE_MS,
      maxMs: e.SEND_BACKOFF_MAX_MS,
      uncertainMs: e.SEND_UNCERTAIN_RETRY_MS,
    },
    reconnectPollMs: e.RECONNECT_POLL_MS,
    sweeperIntervalMs: e.SWEEPER_INTERVAL_MS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    liveEventsRecheckMs: e.LIVE_EVENTS_RECHECK_MS,
    sessionCacheTtlMs: e.SESSION_CACHE_TTL_MS,
    apiKeyCacheTtlMs: e.API_KEY_CACHE_TTL_MS,
    healthCheckIntervalMs: e.HEALTH_CHECK_INTERVAL_MS,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    mediaRetentionDays: e.MEDIA_RETENTION_DAYS,
    checkWhatsappNumbers: e.CHECK_WHATSAPP_NUMBERS,
    featureDefaults: {
      sending: e.FEATURE_SENDING,
      reminders: e.FEATURE_REMINDERS,
      inbox: e.FEATURE_INBOX,
      publicCta: e.FEATURE_PUBLIC_CTA,
    },
  };
}

function pacingProblems(e: Env): string[] {
  const problems: string[] = [];
  if (e.PACING_GAP_MIN_MS > e.PACING_GAP_MAX_MS)
    problems.push('PACING_GAP_MIN_MS: must not exceed PACING_GAP_MAX_MS');
  if (e.PACING_GAP_FLOOR_MS > e.PACING_GAP_MIN_MS)
    problems.push('PACING_GAP_FLOOR_MS: must not exceed PACING_GAP_MIN_MS');
  if (e.PACING_HOURLY_CAP > e.PACING_HOURLY_CAP_CEILING)
    problems.push('PACING_HOURLY_CAP: must not exceed PACING_HOURLY_CAP_CEILING');
  if (e.PACING_DAILY_CAP > e.PACING_DAILY_CAP_CEILING)
    problems.push('PACING_DAILY_CAP: must not exceed PACING_DAILY_CAP_CEILING');
  if (e.PACING_WARMUP_START_CAP > e.PACING_DAILY_CAP)
    problems.push('PACING_WARMUP_START_CAP: must not exceed PACING_DAILY_CAP');
  return problems;
}
