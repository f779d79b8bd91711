// Grouped bars per x label, drawn in SVG at the container's width.
import {
  ChartFrame,
  chartScale,
  labelEvery,
  labelRoom,
  useChartWidth,
  XLabel,
  type ChartProps,
} from './chart-parts';

const PAD = { top: 12, right: 8, bottom: 28, left: 36 };

export function BarChart({ title, series, data }: ChartProps) {
  const [figureRef, width] = useChartWidth();
  const scale = chartScale({ series, data }, PAD, width);
  const { plotW, plotH, y } = scale;
  const slot = plotW / Math.max(1, data.length);
  const barW = Math.max(1.5, Math.min(18, (slot * 0.75) / series.length));
  const every = labelEvery(data.length, labelRoom(plotW));
  return (
    <ChartFrame title={title} series={series} data={data} scale={scale} figureRef={figureRef}>
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
            {i % every === 0 && <XLabel x={PAD.left + i * slot + slot / 2} label={d.label} scale={scale} />}
          </g>
        );
      })}
    </ChartFrame>
  );
}
