// Wall-clock arithmetic in an IANA zone, with one rule for the two daylight-saving edge cases:
// a wall time names the FIRST instant at which the zone's clock shows that time or later.
//   - In a gap (spring forward, 02:30 does not exist in Madrid on the last Sunday of March) that
//     is the moment the clock jumps (03:00 local), not Luxon's default of "shift by the gap".
//   - In an overlap (fall back, 02:30 happens twice) it is the first occurrence.
// Pure functions over instants; no clock is read here.
import { DateTime } from 'luxon';

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
}

/** The wall time as if it were UTC: comparable across offsets. */
const wallMillis = (w: WallTime): number =>
  Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0, w.millisecond ?? 0);

/** What the zone's clock reads at that instant, as comparable milliseconds. */
const localMillis = (dt: DateTime): number => dt.toMillis() + dt.offset * 60_000;

/** The first instant at which the clock in `zone` reads `wall` or later (see the file comment). */
export function resolveWallTime(wall: WallTime, zone: string): Date {
  const target = wallMillis(wall);
  const guess = DateTime.fromObject(wall, { zone });
  const exact = guess.getPossibleOffsets().filter((dt) => localMillis(dt) === target);
  if (exact.length > 0) return new Date(Math.min(...exact.map((dt) => dt.toMillis())));
  // A gap: Luxon moved the time forward by the gap's length. Walk back to the jump (offset
  // changes happen on whole minutes), then drop any seconds past the minute the jump happened on.
  let t = guess;
  for (let i = 0; i < 48 * 60 && localMillis(t.minus({ minutes: 1 })) >= target; i++) {
    t = t.minus({ minutes: 1 });
  }
  const minuteStart = t.minus({ seconds: t.second, milliseconds: t.millisecond });
  return (localMillis(minuteStart) >= target ? minuteStart : t).toJSDate();
}

/** The wall time of an instant in a zone. */
export function wallTimeOf(instant: Date, zone: string): WallTime {
  const dt = DateTime.fromJSDate(instant, { zone });
  return {
    year: dt.year,
    month: dt.month,
    day: dt.day,
    hour: dt.hour,
    minute: dt.minute,
    second: dt.second,
    millisecond: dt.millisecond,
  };
}

/** The same wall time `days` calendar days later (negative: earlier). */
export function addCalendarDays(wall: WallTime, days: number): WallTime {
  const shifted = DateTime.fromObject(wall, { zone: 'utc' }).plus({ days });
  return { ...wall, year: shifted.year, month: shifted.month, day: shifted.day };
}

/**
 * Moves an instant by a number of minutes. A whole number of days moves by calendar days in the
 * zone, keeping the wall-clock time across a daylight-saving change ("the day before at the same
 * time"); any other amount is an exact duration.
 */
export function shiftByMinutes(instant: Date, minutes: number, zone: string): Date {
  if (minutes !== 0 && minutes % 1_440 === 0) {
    return resolveWallTime(addCalendarDays(wallTimeOf(instant, zone), minutes / 1_440), zone);
  }
  return new Date(instant.getTime() + minutes * 60_000);
}
