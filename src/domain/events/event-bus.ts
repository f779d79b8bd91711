// Live events for one advisor's dashboard (Server-Sent Events). Published by whichever process
// learns something (webhook worker, send worker) and delivered to every API process holding a
// stream for that advisor, so the interface says nothing about where subscribers live.
export type LiveEvent =
  | { type: 'status'; data: Record<string, unknown> }
  | { type: 'message'; data: Record<string, unknown> }
  | { type: 'inbound'; data: Record<string, unknown> }
  | { type: 'appointment'; data: Record<string, unknown> }
  | { type: 'conversation_read'; data: { phone: string; unread: number } };

export interface EventBus {
  publish(advisorId: string, event: LiveEvent): Promise<void>;
  /** Returns an unsubscribe function. */
  subscribe(advisorId: string, listener: (event: LiveEvent) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
