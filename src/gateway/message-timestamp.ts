/**
 * `messageTimestamp` arrives as unix seconds in three forms: a number (what Evolution 2.3
 * serialises), a numeric string (what its docs show), or a protobuf Long `{low, high, unsigned}`
 * when a raw Baileys object slips through. Returns null for anything else so callers decide.
 */
export function parseMessageTimestamp(value: unknown): Date | null {
  const seconds = toSeconds(value);
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return null;
  // Some producers use milliseconds; no WhatsApp message is dated after the year 33658 in seconds.
  const ms = seconds > 1e12 ? seconds : seconds * 1000;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date;
}

function toSeconds(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const { low, high } = value as { low: unknown; high: unknown };
    if (typeof low !== 'number' || typeof high !== 'number') return null;
    // Both halves are 32-bit; `>>> 0` reads the low half as unsigned.
    return high * 2 ** 32 + (low >>> 0);
  }
  return null;
}

/**
 * A date from the gateway as the service may trust it: never after the moment its webhook reached
 * us (`receivedAt`), since nothing is sent or edited after it arrives. A gateway or phone clock
 * ahead, or a malformed producer, would otherwise date a STOP next year: every later START would
 * count as older, and the message would stay the newest of its chat.
 *
 * The bound is the receipt truncated to the date's grain: the second for `messageTimestamp`, the
 * millisecond for an edit's `timestampMs`. A message dated truthfully is dated at most its
 * receipt's second (its date is its send time truncated), so it is never moved, and one brought
 * back keeps WhatsApp's grain, which the same-second rule of the opt keywords reads (two written
 * in one second are ordered by arrival).
 *
 * No tolerance for skew is added: any margin is a window in which a bogus date outranks what the
 * client writes next (a START inside it would be ignored), while a clock only a little ahead
 * costs nothing here: its messages are ordered by arrival, as they came. The date as sent stays
 * in the stored webhook payload.
 */
export function notAfterReceipt(date: Date, receivedAt: Date, grainMs: 1 | 1000): Date {
  const bound = Math.floor(receivedAt.getTime() / grainMs) * grainMs;
  return date.getTime() > bound ? new Date(bound) : date;
}
