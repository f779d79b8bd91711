// Stores verified webhook events and hands them to the queue, in batches: a group commit. Requests
// that arrive while a batch is being written wait for the next one, so under load one INSERT and
// one job serve up to `maxBatch` events, and when idle an event goes alone at once
// (no timer to wait for). Each caller's promise settles once its row is committed.
// Postgres holds the truth: if the hand-over to the queue fails, the event is still stored and
// acknowledged, and the sweeper enqueues it later.
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { insertWebhookEvents, type NewWebhookEvent } from '../../db/repositories/webhook-event.repository.js';
import type { WebhookJobQueue } from './webhook-job-queue.js';

interface Waiting {
  row: NewWebhookEvent;
  resolve: (id: number) => void;
  reject: (err: unknown) => void;
}

export interface WebhookEventWriterOptions {
  maxBatch: number;
  /** Batches written at the same time (database connections it may hold). */
  maxInFlight: number;
}

export class WebhookEventWriter {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly queue: WebhookJobQueue,
    private readonly logger: Logger,
    private readonly options: WebhookEventWriterOptions = { maxBatch: 200, maxInFlight: 4 },
  ) {}

  /** Resolves with the stored event's id. */
  write(row: NewWebhookEvent): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      this.kick();
    });
  }

  /** Waits until everything handed over so far is written. */
  async drain(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight > 0) {
      await new Promise<void>((resolve) => this.idle.add(resolve));
    }
  }

  private kick(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // Let the requests of this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.waiting.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.writeBatch(batch).finally(() => {
        this.inFlight -= 1;
        if (this.waiting.length > 0) {
          this.kick();
        } else if (this.inFlight === 0) {
          for (const resolve of this.idle) resolve();
          this.idle.clear();
        }
      });
    }
  }

  private async writeBatch(batch: Waiting[]): Promise<void> {
    let ids: number[];
    try {
      ids = await insertWebhookEvents(
        this.db,
        batch.map((w) => w.row),
      );
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    try {
      await this.queue.enqueueBatch(
        ids.map((eventId, i) => ({ eventId, advisorId: batch[i]!.row.advisorId })),
      );
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, events: ids.length },
        'webhook enqueue failed; the sweeper will retry',
      );
    }
    batch.forEach((w, i) => w.resolve(ids[i]!));
  }
}
