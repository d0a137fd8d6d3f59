import { useMemo, useState } from 'react';
import { formatValue } from '../lib/format';
import { useWidth } from '../lib/use-async';

/** One line of the chart. */
export interface PcLine {
  id: string;
  label: string;
  color: string;
}

/** One vertical axis: numeric when every value is a number, categorical otherwise. */
export interface PcAxis {
  key: string;
  label: string;
  /** Value per line id; missing lines skip this axis. */
  values: ReadonlyMap<string, number | string>;
}

const PAD_X = 56;
const TOP = 44;
const BOTTOM = 28;

interface Scale {
  y(value: number | string): number | undefined;
  ticks: { y: number; text: string }[];
}

function scaleOf(axis: PcAxis, top: number, bottom: number): Scale {
  const values = [...axis.values.values()];
  const numeric = values.every((v) => typeof v === 'number' || (v !== '' && !Number.isNaN(Number(v))));
  if (numeric) {
    const nums = values.map(Number).filter(Number.isFinite);
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const span = max - min;
    const y = (v: number | string) => {
      const n = Number(v);
      if (!Number.isFinite(n)) return undefined;
      return span === 0 ? (top + bottom) / 2 : bottom - ((n - min) / span) * (bottom - top);
    };
    const ticks = span === 0 ? [{ y: (top + bottom) / 2, text: formatValue(min) }] : [{ y: bottom, text: formatValue(min) }, { y: top, text: formatValue(max) }];
    return { y, ticks };
  }
  const cats = [...new Set(values.map(String))].sort();
  const step = cats.length > 1 ? (bottom - top) / (cats.length - 1) : 0;
  const at = new Map(cats.map((c, i) => [c, cats.length > 1 ? bottom - i * step : (top + bottom) / 2]));
  const shown = cats.length <= 12 ? cats : cats.filter((_, i) => i % Math.ceil(cats.length / 12) === 0);
  return { y: (v) => at.get(String(v)), ticks: shown.map((c) => ({ y: at.get(c)!, text: c.length > 14 ? `${c.slice(0, 13)}…` : c })) };
}

/**
 * Parallel coordinates in plain SVG: one axis per param or metric, one polyline per run; hover or
 * focus a line to highlight it.
 */
export function ParallelCoordinates({ lines, axes, height = 320 }: { lines: PcLine[]; axes: PcAxis[]; height?: number }) {
  const [box, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<string | null>(null);
  const top = TOP;
  const bottom = height - BOTTOM;
  const scales = useMemo(() => axes.map((a) => scaleOf(a, top, bottom)), [axes, top, bottom]);
  const xs = axes.map((_, i) => (axes.length === 1 ? width / 2 : PAD_X + (i * (width - 2 * PAD_X)) / (axes.length - 1)));

  const paths = lines.map((line) => {
    let d = '';
    let pen = false;
    axes.forEach((axis, i) => {
      const v = axis.values.get(line.id);
      const y = v === undefined ? undefined : scales[i]!.y(v);
      if (y === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${xs[i]!.toFixed(1)},${y.toFixed(1)}`;
      pen = true;
    });
    return { line, d };
  });

  return (
    <div ref={box} className="pc" style={{ height }}>
      {width > 0 && axes.length > 0 ? (
        <svg width={width} height={height} role="img" aria-label={`Parallel coordinates of ${lines.length} runs over ${axes.length} axes`} data-lines={lines.length}>
          <g className="pc-lines">
            {paths.map(({ line, d }) => (
              <path
                key={line.id}
                d={d}
                stroke={line.color}
                className={`pc-line${hover === null ? '' : hover === line.id ? ' pc-hot' : ' pc-cold'}`}
                onMouseEnter={() => setHover(line.id)}
                onMouseLeave={() => setHover(null)}
              >
                <title>{line.label}</title>
              </path>
            ))}
          </g>
          {axes.map((axis, i) => (
            <g key={axis.key} className="pc-axis" transform={`translate(${xs[i]!.toFixed(1)},0)`}>
              <line y1={top} y2={bottom} />
              <text className="pc-axis-label" y={top - 22} textAnchor="middle">{axis.label.length > 18 ? `${axis.label.slice(0, 17)}…` : axis.label}<title>{axis.label}</title></text>
              {scales[i]!.ticks.map((t, j) => (
                <g key={j} transform={`translate(0,${t.y.toFixed(1)})`}>
                  <line x1={-4} x2={0} />
                  <text className="pc-tick" x={-7} dy="0.32em" textAnchor="end">{t.text}</text>
                </g>
              ))}
            </g>
          ))}
        </svg>
      ) : null}
      {hover ? <div className="pc-hover">{lines.find((l) => l.id === hover)?.label}</div> : null}
    </div>
  );
}
