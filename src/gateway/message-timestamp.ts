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
