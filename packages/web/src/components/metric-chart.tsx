import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar, useTheme } from '../lib/theme';
import { useWidth } from '../lib/use-async';

/** One line of a {@link MetricChart}: values by step, sorted by step. */
export interface ChartSeries {
  label: string;
  color: string;
  steps: number[];
  values: (number | null)[];
}

/**
 * A uPlot line chart of one metric, one line per series, x = step. Drag to zoom, double-click to
 * reset. The container carries `data-rendered` once drawn and `data-points` (points drawn).
 */
export function MetricChart({ title, series, height = 220 }: { title: string; series: ChartSeries[]; height?: number }) {
  const [box, width] = useWidth<HTMLDivElement>();
  const plot = useRef<uPlot | null>(null);
  const theme = useTheme();

  useEffect(() => {
    const el = box.current;
    if (!el || width === 0) return;
    const data: uPlot.AlignedData = series.length === 1
      ? [series[0]!.steps, series[0]!.values]
      : uPlot.join(series.map((s) => [s.steps, s.values] as uPlot.AlignedData));
    const axis = cssVar('--fg-muted');
    const grid = cssVar('--grid');
    const font = `11px ${cssVar('--font-mono') || 'monospace'}`;
    const points = series.reduce((n, s) => n + s.steps.length, 0);
    el.dataset.rendered = '';
    const chart = new uPlot({
      width,
      height,
      scales: { x: { time: false } },
      cursor: { drag: { x: true, y: false } },
      legend: { show: true, live: true },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font, label: 'step', labelFont: font, labelSize: 18 },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font, size: 64 },
      ],
      series: [
        { label: 'step' },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, points: { show: points < 60, size: 4 } })),
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
    // width is applied by setSize below; a resize does not rebuild the chart
  }, [series, theme, height, width === 0]);

  useEffect(() => {
    if (plot.current && width > 0 && plot.current.width !== width) plot.current.setSize({ width, height });
  }, [width, height]);

  return <div ref={box} className="chart" data-chart={title} aria-label={`Chart of ${title}`} role="group" />;
}
