// A warning that can fire many times a second for one cause (every BullMQ worker retrying its
// Redis connection logs an error each time: about 7 a second while Redis is down). The first
// occurrence of a message is logged at once; repeats within the window are counted and logged
// once when the window ends, so an outage costs a line per window instead of thousands.
//
// Each message has its own window: a client that alternates two errors ("ECONNREFUSED", then
// "Connection is closed.") is throttled too. The count is logged by a timer at the window's end:
// until 2026-12-06 it waited for the next error, so the repeats of an outage that had ended were
// never told.
import type { Logger } from 'pino';

/** Beyond this many distinct messages in one window, each is logged as it comes. */
const MAX_CAUSES = 20;

export function throttledWarning(
  logger: Pick<Logger, 'warn'>,
  what: string,
  windowMs = 30_000,
): (err: Error) => void {
  const repeats = new Map<string, number>();
  return (err) => {
    const message = err.message;
    const seen = repeats.get(message);
    if (seen !== undefined) {
      repeats.set(message, seen + 1);
      return;
    }
    logger.warn({ err: message }, what);
    if (repeats.size >= MAX_CAUSES) return;
    repeats.set(message, 0);
    const timer = setTimeout(() => {
      const count = repeats.get(message) ?? 0;
      repeats.delete(message);
      if (count > 0) logger.warn({ err: message, repeats: count }, `${what} (repeated)`);
    }, windowMs);
    // A pending count must not keep a process that is shutting down alive.
    timer.unref?.();
  };
}
