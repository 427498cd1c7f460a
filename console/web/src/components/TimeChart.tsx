import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useElementWidth } from '../hooks';

export const PALETTE = [
  '#2f6fdb',
  '#e8871e',
  '#3aa55d',
  '#c9342f',
  '#8a5cc7',
  '#1f9eaa',
  '#d0589a',
  '#7f8b14',
  '#a0632a',
  '#4d5b6b',
  '#5ba3f0',
  '#f2b261',
  '#7bc98f',
  '#e58a86',
  '#b79be0',
];
export const TOTAL_COLOR = '#55606e';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color?: string;
  /** Dashed line without fill (totals, references). */
  line?: boolean;
  /** What the legend shows when the cursor is off the chart (a total, an average). */
  summary?: string;
}

interface Props {
  /** Unix seconds. */
  x: number[];
  series: ChartSeries[];
  /** Stack the non-line series (areas). */
  stacked?: boolean;
  height?: number;
  format: (v: number) => string;
  testId?: string;
  /** Label of the chart for assistive technology. */
  title: string;
}

function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

/** TimeChart draws time series with uPlot, with its own legend (values at the cursor). */
export function TimeChart({ x, series, stacked, height = 170, format, testId, title }: Props) {
  const [wref, width] = useElementWidth<HTMLDivElement>();
  const host = useRef<HTMLDivElement>(null);
  const [idx, setIdx] = useState<number | null>(null);

  let n = 0;
  const colored = series.map((s) => ({ ...s, color: s.color ?? (s.line ? TOTAL_COLOR : PALETTE[n++ % PALETTE.length]) }));

  useEffect(() => {
    if (!width || !host.current || !x.length) return;
    const areas = colored.filter((s) => !s.line);
    const lines = colored.filter((s) => s.line);
    // Stacking: cumulative sums, drawn from the top layer down so each smaller one paints over.
    let drawn: { s: ChartSeries; data: (number | null)[] }[];
    if (stacked) {
      const cum: (number | null)[][] = [];
      areas.forEach((s, i) => {
        cum.push(s.values.map((v, j) => (v ?? 0) + (i ? (cum[i - 1][j] ?? 0) : 0)));
      });
      drawn = areas.map((s, i) => ({ s, data: cum[i] })).reverse();
    } else {
      drawn = areas.map((s) => ({ s, data: s.values }));
    }
    drawn.push(...lines.map((s) => ({ s, data: s.values })));
    const opts: uPlot.Options = {
      width,
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 5 } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] } },
      axes: [
        { stroke: '#5b6470', grid: { stroke: '#eceff3' }, ticks: { stroke: '#d5dae1' }, font: '11px system-ui, sans-serif' },
        {
          stroke: '#5b6470',
          grid: { stroke: '#eceff3' },
          ticks: { stroke: '#d5dae1' },
          size: (_u, values) => 18 + 7 * Math.max(5, ...(values ?? []).map((v) => String(v).length)),
          font: '11px system-ui, sans-serif',
          values: (_u, splits) => splits.map((v) => format(v)),
        },
      ],
      series: [
        {},
        ...drawn.map(({ s }) => ({
          label: s.label,
          stroke: s.color,
          width: s.line ? 1.5 : 1,
          dash: s.line ? [5, 4] : undefined,
          fill: s.line || !stacked ? undefined : alpha(s.color!, 0.75),
          points: { show: false },
          spanGaps: !stacked,
        })),
      ],
      hooks: {
        setCursor: [(u) => setIdx(u.cursor.idx ?? null)],
      },
    };
    const plot = new uPlot(opts, [x, ...drawn.map((d) => d.data)] as uPlot.AlignedData, host.current);
    return () => plot.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [width, x, series, stacked, height]);

  const at = idx !== null && idx >= 0 && idx < x.length ? idx : null;
  return (
    <div class="chart" data-testid={testId} data-series={series.filter((s) => !s.line).length} role="group" aria-label={title}>
      <div ref={wref} class="chart-plot">
        <div ref={host} />
      </div>
      <ul class="legend">
        {at !== null && <li class="legend-time">{new Date(x[at] * 1000).toLocaleTimeString()}</li>}
        {colored.map((s) => {
          const v = at !== null ? s.values[at] : null;
          return (
            <li key={s.label} title={s.label}>
              <span class={s.line ? 'swatch swatch-line' : 'swatch'} style={{ background: s.line ? undefined : s.color, borderColor: s.color }} />
              <span class="legend-label">{s.label}</span>
              <span class="legend-value">{at !== null ? (v === null || v === undefined ? '—' : format(v)) : s.summary ?? ''}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** timeAxis: every step from the window's first aligned step to its end (the server aligns steps to the epoch). */
export function timeAxis(start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

/** alignValues puts series points on the axis (nearest step); missing steps get fill (0 for counters, null for latencies). */
export function alignValues(axis: number[], points: [number, number][], fill: number | null): (number | null)[] {
  const out: (number | null)[] = axis.map(() => fill);
  if (!axis.length) return out;
  const step = axis.length > 1 ? axis[1] - axis[0] : 1;
  for (const [t, v] of points) {
    const i = Math.round((t - axis[0]) / step);
    if (i >= 0 && i < out.length) out[i] = v;
  }
  return out;
}
