// Quiet hours: a daily window of wall-clock time, in the client's timezone, when automated
// messages do not go out. Rules (also in docs/ARCHITECTURE.md, "Appointment automation"):
//   - The window is [start, end): quiet from `start` inclusive until `end` exclusive.
//   - `start` later than `end` spans midnight (21:00–08:00); equal times mean no quiet hours.
//   - Each day's window runs between the first instants the clock reads `start` and `end`
//     (wall-clock.ts): a window edge inside a spring-forward gap moves to the jump, and in a
//     fall-back overlap the window ends at the first 02:30, not the repeated one.
import { addCalendarDays, resolveWallTime, wallTimeOf } from './wall-clock.js';

export interface QuietHours {
  start: string;
  end: string;
}

export interface QuietWindow {
  start: Date;
  end: Date;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** The window of quiet hours that contains this instant, or null when sending is allowed. */
export function quietWindowAt(instant: Date, quiet: QuietHours | null, zone: string): QuietWindow | null {
  if (!quiet) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return null;
  const today = wallTimeOf(instant, zone);
  // A window that spans midnight may have started yesterday.
  for (const offset of [-1, 0]) {
    const day = addCalendarDays(today, offset);
    const at = (d: typeof day, minutes: number) =>
      resolveWallTime(
        { ...d, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 },
        zone,
      );
    const window = { start: at(day, start), end: at(end < start ? addCalendarDays(day, 1) : day, end) };
    if (instant >= window.start && instant < window.end) return window;
  }
  return null;
}

/** The instant itself when sending is allowed, else the first minute after its quiet window. */
export function nextAllowedInstant(instant: Date, quiet: QuietHours | null, zone: string): Date {
  let t = instant;
  // Windows of consecutive days never touch, so one step suffices; the bound is a safety net.
  for (let i = 0; i < 3; i++) {
    const window = quietWindowAt(t, quiet, zone);
    if (!window) return t;
    t = window.end;
  }
  return t;
}

/** "21:00–08:00" for messages that explain a decision. */
export const describeQuietHours = (quiet: QuietHours): string => `${quiet.start}–${quiet.end}`;
