// What the small SVG charts have in common: the drawing's size, a value axis from 0 to a rounded
// maximum, the gridlines and x labels on it, the legend, and a data table that screen readers get
// instead of the drawing. Each chart only draws its marks (bars, lines) on that scale.
import type { ReactNode } from 'react';

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

export interface ChartPoint {
  label: string;
  values: Record<string, number>;
}

export interface ChartProps {
  title: string;
  series: ChartSeries[];
  data: ChartPoint[];
}

export interface ChartPadding {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface ChartScale {
  pad: ChartPadding;
  plotW: number;
  plotH: number;
  /** The top of the value axis. */
  max: number;
  /** Where a value sits, in SVG units from the top. */
  y: (value: number) => number;
}

// SVG units, not pixels: the drawing scales to its container.
const WIDTH = 640;
const HEIGHT = 220;

export function niceMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

/** The value axis for every value the chart shows, inside the drawing less `pad`. */
export function chartScale({ series, data }: Omit<ChartProps, 'title'>, pad: ChartPadding): ChartScale {
  const max = niceMax(Math.max(0, ...data.flatMap((d) => series.map((s) => d.values[s.key] ?? 0))));
  const plotW = WIDTH - pad.left - pad.right;
  const plotH = HEIGHT - pad.top - pad.bottom;
  return { pad, plotW, plotH, max, y: (v) => pad.top + plotH - (v / max) * plotH };
}

/** Which x labels to print so they never overlap: about `room` of them, evenly spread. */
export function labelEvery(count: number, room: number): number {
  return Math.max(1, Math.ceil(count / room));
}

/** An x label under the plot, centred on `x`. */
export function XLabel({ x, label }: { x: number; label: string }) {
  return (
    <text x={x} y={HEIGHT - 8} textAnchor="middle" className="chart-axis">
      {label}
    </text>
  );
}

/** The figure a chart draws in: gridlines at 0, half and the top, then `children` (the marks). */
export function ChartFrame({
  title,
  series,
  data,
  scale,
  children,
}: ChartProps & { scale: ChartScale; children: ReactNode }) {
  const { pad, max, y } = scale;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} className="chart-svg">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={pad.left}
              x2={WIDTH - pad.right}
              y1={y(max * f)}
              y2={y(max * f)}
              className="chart-grid"
            />
            <text x={pad.left - 6} y={y(max * f) + 4} textAnchor="end" className="chart-axis">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {children}
      </svg>
      <ChartLegend series={series} />
      <ChartTable caption={title} series={series} data={data} />
    </figure>
  );
}

function ChartLegend({ series }: { series: ChartSeries[] }) {
  return (
    <ul className="chart-legend" aria-hidden="true">
      {series.map((s) => (
        <li key={s.key}>
          <span className="chart-swatch" style={{ background: s.color }} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

function ChartTable({
  caption,
  series,
  data,
}: {
  caption: string;
  series: ChartSeries[];
  data: ChartPoint[];
}) {
  return (
    <table className="visually-hidden">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col" />
          {series.map((s) => (
            <th key={s.key} scope="col">
              {s.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {data.map((d) => (
          <tr key={d.label}>
            <th scope="row">{d.label}</th>
            {series.map((s) => (
              <td key={s.key}>{d.values[s.key] ?? 0}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
