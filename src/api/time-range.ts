// Time ranges read from a query string (metrics' since/until, the agenda's from/to) are half-open,
// [start, end): one whose start is not before its end holds nothing, which is always the caller's
// mistake (swapped ends, a time zone slip), so it is refused rather than answered with nothing.
import { AppError } from '../domain/app-error.js';

/** 422 `validation_failed` naming the start field unless `start` is before `end`. */
export function assertRangeRunsForward(start: Date, end: Date, names: { start: string; end: string }): void {
  if (start < end) return;
  throw new AppError('validation_failed', `\`${names.start}\` must be before \`${names.end}\`.`, {
    fields: [{ field: names.start, message: `must be before ${names.end}` }],
  });
}
