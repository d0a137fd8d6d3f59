import { formatCount, formatValue } from '../lib/format';

/** A histogram as SVG bars: `edges` has one more entry than `counts`. */
export function Histogram({ edges, counts, label, height = 120, color = 'var(--accent)', compare }: {
  edges: number[];
  counts: number[];
  label: string;
  height?: number;
  color?: string;
  /** A second series on the same bins (drawn as an outline), e.g. a reference distribution. */
  compare?: { counts: number[]; color: string; label: string };
}) {
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  const totalB = compare ? compare.counts.reduce((a, b) => a + b, 0) || 1 : 1;
  const shares = counts.map((c) => c / total);
  const sharesB = compare ? compare.counts.map((c) => c / totalB) : [];
  const max = Math.max(1e-9, ...shares, ...sharesB);
  const n = counts.length;
  const w = 100 / Math.max(1, n);
  return (
    <figure className="histogram" aria-label={label}>
      <svg viewBox={`0 0 100 ${height}`} preserveAspectRatio="none" width="100%" height={height} role="img" aria-label={label}>
        {shares.map((s, i) => {
          const h = (s / max) * (height - 2);
          return (
            <rect key={i} x={i * w + 0.1} y={height - h} width={Math.max(0.1, w - 0.2)} height={h} fill={color} opacity={compare ? 0.55 : 0.85}>
              <title>{`${formatValue(edges[i])} – ${formatValue(edges[i + 1])}: ${formatCount(counts[i] ?? 0)}`}</title>
            </rect>
          );
        })}
        {compare ? sharesB.map((s, i) => {
          const h = (s / max) * (height - 2);
          return <rect key={`b${i}`} className="hist-outline" x={i * w + 0.1} y={height - h} width={Math.max(0.1, w - 0.2)} height={h} fill="none" stroke={compare.color} strokeWidth={1.5} vectorEffect="non-scaling-stroke"><title>{`${compare.label} ${formatValue(edges[i])} – ${formatValue(edges[i + 1])}: ${formatCount(compare.counts[i] ?? 0)}`}</title></rect>;
        }) : null}
      </svg>
      <figcaption className="hist-axis mono small muted">
        <span>{formatValue(edges[0])}</span>
        <span>{formatValue(edges[edges.length - 1])}</span>
      </figcaption>
    </figure>
  );
}

/** Horizontal bars of counts (top values, categories). */
export function TopBars({ rows, total, label, color = 'var(--accent)', compare }: {
  rows: { value: string; count: number }[];
  total: number;
  label: string;
  color?: string;
  compare?: { rows: { value: string; count: number }[]; total: number; color: string; label: string };
}) {
  const other = new Map((compare?.rows ?? []).map((r) => [r.value, r.count]));
  const max = Math.max(1e-9, ...rows.map((r) => r.count / (total || 1)), ...(compare?.rows ?? []).map((r) => r.count / (compare!.total || 1)));
  return (
    <table className="topbars" aria-label={label}>
      <tbody>
        {rows.map((r) => {
          const share = r.count / (total || 1);
          const b = compare ? (other.get(r.value) ?? 0) / (compare.total || 1) : undefined;
          return (
            <tr key={r.value}>
              <th scope="row" className="mono truncate" title={r.value}>{r.value === '' ? <span className="muted">(empty)</span> : r.value}</th>
              <td className="topbar-cell">
                <span className="topbar-bar" style={{ width: `${(share / max) * 100}%`, background: color }} />
                {b !== undefined ? <span className="topbar-bar topbar-compare" style={{ width: `${(b / max) * 100}%`, borderColor: compare!.color }} /> : null}
              </td>
              <td className="num mono small">{(share * 100).toFixed(1)}%{b !== undefined ? <span className="muted"> / {(b * 100).toFixed(1)}%</span> : null}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
