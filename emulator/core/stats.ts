// Counters for GET /_emulator/stats: tests assert retries and benchmarks read throughput from them.

export interface Stats {
  requests: number;
  sends: number;
  inbound: number;
  injectedErrors: number;
  webhooks: {
    emitted: number;
    attempts: number;
    delivered: number;
    failed: number;
    retried: number;
    dropped: number;
    duplicated: number;
  };
}

export function emptyStats(): Stats {
  return {
    requests: 0,
    sends: 0,
    inbound: 0,
    injectedErrors: 0,
    webhooks: { emitted: 0, attempts: 0, delivered: 0, failed: 0, retried: 0, dropped: 0, duplicated: 0 },
  };
}
