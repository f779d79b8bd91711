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

export const instantSchema = z.iso
  .datetime({ offset: true })
  .refine(storableInstant, { message: 'must be between the years 0001 and 9999 (UTC)' });
