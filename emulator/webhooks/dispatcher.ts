// Entry point for every event the emulator raises. Like the gateway it never waits for the receiver: deliveries
// run on their own, so they can arrive out of order, and faults can drop, duplicate or shuffle them.
import type { WallClock } from '../core/clock.js';
import type { FaultState } from '../core/faults.js';
import type { Instance } from '../core/instance.js';
import type { Stats } from '../core/stats.js';
import type { Timers } from '../core/timers.js';
import type { Deliverer } from './delivery.js';
import { prepareRequest, type PreparedRequest } from './envelope.js';
import { upperName } from './events.js';

// How long reorderWebhooks holds deliveries before releasing them shuffled.
const REORDER_WINDOW_MS = 60;

export interface DispatcherDeps {
  clock: WallClock;
  faults: FaultState;
  stats: Stats;
  timers: Timers;
  deliverer: Deliverer;
  exposeApiKey: boolean;
  serverUrl: () => string;
  /** Shuffles reordered batches (seeded in tests). */
  random: () => number;
}

interface Held {
  instance: Instance;
  request: PreparedRequest;
  duplicate: boolean;
}

export class WebhookDispatcher {
  private held: Held[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Returns whether the instance's webhook config wanted this event. */
  emit(instance: Instance, event: string, data: unknown): boolean {
    const { faults, stats, deliverer } = this.deps;
    const result = prepareRequest(instance, event, data, {
      serverUrl: this.deps.serverUrl(),
      exposeApiKey: this.deps.exposeApiKey,
      dateTime: this.deps.clock.webhookDateTime(),
    });
    if (result.kind === 'not-subscribed') return false;
    stats.webhooks.emitted += 1;
    if (result.kind === 'invalid-url') {
      deliverer.logWithoutSending(instance, event, result.url, 'skipped');
      return true;
    }
    if (instance.heldEvents.has(upperName(event))) {
      deliverer.hold(instance, result.request, false);
      return true;
    }
    const fault = faults.current;
    if (faults.roll(fault.dropWebhookRate)) {
      stats.webhooks.dropped += 1;
      deliverer.logWithoutSending(instance, event, result.request.url, 'dropped');
      return true;
    }
    const copies = faults.roll(fault.duplicateWebhookRate) ? 2 : 1;
    if (copies === 2) stats.webhooks.duplicated += 1;
    for (let i = 0; i < copies; i += 1) {
      const item = { instance, request: result.request, duplicate: i > 0 };
      if (fault.reorderWebhooks) this.hold(item);
      else deliverer.deliver(item.instance, item.request, item.duplicate);
    }
    return true;
  }

  private hold(item: Held): void {
    this.held.push(item);
    if (this.flushTimer) return;
    this.flushTimer = this.deps.timers.after(REORDER_WINDOW_MS, () => {
      this.flushTimer = undefined;
      const batch = this.held;
      this.held = [];
      // Fisher-Yates: every order equally likely, so a receiver that assumes order fails fast.
      for (let i = batch.length - 1; i > 0; i -= 1) {
        const j = Math.floor(this.deps.random() * (i + 1));
        const a = batch[i];
        const b = batch[j];
        if (a && b) {
          batch[i] = b;
          batch[j] = a;
        }
      }
      for (const entry of batch) this.deps.deliverer.deliver(entry.instance, entry.request, entry.duplicate);
    });
  }

  reset(): void {
    this.deps.timers.cancel(this.flushTimer);
    this.flushTimer = undefined;
    this.held = [];
  }
}
