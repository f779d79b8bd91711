// In-process webhook counters, read by the metrics endpoint (Prometheus) and by tests. Counting
// here keeps the hot path free of any metrics library.
import type { RejectReason } from './verify-webhook-request.js';

export const webhookStats = {
  /** Verified and stored for processing. */
  accepted: 0,
  /** Verified, but an event we do not act on: acknowledged and dropped. */
  ignored: 0,
  /**
   * Verified SEND_MESSAGE echoes and SERVER_ACK receipts of sends already recorded as sent:
   * acknowledged, not stored.
   */
  settledEchoes: 0,
  /** Verified delivery and read receipts of recorded messages, applied on arrival: not stored. */
  receiptsApplied: 0,
  /**
   * Echoes that arrived before their send was recorded and waited for a second look
   * (webhook-event-writer.ts); each then also counts as settled or accepted.
   */
  echoesHeld: 0,
  /** Failed verification: 401. */
  rejected: 0,
  rejectedByReason: {} as Partial<Record<RejectReason, number>>,
  /** Malformed body: 400. */
  invalid: 0,
  /** Processed by the worker. */
  processed: 0,
  /** Given up on after the last attempt (kept in webhook_event with its error). */
  failed: 0,
  /** Stored events re-enqueued by the sweeper because their job was missing. */
  swept: 0,
};

export function countRejection(reason: RejectReason): void {
  webhookStats.rejected += 1;
  webhookStats.rejectedByReason[reason] = (webhookStats.rejectedByReason[reason] ?? 0) + 1;
}
