// Prometheus metrics for operators (prom-client). The send counters are bumped by the workers;
// queue depth, connected instances and the webhook counts (webhook-metrics.ts) are read when
// /metrics is scraped.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';
import type { Database } from '../db/client.js';
import { withRedisDeadline } from '../jobs/redis.js';
import { registerWebhookMetrics } from './webhook-metrics.js';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'ww_' });

export const sendsTotal = new Counter({
  name: 'ww_sends_total',
  help: 'Send job outcomes (sent, failed, skipped, retry, wait_connection, wait_resume, wait_slot, wait_claim, deferred, done) and error code',
  labelNames: ['outcome', 'code'] as const,
  registers: [registry],
});

export const sendLatency = new Histogram({
  name: 'ww_send_latency_seconds',
  help: 'From the message being queued (or its scheduled time) to the gateway accepting it',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const rateLimitDelays = new Counter({
  name: 'ww_rate_limit_delays_total',
  help: 'Sends delayed to a later slot by the per-advisor rate limit',
  registers: [registry],
});

export interface PrometheusSources {
  database: Pick<Database, 'probe'>;
  queues: Queue[];
}

/** How long the scrape waits for the database's count (the Redis gauges have 2 s each too). */
const DATABASE_GAUGE_MS = 2_000;

/** Registers the scrape-time metrics once per process. */
export function registerCollectors(sources: PrometheusSources): void {
  if (registry.getSingleMetric('ww_queue_jobs')) return;
  new Gauge({
    name: 'ww_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      for (const queue of sources.queues) {
        try {
          const counts = await withRedisDeadline(
            queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed'),
          );
          for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
        } catch {
          // Redis down: leave the last values; /ready reports the outage.
        }
      }
    },
  });
  new Gauge({
    name: 'ww_connected_instances',
    help: 'Advisors whose WhatsApp is connected',
    registers: [registry],
    async collect() {
      try {
        // Bounded: a database that does not answer must not hang the whole scrape (every other
        // metric with it) when the gauge can keep its last value.
        const rows = await sources.database.probe(
          `select count(*) as n from whatsapp_config where status = 'connected'`,
          DATABASE_GAUGE_MS,
        );
        this.set(Number(rows[0]?.n ?? 0));
      } catch {
        /* database down or silent: the last value stays */
      }
    },
  });
  registerWebhookMetrics(registry);
}
