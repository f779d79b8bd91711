// Lines per series over x labels, drawn in SVG at the container's width.
import {
  ChartFrame,
  chartScale,
  labelEvery,
  labelRoom,
  useChartWidth,
  XLabel,
  type ChartProps,
} from './chart-parts';

const PAD = { top: 12, right: 12, bottom: 28, left: 36 };

export function LineChart({ title, series, data }: ChartProps) {
  const [figureRef, width] = useChartWidth();
  const scale = chartScale({ series, data }, PAD, width);
  const { plotW, y } = scale;
  const x = (i: number) => PAD.left + (data.length <= 1 ? plotW / 2 : (i / (data.length - 1)) * plotW);
  const every = labelEvery(data.length, labelRoom(plotW));
  return (
    <ChartFrame title={title} series={series} data={data} scale={scale} figureRef={figureRef}>
      {data.map((d, i) =>
        i % every === 0 ? <XLabel key={d.label} x={x(i)} label={d.label} scale={scale} /> : null,
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
    </ChartFrame>
  );
}
