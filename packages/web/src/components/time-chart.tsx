import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar, useTheme } from '../lib/theme';
import { useWidth } from '../lib/use-async';

/** One line of a {@link TimeChart}: a value per shared time (null where absent). */
export interface TimeSeries {
  label: string;
  color: string;
  values: (number | null)[];
  dash?: number[];
}

/**
 * A uPlot line chart over time. `times` are ms since the epoch, shared by every series. The
 * container carries `data-rendered` once drawn and `data-points` (non-null values drawn).
 */
export function TimeChart({ title, times, series, unit, height = 200, yMin }: { title: string; times: number[]; series: TimeSeries[]; unit?: string; height?: number; yMin?: number }) {
  const [box, width] = useWidth<HTMLDivElement>();
  const plot = useRef<uPlot | null>(null);
  const theme = useTheme();

  useEffect(() => {
    const el = box.current;
    if (!el || width === 0) return;
    const data: uPlot.AlignedData = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
    const axis = cssVar('--fg-muted');
    const grid = cssVar('--grid');
    const font = `11px ${cssVar('--font-mono') || 'monospace'}`;
    const points = series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
    const chart = new uPlot({
      width,
      height,
      scales: { x: { time: true }, y: yMin === undefined ? {} : { range: (_u, min, max) => [Math.min(yMin, min), max > yMin ? max : yMin + 1] } },
      cursor: { drag: { x: true, y: false } },
      legend: { show: true, live: true },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font, size: 60, ...(unit ? { label: unit, labelFont: font, labelSize: 16 } : {}) },
      ],
      series: [
        { label: 'time' },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.6, spanGaps: false, ...(s.dash ? { dash: s.dash } : {}), points: { show: s.values.filter((v) => v !== null).length < 40, size: 5 } })),
      ],
      hooks: {
        draw: [() => {
          el.dataset.rendered = 'true';
          el.dataset.points = String(points);
        }],
      },
    }, data, el);
    plot.current = chart;
    return () => {
      chart.destroy();
      plot.current = null;
    };
  }, [times, series, theme, height, unit, yMin, width === 0]);

  useEffect(() => {
    if (plot.current && width > 0 && plot.current.width !== width) plot.current.setSize({ width, height });
  }, [width, height]);

  return <div ref={box} className="chart" data-chart={title} aria-label={`Chart of ${title}`} role="group" style={{ minHeight: height + 40 }} />;
}
