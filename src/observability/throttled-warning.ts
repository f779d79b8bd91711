// A warning that can fire many times a second for one cause (every BullMQ worker retrying its
// Redis connection logs an error each time: about 7 a second while Redis is down). The first
// occurrence of a message is logged at once; repeats within the window are counted and logged
// once when the window ends, so an outage costs a line per window instead of thousands.
import type { Logger } from 'pino';

export function throttledWarning(
  logger: Pick<Logger, 'warn'>,
  what: string,
  windowMs = 30_000,
  now: () => number = Date.now,
): (err: Error) => void {
  let last: { message: string; at: number; repeats: number } | null = null;
  return (err) => {
    const at = now();
    if (last && last.message === err.message && at - last.at < windowMs) {
      last.repeats += 1;
      return;
    }
    if (last && last.repeats > 0) {
      logger.warn({ err: last.message, repeats: last.repeats }, `${what} (repeated)`);
    }
    last = { message: err.message, at, repeats: 0 };
    logger.warn({ err: err.message }, what);
  };
}
