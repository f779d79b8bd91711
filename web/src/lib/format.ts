// Dates, durations and rates in the advisor's language. Times are shown in `timeZone`, the
// advisor's configured zone (settings.timezone), so what the dashboard says matches what their
// clients' messages say; without one (not loaded yet), the browser's zone.
export function formatDateTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
}

export function formatDate(
  iso: string,
  locale: string,
  options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' },
  timeZone?: string,
): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(d);
}

export function formatTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ''
    : new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(d);
}

/** The calendar day `d` falls on in `timeZone`, as YYYY-MM-DD (en-CA writes dates that way). */
export function dayIn(d: Date, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(d);
}

/** Today → the time; this week → weekday; older → the date. For lists of chats and messages. */
export function formatShort(
  iso: string | null | undefined,
  locale: string,
  now = new Date(),
  timeZone?: string,
): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const day = dayIn(d, timeZone);
  if (day === dayIn(now, timeZone)) return formatTime(iso, locale, timeZone);
  const days = (Date.parse(dayIn(now, timeZone)) - Date.parse(day)) / 86_400_000;
  if (days > 0 && days < 6) return new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone }).format(d);
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone }).format(d);
}

export function formatPercent(rate: number | null | undefined, locale: string): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

export function formatNumber(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** Seconds → "45 s", "12 min", "2 h 5 min", "3 d". */
export function formatDuration(seconds: number | null | undefined, locale: string): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const n = (v: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(v);
  if (seconds < 90) return `${n(seconds)} s`;
  const minutes = seconds / 60;
  if (minutes < 90) return `${n(minutes)} min`;
  // Whole minutes first: rounding the rest after taking the hours said 1 h 59.9 min as "1 h 60 min".
  const wholeMinutes = Math.round(minutes);
  const hours = Math.floor(wholeMinutes / 60);
  if (hours < 48) {
    const rest = wholeMinutes - hours * 60;
    return rest ? `${n(hours)} h ${n(rest)} min` : `${n(hours)} h`;
  }
  return `${n(hours / 24)} d`;
}

/** The wall-clock fields of `utcMs` in `timeZone`, read back as if they were UTC. */
function wallAsUtc(utcMs: number, timeZone?: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(utcMs);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
}

/**
 * `2026-12-01T09:00` (datetime-local) read as a wall time in `timeZone` → ISO UTC. A time the
 * clocks skip (spring forward) moves forward by the gap; a time they repeat (fall back) is the
 * first of the two.
 */
export function localInputToIso(value: string, timeZone?: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== day) return null;
  // The zone's offset half a day before and after: one of them is the offset at that wall time.
  const offsetAt = (utcMs: number) => wallAsUtc(utcMs, timeZone) - utcMs;
  const before = wall - offsetAt(wall - 43_200_000);
  const after = wall - offsetAt(wall + 43_200_000);
  const valid = [before, after].filter((utcMs) => wallAsUtc(utcMs, timeZone) === wall);
  return new Date(valid.length ? Math.min(...valid) : before).toISOString();
}

/** A Date → the `YYYY-MM-DDTHH:MM` a datetime-local input shows, in `timeZone`. */
export function toLocalInput(d: Date, timeZone?: string): string {
  return new Date(wallAsUtc(d.getTime(), timeZone)).toISOString().slice(0, 16);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The first character a reader sees (a whole emoji or accented letter), not half of one. */
function firstGrapheme(word: string | undefined): string {
  if (!word) return '';
  for (const { segment } of graphemes.segment(word)) return segment;
  return '';
}

/** "Lucía Pérez" → "LP"; "Lucía 🌿" → "L🌿" (whole characters, never half an emoji). */
export function initials(name: string | null | undefined): string {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  const first = firstGrapheme(parts[0]);
  const last = parts.length > 1 ? firstGrapheme(parts[parts.length - 1]) : '';
  return (first + last).toUpperCase() || '·';
}
