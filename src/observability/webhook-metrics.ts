// The webhook counts of this process (webhookStats) for Prometheus, read at scrape time so that
// the webhook's hot path stays free of any metrics library.
//
// They are exported twice. `ww_webhook_events_total` and `ww_webhook_rejections_total` are
// counters: rate() and increase() read the drop to 0 after a restart as a counter reset. The
// gauges `ww_webhook_events` and `ww_webhook_rejections` were the first export of the same counts;
// they stay, deprecated, for the dashboards and alerts already built on them.
import { Counter, Gauge, type Registry } from 'prom-client';
import { REJECT_REASONS } from '../domain/webhooks/verify-webhook-request.js';
import { webhookStats } from '../domain/webhooks/webhook-stats.js';

/** The `result` label's values and the count behind each (docs/OPERATIONS.md, "Metrics registered"). */
function countsByResult(): Record<string, number> {
  const s = webhookStats;
  return {
    accepted: s.accepted,
    ignored: s.ignored,
    rejected: s.rejected,
    invalid: s.invalid,
    processed: s.processed,
    failed: s.failed,
    swept: s.swept,
    settled_echo: s.settledEchoes,
    echo_held: s.echoesHeld,
    receipt_applied: s.receiptsApplied,
  };
}

/** Every reason, 0 until it first happens, so that increase() sees the first rejection. */
function countsByReason(): Record<string, number> {
  return Object.fromEntries(REJECT_REASONS.map((r) => [r, webhookStats.rejectedByReason[r] ?? 0]));
}

/**
 * A counter that follows counts kept elsewhere: each scrape adds what they grew by since the
 * last one. prom-client counters cannot be set, and adding only growth keeps the series
 * monotonic within the process by construction.
 */
function followingCounter(
  registry: Registry,
  name: string,
  help: string,
  label: string,
  read: () => Record<string, number>,
): void {
  const reported = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      for (const [value, n] of Object.entries(read())) {
        const grown = n - (reported.get(value) ?? 0);
        // The counts only grow; a smaller one (never expected) is not allowed to lower the counter.
        if (grown < 0) continue;
        this.inc({ [label]: value }, grown);
        reported.set(value, n);
      }
    },
  });
}

function followingGauge(
  registry: Registry,
  name: string,
  help: string,
  label: string,
  read: () => Record<string, number>,
): void {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      for (const [value, n] of Object.entries(read())) this.set({ [label]: value }, n);
    },
  });
}

export function registerWebhookMetrics(registry: Registry): void {
  followingCounter(
    registry,
    'ww_webhook_events_total',
    'Webhook requests and events by result',
    'result',
    countsByResult,
  );
  followingCounter(
    registry,
    'ww_webhook_rejections_total',
    'Webhook requests that failed verification, by reason',
    'reason',
    countsByReason,
  );
  followingGauge(
    registry,
    'ww_webhook_events',
    'Deprecated: use ww_webhook_events_total. Webhook requests by result since the process started',
    'result',
    countsByResult,
  );
  // As before: a reason appears once it has happened.
  followingGauge(
    registry,
    'ww_webhook_rejections',
    'Deprecated: use ww_webhook_rejections_total. Webhook requests that failed verification, by reason',
    'reason',
    () => Object.fromEntries(Object.entries(webhookStats.rejectedByReason).map(([r, n]) => [r, n ?? 0])),
  );
}
