// The connection's history over the period as one coloured strip (connected or not), with the
// changes listed underneath for screen readers and for the exact times. The strip starts with the
// state of the last change before the period (`atStart`); it is grey ("unknown") only up to the
// first change when none was recorded before.
import { useI18n } from '../../i18n/i18n-context';
import type { ConnectionStatus } from '../../lib/api-types';
import { useDates } from '../../lib/advisor-zone';

const COLOR: Record<ConnectionStatus, string> = {
  connected: 'var(--ok)',
  connecting: 'var(--warn)',
  qr_pending: 'var(--warn)',
  disconnected: 'var(--danger)',
  not_configured: 'var(--line-strong)',
};

type Change = { status: ConnectionStatus; at: string };

export function ConnectionTimeline({
  history,
  atStart,
  since,
  until,
}: {
  history: Change[];
  atStart: Change | null;
  since: string;
  until: string;
}) {
  const { t } = useI18n();
  const dates = useDates();
  const start = new Date(since).getTime();
  const end = new Date(until).getTime();
  const span = Math.max(1, end - start);
  // The change before the period holds from its start (its segment is clipped to `since`), and it
  // is listed with its own time, so a screen reader hears the state the period began in too.
  const sorted = [...(atStart ? [atStart] : []), ...[...history].sort((a, b) => a.at.localeCompare(b.at))];
  const segments = sorted.map((h, i) => {
    const from = Math.max(start, new Date(h.at).getTime());
    const to = Math.min(end, new Date(sorted[i + 1]?.at ?? until).getTime());
    return { status: h.status, x: ((from - start) / span) * 100, w: Math.max(0, ((to - from) / span) * 100) };
  });
  return (
    <div className="conn-timeline">
      <svg viewBox="0 0 100 10" preserveAspectRatio="none" className="conn-strip" aria-hidden="true">
        <rect x="0" y="0" width="100" height="10" fill="var(--surface-sunk)" />
        {segments.map((s, i) => (
          <rect key={i} x={s.x} y="0" width={s.w} height="10" fill={COLOR[s.status]} data-status={s.status} />
        ))}
      </svg>
      <div className="conn-scale" aria-hidden="true">
        <span>{dates.dateTime(since)}</span>
        <span>{dates.dateTime(until)}</span>
      </div>
      <ul className="conn-list">
        {[...sorted]
          .reverse()
          .slice(0, 8)
          .map((h) => (
            <li key={`${h.at}-${h.status}`}>
              <span className="badge-dot" style={{ background: COLOR[h.status] }} aria-hidden="true" />
              {t(`status.${h.status}`)} <span className="cell-sub">· {dates.dateTime(h.at)}</span>
            </li>
          ))}
      </ul>
    </div>
  );
}
