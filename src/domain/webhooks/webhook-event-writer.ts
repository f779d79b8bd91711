// Stores verified webhook events and hands them to the queue, in batches: a group commit. Requests
// that arrive while a batch is being written wait for the next one, so under load one INSERT and
// one job serve up to `maxBatch` events, and when idle an event goes alone at once
// (no timer to wait for). Each caller's promise settles once its row is committed.
// Before the insert, one read finds the SEND_MESSAGE echoes and SERVER_ACK receipts of sends
// already recorded (settled-echoes.ts): they change nothing, so they are acknowledged without
// being stored. An echo that beats its send's record (the worker records `sent` once the
// gateway's answer is back, and Evolution posts the echo at the same moment) gets a second look
// after `echoGraceMs` before it is stored: under load one echo in five or so arrived first, and
// storing it cost an insert of its payload, a job, and a second copy of the row when processed.
// Its request is answered once that look is done; nothing is acknowledged before it is settled
// or stored.
// Delivery and read receipts of messages already recorded are applied here, at arrival, instead
// of being stored for a worker (apply-message-status.ts, applyReceiptsOnArrival): storing each
// receipt, handing it to a job and closing its row again was most of what receipts cost (with
// receipts on, the pipeline's CPU per message was 1.6 times that without). A batch's receipts
// take two statements and a read, however many there are, so a flood of them is acknowledged
// about as fast as it would be stored. A receipt for an id not recorded yet is stored as before,
// and so is every receipt of a batch whose statements fail. Nothing is acknowledged before its
// change is committed or its event stored.
// Postgres holds the truth: if the hand-over to the queue fails, the event is still stored and
// acknowledged, and the sweeper enqueues it later.
// A batch whose INSERT the database refuses for one of its rows is written again row by row, so
// that row alone fails: an event of an advisor whose account an admin removed while this process
// still held the instance's secret (webhook-tenants.ts) broke the foreign key, and every other
// advisor's event in the batch was answered 500 with it. Such an event fails with AdvisorGoneError.
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { brokeForeignKey, failedOnItsRows } from '../../db/statement-failure.js';
import type { EventBus } from '../events/event-bus.js';
import { insertWebhookEvents, type NewWebhookEvent } from '../../db/repositories/webhook-event.repository.js';
import { applyReceiptsOnArrival, type ArrivalReceipt } from './apply-message-status.js';
import { settledEchoes } from './settled-echoes.js';
import { webhookStats } from './webhook-stats.js';
import type { WebhookJobQueue } from './webhook-job-queue.js';

interface Waiting {
  row: NewWebhookEvent;
  sentConfirmations: readonly string[] | null;
  /** Its delivery and read receipts, when that is all it holds (arrivalReceipts). */
  receipts: readonly ArrivalReceipt[] | null;
  /** Already waited once for its send to be recorded: stored if still unsettled. */
  lookedAgain?: boolean;
  resolve: (id: number | null) => void;
  reject: (err: unknown) => void;
}

export interface WebhookEventWriterOptions {
  maxBatch: number;
  /** Batches written at the same time (database connections it may hold). */
  maxInFlight: number;
  /** How long an echo that arrived before its send was recorded waits for a second look. */
  echoGraceMs: number;
}

const BATCH_DEFAULTS = { maxBatch: 200, maxInFlight: 4 };

/** The event's advisor no longer exists (the account was removed): nothing to store it for. */
export class AdvisorGoneError extends Error {
  constructor() {
    super('The advisor of this webhook event no longer exists.');
  }
}

export class WebhookEventWriter {
  private waiting: Waiting[] = [];
  /** Echoes waiting for their second look, by the timer that will bring them back. */
  private readonly parked = new Map<NodeJS.Timeout, Waiting[]>();
  private inFlight = 0;
  private scheduled = false;
  private readonly idle = new Set<() => void>();
  private readonly options: WebhookEventWriterOptions;

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly queue: WebhookJobQueue,
    private readonly logger: Logger,
    // The grace comes from the configuration (WEBHOOK_ECHO_GRACE_MS), which holds its default.
    options: Pick<WebhookEventWriterOptions, 'echoGraceMs'> & Partial<WebhookEventWriterOptions>,
  ) {
    this.options = { ...BATCH_DEFAULTS, ...options };
  }

  /**
   * Resolves with the stored event's id, or with null when nothing needed storing: an event made
   * only of echoes of our own sends (`sentConfirmations`, the Evolution ids of its echoes and
   * SERVER_ACK receipts) that are all recorded as sent already, or only of delivery and read
   * `receipts` of recorded messages, applied here.
   */
  write(
    row: NewWebhookEvent,
    sentConfirmations: readonly string[] | null = null,
    receipts: readonly ArrivalReceipt[] | null = null,
  ): Promise<number | null> {
    return new Promise<number | null>((resolve, reject) => {
      this.waiting.push({ row, sentConfirmations, receipts, resolve, reject });
      this.kick();
    });
  }

  /** Waits until everything handed over so far is written (parked echoes get their look at once). */
  async drain(): Promise<void> {
    for (const timer of [...this.parked.keys()]) this.unpark(timer);
    while (this.waiting.length > 0 || this.inFlight > 0 || this.parked.size > 0) {
      await new Promise<void>((resolve) => this.idle.add(resolve));
    }
  }

  private park(echoes: Waiting[]): void {
    for (const w of echoes) w.lookedAgain = true;
    webhookStats.echoesHeld += echoes.length;
    const timer = setTimeout(() => this.unpark(timer), this.options.echoGraceMs);
    this.parked.set(timer, echoes);
  }

  private unpark(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    const echoes = this.parked.get(timer);
    if (!echoes) return;
    this.parked.delete(timer);
    this.waiting.push(...echoes);
    this.kick();
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
        } else if (this.inFlight === 0 && this.parked.size === 0) {
          for (const resolve of this.idle) resolve();
          this.idle.clear();
        }
      });
    }
  }

  private async writeBatch(arrived: Waiting[]): Promise<void> {
    const unsettled = await this.withoutSettledEchoes(arrived);
    // Receipts are applied while the other events are stored: neither waits for the other.
    const [, notApplied] = await Promise.all([
      this.store(unsettled.filter((w) => w.receipts === null)),
      this.withoutAppliedReceipts(unsettled.filter((w) => w.receipts !== null)),
    ]);
    await this.store(notApplied);
  }

  private async store(batch: Waiting[]): Promise<void> {
    if (batch.length === 0) return;
    let ids: number[];
    try {
      ids = await insertWebhookEvents(
        this.db,
        batch.map((w) => w.row),
      );
    } catch (err) {
      // Refused for one of its rows (not an outage): each row again on its own, so only it fails.
      if (batch.length > 1 && failedOnItsRows(err)) {
        await Promise.all(batch.map((w) => this.store([w])));
        return;
      }
      const reason = brokeForeignKey(err) ? new AdvisorGoneError() : err;
      for (const w of batch) w.reject(reason);
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

  /**
   * Answers the echoes that change nothing (null), parks those not settled yet for a second look,
   * and returns the rest, to be stored.
   */
  private async withoutSettledEchoes(arrived: Waiting[]): Promise<Waiting[]> {
    const echoing = arrived.filter((w) => w.sentConfirmations !== null);
    if (echoing.length === 0) return arrived;
    let settled: boolean[];
    try {
      settled = await settledEchoes(
        this.db,
        echoing.map((w) => ({ advisorId: w.row.advisorId, evolutionMessageIds: w.sentConfirmations! })),
      );
    } catch (err) {
      // Storing them is always right (the worker finds them settled then): the insert decides.
      this.logger.warn({ err: (err as Error).message }, 'settled-echo read failed; echoes stored');
      return arrived;
    }
    const answered = new Set(echoing.filter((_, i) => settled[i]));
    webhookStats.settledEchoes += answered.size;
    for (const w of answered) w.resolve(null);
    const early = this.options.echoGraceMs > 0 ? echoing.filter((w, i) => !settled[i] && !w.lookedAgain) : [];
    if (early.length > 0) this.park(early);
    const handled = new Set([...answered, ...early]);
    return handled.size === 0 ? arrived : arrived.filter((w) => !handled.has(w));
  }

  /**
   * Of webhooks made of receipts (`receipts` set), answers those it applied (null) and returns the
   * rest, to be stored.
   */
  private async withoutAppliedReceipts(receipting: Waiting[]): Promise<Waiting[]> {
    if (receipting.length === 0) return receipting;
    let applied: boolean[];
    try {
      applied = await applyReceiptsOnArrival(
        { db: this.db, events: this.events },
        receipting.map((w) => ({ advisorId: w.row.advisorId, receipts: w.receipts!, at: w.row.receivedAt })),
      );
    } catch (err) {
      // Storing them is always right: the worker applies them then, with retries.
      this.logger.warn({ err: (err as Error).message }, 'receipts not applied on arrival; stored');
      return receipting;
    }
    const answered = new Set(receipting.filter((_, i) => applied[i]));
    webhookStats.receiptsApplied += answered.size;
    for (const w of answered) w.resolve(null);
    return receipting.filter((w) => !answered.has(w));
  }
}
