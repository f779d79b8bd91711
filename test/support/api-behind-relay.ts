// An API process whose PostgreSQL is reached through a relay the test can cut, freeze or restore
// (support/pg-relay.ts), for the tests of a database outage under a running service. On embedded
// PGlite there is no port to relay: the process gets the test database itself (`relay` is null),
// and a test closes that to take the database away.
import type { DestinationStream } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/build-app.js';
import { loadConfig } from '../../src/config/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import type { TestDatabase } from './database.js';
import { startRelay, type Relay, type Transport } from './pg-relay.js';
import { deletePrefix, freePort, testEnv } from './service.js';

export interface ApiBehindRelay {
  url: string;
  runtime: Runtime;
  /** The process's database: through the relay on PostgreSQL, the test database on PGlite. */
  database: Database;
  relay: Relay | null;
  /** Stops the process (a frozen relay is thawed first, so its pool can close) and cleans up. */
  close(): Promise<void>;
}

export interface ApiBehindRelayOptions {
  transport?: Transport;
  poolSize?: number;
  /** Environment beyond the test defaults (the gateway points nowhere: no call is meant to leave). */
  env?: Record<string, string>;
  /** Where the process logs; its configured level and stdout when not given. */
  logs?: DestinationStream;
}

export async function startApiBehindRelay(
  testDatabase: TestDatabase,
  options: ApiBehindRelayOptions = {},
): Promise<ApiBehindRelay> {
  const location = testDatabase.location;
  const relay =
    location.kind === 'postgres' ? await startRelay(new URL(location.url), options.transport ?? 'tcp') : null;
  const database = relay
    ? await openDatabase({ kind: 'postgres', url: relay.url, poolSize: options.poolSize ?? 2 })
    : testDatabase;
  const port = await freePort();
  const config = loadConfig(
    testEnv({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      EVOLUTION_API_URL: 'http://127.0.0.1:9',
      EVOLUTION_API_KEY: 'unused',
      ...options.env,
    }),
  );
  const logger = options.logs
    ? createLogger('info', 'wellness-whatsapp', options.logs)
    : createLogger(config.logLevel);
  const runtime = await createRuntime(config, logger, 'api', { database });
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp(runtime);
    await app.listen({ port, host: '127.0.0.1' });
  } catch (err) {
    await app?.close();
    await runtime.close();
    throw err;
  }
  const started = app;
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    database,
    relay,
    close: async () => {
      relay?.thaw();
      await started.close();
      await runtime.close();
      if (database !== testDatabase) await database.close().catch(() => undefined);
      relay?.close();
      await deletePrefix(config.redis.url, config.redis.prefix);
    },
  };
}
