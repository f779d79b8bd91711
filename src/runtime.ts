// Assembles the process's long-lived parts (database, Redis, auth, gateway, sandbox emulator) in
// start order and closes them in reverse. Both the API and the workers are built on top of it.
import type { Logger } from 'pino';
import { createAuth, type Auth } from './auth/auth.js';
import { promoteAdmin } from './auth/admin.js';
import type { Config } from './config/config.js';
import { openDatabase, type Database } from './db/client.js';
import { logDataSteps, pendingMigrations, runMigrations } from './db/migrate.js';
import { createRedis, redisReady, refusedDatabase } from './jobs/redis.js';
import {
  databaseEndpoint,
  redisEndpoint,
  registerDependencyEndpoints,
} from './domain/dependency-endpoints.js';
import { redactUrl } from './config/redact-url.js';
import type { Redis } from 'ioredis';
import { startSandboxGateway, type SandboxGateway } from './sandbox.js';
import { SecretBox } from './domain/crypto/secret-box.js';
import type { DomainContext } from './domain/context.js';
import type { EventBus } from './domain/events/event-bus.js';
import { EvolutionClient, type WhatsAppGateway } from './gateway/index.js';
import { RedisEventBus } from './jobs/redis-event-bus.js';
import { BullMqMessageQueue } from './jobs/bullmq-message-queue.js';
import { BullMqWebhookQueue } from './jobs/webhook-queue.js';
import { listWaitingIds } from './db/repositories/message.repository.js';
import { startWorkers, type RunningWorkers } from './workers/start-workers.js';
import { appointmentSendGuard } from './domain/appointments/appointment-send-guard.js';
import { removeInstanceOfRemovedAccount } from './domain/instances/disconnect-instance.js';
import { CLOSE_STEP_MS, workersStopMs } from './shutdown.js';

export type Role = 'all' | 'api' | 'worker';

export interface Runtime {
  config: Config;
  logger: Logger;
  database: Database;
  redis: Redis;
  auth: Auth;
  /** The Evolution API base URL in use (the sandbox emulator's when no real one is configured). */
  evolutionUrl: string;
  sandbox: SandboxGateway | null;
  gateway: WhatsAppGateway;
  box: SecretBox;
  events: EventBus;
  /** What every use case receives. */
  ctx: DomainContext;
  messages: BullMqMessageQueue;
  /** Stored webhook events waiting for the webhook worker. */
  webhookQueue: BullMqWebhookQueue;
  queues: import('bullmq').Queue[];
  workers: RunningWorkers | null;
  lifecycle: { draining: boolean; closing: boolean };
  close(): Promise<void>;
}

export class StartupError extends Error {}

/** How long startup waits for Redis to connect before serving without it (see redisReady). */
const REDIS_STARTUP_WAIT_MS = 5_000;

export interface RuntimeOverrides {
  /** An already-open database (tests hand in a fresh copy of a migrated template). */
  database?: Database;
  /** Emulator settings for sandbox mode (tests shorten waits and retries). */
  emulator?: Partial<import('./sandbox.js').SandboxOptions>;
}

export async function createRuntime(
  config: Config,
  logger: Logger,
  role: Role = 'all',
  overrides: RuntimeOverrides = {},
): Promise<Runtime> {
  // A worker process runs no emulator, so in sandbox mode it can only reach one that an API
  // process runs on a port both know; the default port 0 (random) is known to nobody.
  if (role === 'worker' && config.evolution.sandbox && !config.evolution.url && config.emulatorPort === 0) {
    throw new StartupError(
      'sandbox mode (no EVOLUTION_API_URL) runs the API and workers in one process: run `serve` without --role, or set EVOLUTION_API_URL (a real gateway) or EMULATOR_PORT (the sandbox emulator port of your API process).',
    );
  }
  const closers: { fn: () => Promise<unknown>; timeoutMs: number }[] = [];
  const onClose = (fn: () => Promise<unknown>, timeoutMs = CLOSE_STEP_MS) => {
    closers.push({ fn, timeoutMs });
  };
  // Each step is bounded: with Redis or the database gone, a close can wait forever, and a
  // shutdown that never ends is worse than one that drops a connection. The timer is not unref'd
  // (as withDeadline's is): a step stuck on nothing that keeps the process alive must still be
  // logged and passed, not end the process with the later steps never run. The list is read in
  // reverse without being reversed, so a second close runs in the same order.
  const close = async () => {
    for (const { fn, timeoutMs } of [...closers].reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const result = await Promise.race([
        fn().catch((err) => logger.warn({ err }, 'error while closing')),
        timeout,
      ]);
      clearTimeout(timer);
      if (result === 'timeout') logger.warn('a shutdown step timed out; moving on');
    }
  };
  try {
    const database =
      overrides.database ??
      (await openDatabase(config.database, (err) =>
        logger.warn({ err: err.message }, 'database connection error'),
      ));
    if (!overrides.database) onClose(() => database.close());
    // So that an outage is told by the endpoints in use, not by default ports (dependency-down.ts).
    // The database's own URL, which is the configured one unless a test hands in another.
    const databaseUrl = database.pgPool?.options.connectionString;
    const forgetEndpoints = registerDependencyEndpoints([
      redisEndpoint(config.redis.url),
      databaseUrl ? databaseEndpoint(databaseUrl) : null,
    ]);
    onClose(async () => forgetEndpoints());
    if (config.migrateOnStart) {
      logDataSteps(await runMigrations(database), logger);
    } else {
      const pending = await pendingMigrations(database);
      if (pending.length > 0) {
        throw new StartupError(
          `${pending.length} database migration(s) pending and MIGRATE_ON_START=false: run \`npm run migrate\` first.`,
        );
      }
    }
    const redisAt = redactUrl(config.redis.url);
    // Set by the error listener (a closure), hence the cast: TypeScript would narrow it to null.
    let refused = null as { database: string; message: string } | null;
    const redis = createRedis(config.redis.url, role === 'worker' ? 'worker' : 'api', (err) => {
      const database = refusedDatabase(err);
      if (database !== null) refused ??= { database, message: err.message };
      logger.warn({ err: err.message }, `Redis unavailable at ${redisAt}`);
    });
    onClose(async () => (redis.status === 'ready' ? redis.quit() : redis.disconnect()));
    const ready = await redisReady(redis, REDIS_STARTUP_WAIT_MS);
    // A configuration error, not an outage: starting anyway would run on database 0.
    if (refused) {
      throw new StartupError(
        `REDIS_URL: Redis has no database ${refused.database} (${refused.message}): name one below the server's \`databases\` setting (16 by default).`,
      );
    }
    if (!ready) {
      logger.warn(`Redis at ${redisAt} is not ready yet: starting anyway, sends answer 503 until it is`);
    }

    const auth = createAuth({
      db: database.db,
      secret: config.authSecret,
      baseUrl: config.publicBaseUrl,
      // Outside production the dashboard is opened as localhost or 127.0.0.1 alike; better-auth
      // refused the one PUBLIC_BASE_URL does not name ("Invalid origin" at sign-up).
      trustedOrigins: config.env === 'production' ? [] : loopbackOrigins(config.port),
      logger,
      adminEmail: config.adminEmail,
      // Called on requests, long after `ctx` below is set.
      beforeUserRemoved: (userId) => removeInstanceOfRemovedAccount(ctx, userId),
    });
    if (config.adminEmail) await promoteAdmin(database.db, config.adminEmail);

    let sandbox: SandboxGateway | null = null;
    if (config.evolution.sandbox && role !== 'worker') {
      sandbox = await startSandboxGateway(config, overrides.emulator);
      onClose(() => sandbox!.close());
      logger.info(
        `sandbox mode: Evolution API emulator at ${sandbox.url} (set EVOLUTION_API_URL for a real gateway)`,
      );
      // The emulator's control API is served on the service's address without authentication
      // (API.md, "Sandbox"): whoever reaches the port can read any sandbox instance's sent
      // messages, log it out or post events for it. Fine on a laptop, not on a shared network.
      if (!isLoopbackHost(config.host)) {
        logger.warn(
          `sandbox mode listening on ${config.host}: anyone who can reach port ${config.port} can use the emulator's control API under /_emulator (read what any sandbox number sent, disconnect it, post events for it); set HOST=127.0.0.1 unless others on this network should`,
        );
      }
    }
    const evolutionUrl = config.evolution.url ?? sandbox?.url ?? `http://127.0.0.1:${config.emulatorPort}`;
    const gateway = new EvolutionClient({
      baseUrl: evolutionUrl,
      apiKey: config.evolution.apiKey,
      connectTimeoutMs: config.evolution.connectTimeoutMs,
      requestTimeoutMs: config.evolution.requestTimeoutMs,
      maxConnections: config.evolution.maxConnections,
      logger: logger.child({ component: 'gateway' }),
    });
    onClose(() => gateway.close());
    const box = new SecretBox(config.encryption.key, config.encryption.oldKeys);
    const events = new RedisEventBus(redis, config.redis.prefix, logger);
    onClose(() => events.close());
    const ctx: DomainContext = {
      db: database.db,
      gateway,
      box,
      events,
      logger,
      webhookUrl: `${config.publicBaseUrl}/api/whatsapp/webhook`,
      sandbox: config.evolution.sandbox,
      bounds: { rateLimit: config.rateLimit, pacing: config.pacing },
      featureDefaults: config.featureDefaults,
      config,
    };
    // BullMQ queues need a connection that waits for Redis (see jobs/redis.ts); a worker-only
    // process already has one.
    let queueRedis = redis;
    if (role !== 'worker') {
      queueRedis = createRedis(config.redis.url, 'queue', () => undefined);
      onClose(async () => (queueRedis.status === 'ready' ? queueRedis.quit() : queueRedis.disconnect()));
    }
    const messages = new BullMqMessageQueue(queueRedis, config.redis.prefix, config.sendMaxAttempts);
    onClose(() => messages.close());
    const webhookQueue = new BullMqWebhookQueue(queueRedis, config.redis.prefix);
    onClose(() => webhookQueue.close());
    ctx.wakeWaitingSends = async (advisorId, options) =>
      messages.resume(advisorId, await listWaitingIds(database.db, advisorId), options);

    let workers: RunningWorkers | null = null;
    if (role !== 'api') {
      const workerRedis = createRedis(config.redis.url, 'worker', (err) =>
        logger.warn({ err: err.message }, `Redis unavailable at ${redisAt} (workers)`),
      );
      onClose(async () => (workerRedis.status === 'ready' ? workerRedis.quit() : workerRedis.disconnect()));
      workers = await startWorkers(
        ctx,
        workerRedis,
        config.redis.prefix,
        messages,
        {
          concurrency: config.sendConcurrency,
          backoff: config.sendBackoff,
          reconnectPollMs: config.reconnectPollMs,
          sweeperIntervalMs: config.sweeperIntervalMs,
          healthCheckIntervalMs: config.healthCheckIntervalMs,
          auditRetentionDays: config.auditRetentionDays,
          mediaRetentionDays: config.mediaRetentionDays,
          // At least once a minute, and no later than the sweeper's own tick.
          schedulerCheckMs: Math.min(60_000, config.sweeperIntervalMs),
          // Appointment messages: skipped at send time if the appointment changed or was cancelled.
          mustSkip: appointmentSendGuard(ctx),
        },
        webhookQueue,
      );
      // Closed first on shutdown: in-flight jobs finish before queues and connections go, and a
      // send waiting on the gateway gets its whole request timeout (workersStopMs).
      onClose(() => workers!.close(), workersStopMs(config.evolution.requestTimeoutMs));
    }
    return {
      config,
      logger,
      database,
      redis,
      auth,
      evolutionUrl,
      sandbox,
      gateway,
      box,
      events,
      ctx,
      messages,
      webhookQueue,
      queues: [messages.queue, webhookQueue.queue],
      workers,
      lifecycle: { draining: false, closing: false },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The addresses a browser on this machine may use for the service on `port`. */
function loopbackOrigins(port: number): string[] {
  return ['localhost', '127.0.0.1', '[::1]'].map((host) => `http://${host}:${port}`);
}

/** Whether a listen address only takes connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
