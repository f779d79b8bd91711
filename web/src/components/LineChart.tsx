// Lines per series over x labels, drawn in SVG that scales to its container.
import {
  ChartLegend,
  ChartTable,
  labelEvery,
  niceMax,
  type ChartPoint,
  type ChartSeries,
} from './chart-parts';

const W = 640;
const H = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 36 };

export function LineChart({
  title,
  series,
  data,
}: {
  title: string;
  series: ChartSeries[];
  data: ChartPoint[];
}) {
  const max = niceMax(Math.max(0, ...data.flatMap((d) => series.map((s) => d.values[s.key] ?? 0))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (data.length <= 1 ? plotW / 2 : (i / (data.length - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const every = labelEvery(data.length, 8);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="chart-svg">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} className="chart-grid" />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end" className="chart-axis">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {data.map((d, i) =>
          i % every === 0 ? (
            <text key={d.label} x={x(i)} y={H - 8} textAnchor="middle" className="chart-axis">
              {d.label}
            </text>
          ) : null,
        )}
        {series.map((s) => (
          <g key={s.key}>
            <polyline
              fill="none"
              stroke={s.color}
              strokeWidth={2.2}
              strokeLinejoin="round"
              strokeLinecap="round"
              points={data.map((d, i) => `${x(i)},${y(d.values[s.key] ?? 0)}`).join(' ')}
            />
            {data.length <= 31 &&
              data.map((d, i) => (
                <circle key={d.label} cx={x(i)} cy={y(d.values[s.key] ?? 0)} r={2.6} fill={s.color}>
                  <title>{`${d.label} · ${s.label}: ${d.values[s.key] ?? 0}`}</title>
                </circle>
              ))}
          </g>
        ))}
      </svg>
      <ChartLegend series={series} />
      <ChartTable caption={title} series={series} data={data} />
    </figure>
  );
}
