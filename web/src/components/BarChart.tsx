// Grouped bars per x label, drawn in SVG that scales to its container.
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
const PAD = { top: 12, right: 8, bottom: 28, left: 36 };

export function BarChart({
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
  const slot = plotW / Math.max(1, data.length);
  const barW = Math.max(1.5, Math.min(18, (slot * 0.75) / series.length));
  const every = labelEvery(data.length, 8);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
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
        {data.map((d, i) => {
          const groupX = PAD.left + i * slot + (slot - barW * series.length) / 2;
          return (
            <g key={d.label}>
              {series.map((s, j) => {
                const v = d.values[s.key] ?? 0;
                return (
                  <rect
                    key={s.key}
                    x={groupX + j * barW}
                    y={y(v)}
                    width={barW - 0.5}
                    height={Math.max(0, plotH + PAD.top - y(v))}
                    fill={s.color}
                    rx={1.5}
                  >
                    <title>{`${d.label} · ${s.label}: ${v}`}</title>
                  </rect>
                );
              })}
              {i % every === 0 && (
                <text x={PAD.left + i * slot + slot / 2} y={H - 8} textAnchor="middle" className="chart-axis">
                  {d.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ChartLegend series={series} />
      <ChartTable caption={title} series={series} data={data} />
    </figure>
  );
}
