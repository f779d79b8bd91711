// An instant as the API takes it: ISO 8601 with an offset (`Z` or `±hh:mm`). zod accepts any
// year from 0000 to 9999 with any offset, but PostgreSQL stores years 1 to 9999 only (in UTC,
// after the offset: `9999-12-31T23:59:59-14:00` is year 10000), so such a value reached SQL and
// came back as a 500. It is refused here, with the other malformed input.
import { z } from 'zod';

/** Whether PostgreSQL (timestamptz) and a JavaScript Date hold this instant alike. */
export function storableInstant(value: string): boolean {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return false;
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/**
 * ISO 8601 lets a time stop at the minutes (`2026-12-01T09:00+01:00`), and some callers write it
 * so whenever the seconds are zero: Java's `OffsetDateTime.toString()` does. zod's datetime wants
 * the seconds, so such an instant was a 400 "Invalid ISO datetime" for a booking made on the hour.
 * It is read as the same time with `:00` seconds.
 */
const MINUTES_ONLY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$/;

/**
 * A date and time with no offset (`2026-12-01T09:00:00`, what Python's `isoformat()` of a naive
 * datetime and JavaScript's local formatting give) names no instant: which zone is meant? It was
 * answered "Invalid ISO datetime", which does not say what is missing, though the value is ISO
 * 8601. Such a value is told so, with the two ways to write it.
 */
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
export const INSTANT_FORMAT_MESSAGE =
  'must be an ISO 8601 date and time with its offset, e.g. 2026-12-01T09:00:00Z or 2026-12-01T10:00:00+01:00';
export const INSTANT_NO_OFFSET_MESSAGE =
  'has no time zone offset: add Z for UTC or the offset of the local time, e.g. 2026-12-01T09:00:00Z or 2026-12-01T10:00:00+01:00';

// A malformed value gets one message, not also the year rule's.
export const instantSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.replace(MINUTES_ONLY, '$1:00$2') : value),
  z.iso
    .datetime({
      offset: true,
      abort: true,
      error: (issue) =>
        typeof issue.input === 'string' && NO_OFFSET.test(issue.input)
          ? INSTANT_NO_OFFSET_MESSAGE
          : INSTANT_FORMAT_MESSAGE,
    })
    .refine(storableInstant, { message: 'must be between the years 0001 and 9999 (UTC)' }),
);

/**
 * A query string decodes "+" as a space (form encoding), so `?since=2026-12-01T09:00:00+01:00`
 * written into a URL without escaping the "+" (a time formatted with its offset and pasted into
 * the URL) arrives as `…T09:00:00 01:00`. A space between the time and a two-digit offset can only
 * be that "+": it is read as one. Request bodies are not form-decoded and keep the strict schema.
 */
const LOST_PLUS_OFFSET = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$/;

export const queryInstantSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.replace(LOST_PLUS_OFFSET, '$1+$2') : value),
  instantSchema,
);
