// One webhook delivery with the gateway's retry schedule (reference §4.2): up to maxAttempts POSTs, exponential
// backoff with jitter, 400/401/403/404/422 dropped at once, everything else retried. Every attempt is logged on
// the instance so tests can see retries through the control API.
import { performance } from 'node:perf_hooks';
import { request, type Agent } from 'undici';

import type { Instance, WebhookAttempt } from '../core/instance.js';
import type { RetryPolicy } from '../core/options.js';
import type { Stats } from '../core/stats.js';
import type { Timers } from '../core/timers.js';
import type { PreparedRequest } from './envelope.js';

/** From this timeout up, deliveries rely on the agent's headers/body timeouts (see server.ts). */
export const COARSE_TIMEOUT_MS = 1_000;

export const NON_RETRYABLE_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 422]);

/** Wait after failed attempt `attempt` (1-based): min(initial·2^(n-1), max) ± jitter, never below initial. */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.initialDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  const jittered = base * (1 + (random() * 2 - 1) * policy.jitter);
  return Math.max(policy.initialDelayMs, Math.round(jittered));
}

export interface DelivererDeps {
  agent: Agent;
  timers: Timers;
  stats: Stats;
  retry: RetryPolicy;
  timeoutMs: number;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? code : error.name}: ${error.message}`;
  }
  return String(error);
}

export class Deliverer {
  private nextId = 1;
  private closed = false;
  // Bumped by reset(): attempts of an older generation stop instead of retrying into a fresh emulator state.
  private generation = 0;

  constructor(private readonly deps: DelivererDeps) {}

  deliver(instance: Instance, prepared: PreparedRequest, duplicate: boolean): void {
    void this.attempt(instance, prepared, this.nextId++, 1, duplicate, this.generation);
  }

  /**
   * A delivery whose first attempt the receiver is taken to have failed: logged as `held`, and its
   * retry (attempt 2) waits on the instance until the control API releases it. The retry carries
   * the first attempt's body and headers, `date_time` included, as the gateway's retries do (§4.2).
   */
  hold(instance: Instance, prepared: PreparedRequest, duplicate: boolean): void {
    const deliveryId = this.nextId++;
    const generation = this.generation;
    const { event, messageId, url } = prepared;
    this.log(instance, { deliveryId, event, messageId, url, attempt: 1, outcome: 'held', duplicate });
    instance.heldDeliveries.push(() => {
      void this.attempt(instance, prepared, deliveryId, 2, duplicate, generation);
    });
  }

  /** One line of the instance's webhook log; what did not go out has no status, error or duration. */
  private log(
    instance: Instance,
    entry: Omit<WebhookAttempt, 'status' | 'error' | 'durationMs' | 'at'> &
      Partial<Pick<WebhookAttempt, 'status' | 'error' | 'durationMs'>>,
  ): void {
    instance.webhookLog.push({
      status: null,
      error: null,
      durationMs: 0,
      ...entry,
      at: new Date().toISOString(),
    });
  }

  /** Records an event that never went out (fault drop, bad URL) so the log tells the whole story. */
  logWithoutSending(instance: Instance, event: string, url: string, outcome: 'dropped' | 'skipped'): void {
    const deliveryId = this.nextId++;
    this.log(instance, { deliveryId, event, messageId: null, url, attempt: 0, outcome, duplicate: false });
  }

  close(): void {
    this.closed = true;
  }

  reset(): void {
    this.generation += 1;
  }

  private stale(generation: number): boolean {
    return this.closed || generation !== this.generation;
  }

  private async attempt(
    instance: Instance,
    prepared: PreparedRequest,
    deliveryId: number,
    attempt: number,
    duplicate: boolean,
    generation: number,
  ): Promise<void> {
    if (this.stale(generation)) return;
    const { stats, retry } = this.deps;
    stats.webhooks.attempts += 1;
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await request(prepared.url, {
        method: 'POST',
        headers: prepared.headers,
        body: prepared.body,
        dispatcher: this.deps.agent,
        // The agent enforces timeouts of a second or more with cheap coarse timers; shorter ones (tests) need
        // a precise AbortSignal, since undici's own header timer has a one-second resolution.
        ...(this.deps.timeoutMs < COARSE_TIMEOUT_MS
          ? { signal: AbortSignal.timeout(this.deps.timeoutMs) }
          : {}),
      });
      status = response.statusCode;
      await response.body.dump();
    } catch (caught) {
      error = describeError(caught);
    }
    if (this.stale(generation)) return;
    let outcome: WebhookAttempt['outcome'];
    if (status !== null && status >= 200 && status < 300) {
      outcome = 'delivered';
      stats.webhooks.delivered += 1;
    } else if (status !== null && NON_RETRYABLE_STATUSES.has(status)) {
      outcome = 'rejected';
      stats.webhooks.failed += 1;
    } else if (attempt >= retry.maxAttempts) {
      outcome = 'failed';
      stats.webhooks.failed += 1;
    } else {
      outcome = 'retrying';
      stats.webhooks.retried += 1;
      this.deps.timers.after(retryDelayMs(attempt, retry), () => {
        void this.attempt(instance, prepared, deliveryId, attempt + 1, duplicate, generation);
      });
    }
    this.log(instance, {
      deliveryId,
      event: prepared.event,
      messageId: prepared.messageId,
      url: prepared.url,
      attempt,
      outcome,
      status,
      error,
      durationMs: Math.round(performance.now() - started),
      duplicate,
    });
  }
}
