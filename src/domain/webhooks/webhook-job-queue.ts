// What webhook ingestion needs from the job system, without knowing it is BullMQ: hand stored
// events over for processing. Idempotent: a job id is derived from the event id.
export interface WebhookEventRef {
  eventId: number;
  advisorId: string;
}

export interface WebhookJobQueue {
  enqueue(refs: readonly WebhookEventRef[]): Promise<void>;
}
