// The period the Analítica screen asks for: the last `days` days counting today, from midnight
// in the advisor's zone (the zone the server counts its days in) to now. The browser's own
// midnight started the period hours off for an advisor whose settings name another zone, and
// starting `days` days back made "7 días" eight (seven whole days and today). "Now" is the
// server's (a computer clock ten minutes slow ended the period before the messages just sent).
import { dayIn, localInputToIso } from '../../lib/format';
import type { Metrics } from '../../lib/api-types';
import { serverNow } from '../../lib/server-clock';

export function metricsRange(days: number, timeZone: string | undefined, now = new Date(serverNow())) {
  const [y, m, d] = dayIn(now, timeZone).split('-').map(Number) as [number, number, number];
  const firstDay = new Date(Date.UTC(y, m - 1, d - (days - 1))).toISOString().slice(0, 10);
  const since = localInputToIso(`${firstDay}T00:00`, timeZone)!;
  // Rounded up to the next minute so the request does not change on every render, and a message
  // sent a moment ago is counted (rounding down left out the current minute).
  const until = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
  return { since, until: until.toISOString() };
}

export type DayCounts = NonNullable<Metrics['messagesPerDay']>[number];

/**
 * Every day of `[since, until)` in the advisor's zone, in order, with the server's counts and
 * zeros for a day without messages. The server lists only days that had some: drawn as they came,
 * a quiet week vanished from the charts, the bars on either side of it stood side by side and the
 * lines ran straight across it as if those days had had messages.
 */
export function everyDay(
  counts: readonly DayCounts[],
  since: string,
  until: string,
  timeZone: string | undefined,
): DayCounts[] {
  const byDay = new Map(counts.map((c) => [c.day, c]));
  const first = dayIn(new Date(since), timeZone);
  const last = dayIn(new Date(new Date(until).getTime() - 1), timeZone);
  const days: DayCounts[] = [];
  for (let ms = Date.parse(first); ms <= Date.parse(last) && days.length <= 400; ms += 86_400_000) {
    const day = new Date(ms).toISOString().slice(0, 10);
    days.push(byDay.get(day) ?? { day, sent: 0, delivered: 0, read: 0, failed: 0, inbound: 0 });
  }
  // A day the server counted outside the range (another zone meanwhile) is not dropped.
  for (const c of counts) if (!days.some((d) => d.day === c.day)) days.push(c);
  return days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
