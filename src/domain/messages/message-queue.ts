// What the domain needs from the job system, without knowing it is BullMQ: hand a stored message
// over for delivery (now or at its scheduled time), and wake an advisor's waiting messages.
export interface QueuedMessageRef {
  id: string;
  advisorId: string;
  scheduledAt: Date | null;
}

export interface MessageQueue {
  /** Idempotent: enqueuing the same message twice schedules it once. */
  enqueue(message: QueuedMessageRef): Promise<void>;
  /** Drops a pending job (cancellations); the worker re-checks the row anyway. */
  remove(messageId: string): Promise<void>;
  /** The advisor reconnected: their waiting messages go out now, in order. */
  resume(advisorId: string, messageIds: string[]): Promise<void>;
}
