// A ring that fills to a rate between 0 and 1, with the figure in words next to it.
export function RateRing({
  rate,
  label,
  value,
  color = 'var(--primary)',
}: {
  rate: number | null;
  label: string;
  value: string;
  color?: string;
}) {
  const r = 26;
  const c = 2 * Math.PI * r;
  const filled = rate === null ? 0 : Math.max(0, Math.min(1, rate)) * c;
  return (
    <div className="rate">
      <svg width="64" height="64" viewBox="0 0 64 64" aria-hidden="true">
        <circle cx="32" cy="32" r={r} className="rate-track" />
        {/* None for no rate or 0: a zero-length dash still gets its round caps, a dot at the top. */}
        {filled > 0 && (
          <circle
            cx="32"
            cy="32"
            r={r}
            fill="none"
            stroke={color}
            strokeWidth="7"
            strokeLinecap="round"
            strokeDasharray={`${filled} ${c}`}
            transform="rotate(-90 32 32)"
          />
        )}
      </svg>
      <div>
        <p className="rate-value">{value}</p>
        <p className="rate-label">{label}</p>
      </div>
    </div>
  );
}
