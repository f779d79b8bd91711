// The process: builds the runtime, listens, and on SIGTERM/SIGINT stops in order (shutdown.ts)
// under a deadline.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './api/build-app.js';
import { buildMetricsServer } from './api/metrics-server.js';
import type { Config } from './config/config.js';
import { registerCollectors } from './observability/prometheus.js';
import { createRuntime, StartupError, type Role } from './runtime.js';
import { stopDeadlineMs, stopService } from './shutdown.js';

/**
 * A worker-only process has no API to serve /metrics, so with METRICS_PORT it listens on its own.
 * Taken before the runtime starts: a port in use stops the process before it takes any job.
 */
async function listenForMetrics(config: Config, logger: Logger): Promise<FastifyInstance | null> {
  const { port, host } = config.workerMetrics;
  if (port === null) return null;
  const server = buildMetricsServer(logger, config.metricsToken);
  try {
    await server.listen({ port, host });
  } catch (err) {
    await server.close().catch(() => undefined);
    throw listenFailure(err, { port, host, portVar: 'METRICS_PORT', hostVar: 'METRICS_HOST' }, (inUse) =>
      inUse ? 'give each worker process on a host its own port.' : undefined,
    );
  }
  logger.info(`worker metrics at http://${host}:${port}/metrics`);
  return server;
}

/**
 * What a failed listen means, in the variables' names: the operator reads one line, not
 * `listen EADDRINUSE: address already in use …`. `advice` adds a hint when the port is in use.
 */
function listenFailure(
  err: unknown,
  at: { port: number; host: string; portVar: string; hostVar: string },
  advice: (inUse: boolean) => string | undefined = () => undefined,
): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const { port, host, portVar, hostVar } = at;
  if (code === 'EADDRINUSE') {
    const hint = advice(true);
    return new StartupError(`${portVar} ${port} is already in use on ${host}${hint ? `: ${hint}` : '.'}`);
  }
  if (code === 'EACCES') return new StartupError(`${portVar} ${port}: permission denied on ${host}.`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new StartupError(`${hostVar} ${host} is not an address of this machine.`);
  }
  return err;
}

export async function serve(config: Config, logger: Logger, role: Role): Promise<void> {
  const metricsServer = role === 'worker' ? await listenForMetrics(config, logger) : null;
  if (role !== 'worker' && config.workerMetrics.port !== null) {
    logger.info(`METRICS_PORT is for worker processes; role ${role} serves /metrics on PORT`);
  }
  const runtime = await createRuntime(config, logger, role).catch(async (err: unknown) => {
    await metricsServer?.close();
    throw err;
  });
  // The queue-depth and webhook gauges, as the API registers them (webhook results processed by
  // this worker are counted here).
  if (metricsServer) registerCollectors({ database: runtime.database, queues: runtime.queues });
  const app = role === 'worker' ? null : await buildApp(runtime);
  if (app) {
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (err) {
      // The runtime is up by now, and with role `all` so are its workers, which may already have
      // taken a job: they are stopped as on SIGTERM (a job under way finishes) before the process
      // ends, instead of leaving it half done for another process to find stalled.
      await app.close().catch(() => undefined);
      await runtime.close().catch(() => undefined);
      throw listenFailure(err, { port: config.port, host: config.host, portVar: 'PORT', hostVar: 'HOST' });
    }
    logger.info(`dashboard and API at ${config.publicBaseUrl} (role ${role})`);
  } else {
    logger.info('worker role started');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.info({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(
      () => {
        logger.error('shutdown took too long; exiting');
        process.exit(1);
      },
      stopDeadlineMs(config.shutdownDrainMs, config.evolution.requestTimeoutMs),
    );
    force.unref();
    try {
      await stopService({ app, runtime, metricsServer, drainMs: config.shutdownDrainMs });
      logger.info('shutdown complete');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  // `on`, not `once`: a signal repeated during the stop (an impatient operator, a supervisor that
  // sends it again) found no handler left and killed the process at once, cutting the requests
  // and jobs the stop waits for. The stop has its own deadline; SIGKILL is the way to cut it.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
