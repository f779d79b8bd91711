// What the domain needs from the job system, without knowing it is BullMQ: hand a stored message
// over for delivery (now or at its scheduled time), and wake an advisor's waiting messages.
export interface QueuedMessageRef {
  id: string;
  advisorId: string;
  scheduledAt: Date | null;
  /** Goes ahead of the advisor's own backlog (time-critical.ts); absent = waits its turn. */
  timeCritical?: boolean;
}

export interface WakeOptions {
  reserveAgain?: boolean;
}

export interface MessageQueue {
  /** Idempotent: enqueuing the same message twice schedules it once. */
  enqueue(message: QueuedMessageRef): Promise<void>;
  /**
   * Enqueues a message that had a job before (a retry of a failed one). The job that failed it may
   * still be finishing, and while it is there a new job with the same id would be dropped as a
   * duplicate: this waits, briefly, for it to leave. A new send: the sweeper's restores of the
   * message's earlier jobs no longer count (sweeper.ts, MAX_RESTORES).
   */
  requeue(message: QueuedMessageRef): Promise<void>;
  /** Drops a pending job (cancellations); the worker re-checks the row anyway. */
  remove(messageId: string): Promise<void>;
  /**
   * The advisor reconnected: their waiting messages go out now, in order. `reserveAgain` (the
   * rate limit or pacing changed): the send slots they hold are given back first, so each reserves
   * anew under the new rules, in order, instead of after the others' slots of the old ones.
   */
  resume(advisorId: string, messageIds: string[], options?: WakeOptions): Promise<void>;
}
