// What webhook ingestion needs from the job system, without knowing it is BullMQ: hand stored
// events over for processing. Idempotent: a job id is derived from the event id.
export interface WebhookEventRef {
  eventId: number;
  advisorId: string;
}

export interface WebhookJobQueue {
  /** One job per event. */
  enqueue(refs: readonly WebhookEventRef[]): Promise<void>;
  /** One job for events stored together (a single ref becomes a single-event job). */
  enqueueBatch(refs: readonly WebhookEventRef[]): Promise<void>;
  /** The events some waiting, delayed or running job will process. */
  liveEventIds(): Promise<Set<number>>;
}
