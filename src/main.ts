// The process: builds the runtime, listens, and shuts down in order on SIGTERM/SIGINT
// (HTTP first, then workers, then queues, Redis and the database).
import type { Logger } from 'pino';
import { buildApp } from './api/build-app.js';
import type { Config } from './config/config.js';
import { createRuntime, type Role } from './runtime.js';

export async function serve(config: Config, logger: Logger, role: Role): Promise<void> {
  const runtime = await createRuntime(config, logger, role);
  const app = role === 'worker' ? null : await buildApp(runtime);
  if (app) {
    await app.listen({ port: config.port, host: config.host });
    logger.info(`dashboard and API at ${config.publicBaseUrl} (role ${role})`);
  } else {
    logger.info('worker role started');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownDrainMs + 25_000);
    force.unref();
    try {
      // Drain: /ready says 503 while the server still answers, so a load balancer stops sending
      // new requests before the listener closes.
      runtime.lifecycle.draining = true;
      if (app && config.shutdownDrainMs > 0) {
        await new Promise((r) => setTimeout(r, config.shutdownDrainMs));
      }
      await app?.close();
      await runtime.close();
      logger.info('shutdown complete');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
