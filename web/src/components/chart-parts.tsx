// What the small SVG charts have in common: the drawing's size, a value axis from 0 to a rounded
// maximum, the gridlines and x labels on it, the legend, and a data table that screen readers get
// instead of the drawing. Each chart only draws its marks (bars, lines) on that scale.
import { useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';

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
  /** The drawing's size in SVG units, which are CSS pixels: the chart is drawn at its real width. */
  width: number;
  height: number;
  pad: ChartPadding;
  plotW: number;
  plotH: number;
  /** The top of the value axis. */
  max: number;
  /** Where a value sits, in SVG units from the top. */
  y: (value: number) => number;
}

// The width drawn before the container is measured (and the proportions a wide chart keeps).
// The drawing is not scaled to its container: a 640-unit drawing on a 390 px phone shrank its
// 11 px labels to about 6 px. It is drawn at the container's width instead, text at its own size.
const DEFAULT_WIDTH = 640;
const ASPECT = 220 / 640;
const MIN_HEIGHT = 180;
const MAX_HEIGHT = 300;

/** The height of a chart drawn `width` CSS pixels wide. */
export function chartHeight(width: number): number {
  return Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, width * ASPECT)));
}

/** A ref for the chart's figure and its width in CSS pixels, followed as the layout changes. */
export function useChartWidth(): [RefObject<HTMLElement | null>, number] {
  const ref = useRef<HTMLElement | null>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const w = Math.round(el.getBoundingClientRect().width);
      if (w > 0) setWidth(w);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/**
 * The top of the value axis: a round count at or above `max`, whose half is a whole count too (the
 * middle gridline is labelled with it: a top of 5 put that line at 2.5 and labelled it "3").
 */
export function niceMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const top = step * magnitude;
    if (top >= max && Number.isInteger(top / 2)) return top;
  }
  return 10 * magnitude;
}

/** The value axis for every value the chart shows, inside the drawing less `pad`. */
export function chartScale(
  { series, data }: Omit<ChartProps, 'title'>,
  pad: ChartPadding,
  width = DEFAULT_WIDTH,
): ChartScale {
  const max = niceMax(Math.max(0, ...data.flatMap((d) => series.map((s) => d.values[s.key] ?? 0))));
  const height = chartHeight(width);
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  return { width, height, pad, plotW, plotH, max, y: (v) => pad.top + plotH - (v / max) * plotH };
}

/** Which x labels to print so they never overlap: about `room` of them, evenly spread. */
export function labelEvery(count: number, room: number): number {
  return Math.max(1, Math.ceil(count / room));
}

/** How many x labels fit side by side along `plotW` pixels (a date label is about 40 px at 11 px). */
export function labelRoom(plotW: number): number {
  return Math.max(2, Math.min(8, Math.floor(plotW / 64)));
}

/** An x label under the plot, centred on `x`. */
export function XLabel({ x, label, scale }: { x: number; label: string; scale: ChartScale }) {
  return (
    <text x={x} y={scale.height - 8} textAnchor="middle" className="chart-axis">
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
  figureRef,
  children,
}: ChartProps & { scale: ChartScale; figureRef: RefObject<HTMLElement | null>; children: ReactNode }) {
  const { width, height, pad, max, y } = scale;
  return (
    <figure className="chart" ref={figureRef}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} className="chart-svg">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={pad.left}
              x2={width - pad.right}
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
