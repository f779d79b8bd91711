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

// A malformed value gets one message, "Invalid ISO datetime", not also the year rule's.
export const instantSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.replace(MINUTES_ONLY, '$1:00$2') : value),
  z.iso
    .datetime({ offset: true, abort: true })
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
