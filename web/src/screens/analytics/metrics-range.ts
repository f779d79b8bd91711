// The period the Analítica screen asks for: from midnight `days` days ago to now, both in the
// advisor's zone, the zone the server counts its days in. The browser's own midnight started the
// period hours off for an advisor whose settings name another zone.
import { dayIn, localInputToIso } from '../../lib/format';

export function metricsRange(days: number, timeZone: string | undefined, now = new Date()) {
  const [y, m, d] = dayIn(now, timeZone).split('-').map(Number) as [number, number, number];
  const firstDay = new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
  const since = localInputToIso(`${firstDay}T00:00`, timeZone)!;
  // Rounded up to the next minute so the request does not change on every render, and a message
  // sent a moment ago is counted (rounding down left out the current minute).
  const until = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
  return { since, until: until.toISOString() };
}
