// Message statuses and the one rule about them: they only move forward. Webhooks arrive
// duplicated and out of order, so every write goes through `rank` and never lowers it.
export const OUTBOUND_STATUSES = [
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type MessageStatus = (typeof OUTBOUND_STATUSES)[number] | 'received';

const RANK: Record<string, number> = { scheduled: 0, queued: 1, sending: 2, sent: 3, delivered: 4, read: 5 };

export function rank(status: string): number {
  return RANK[status] ?? -1;
}

/** Finished for the pipeline: nothing more will be sent (receipts may still raise sent → read). */
export const FINAL_STATUSES = ['sent', 'delivered', 'read', 'failed', 'skipped', 'cancelled'] as const;
export const PENDING_STATUSES = ['scheduled', 'queued', 'sending'] as const;

export function isFinal(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * Possibly on its way to the client already, and past recall: handed to the gateway (`sending`),
 * or waiting for the echo of an attempt that got no answer until `uncertainUntil` (that attempt
 * may have reached WhatsApp; the repository's `cancellable` refuses such a row).
 */
export function mayBeInFlight(row: { status: string; uncertainUntil: Date | null }, now: Date): boolean {
  if (row.status === 'sending') return true;
  return (
    (row.status === 'queued' || row.status === 'scheduled') &&
    row.uncertainUntil !== null &&
    row.uncertainUntil > now
  );
}
