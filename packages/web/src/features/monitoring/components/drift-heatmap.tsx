import type { WireColumnDrift, WireDriftWindow } from '@capstan/api';
import { formatValue } from '../../../lib/format';

/** How strongly a column drifted, 0..1: p-value tests drift below the threshold, distances above it. */
export function severity(d: WireColumnDrift): number {
  const pValue = d.score <= 1 && d.threshold <= 0.2 && d.drift_detected === d.score < d.threshold;
  const ratio = pValue ? Math.log10(Math.max(d.threshold, 1e-300) / Math.max(d.score, 1e-300)) : d.score / Math.max(d.threshold, 1e-12) - 1;
  if (!d.drift_detected) return 0;
  return Math.max(0.25, Math.min(1, pValue ? 0.25 + ratio / 8 : 0.25 + ratio / 2));
}

/** A score in at most 5 characters: `0.96`, `0.004`, `2e-47`. */
function compact(score: number): string {
  if (score === 0) return '0';
  if (Math.abs(score) >= 100) return score.toPrecision(2).replace('+', '');
  if (Math.abs(score) >= 0.01) return String(Number(score.toPrecision(2)));
  const exp = Math.floor(Math.log10(Math.abs(score)));
  const mantissa = Math.round(Math.abs(score) / 10 ** exp);
  return `${score < 0 ? '-' : ''}${mantissa === 10 ? 1 : mantissa}e${mantissa === 10 ? exp + 1 : exp}`;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/**
 * Drift per feature (rows) and window (columns); a cell is red when the column drifted, darker
 * the further past its threshold, and grey when the window had no traffic. Cells are buttons:
 * picking one shows that feature's distributions.
 */
export function DriftHeatmap({ windows, features, selected, onSelect }: { windows: WireDriftWindow[]; features: string[]; selected?: { feature: string; window?: number }; onSelect(feature: string, window: number): void }) {
  const rows = [...features, '(prediction)'];
  return (
    <div className="heatmap-scroll">
      <table className="heatmap" aria-label="Drift per feature and window">
        <thead>
          <tr>
            <th scope="col" className="heatmap-corner">feature \ window</th>
            {windows.map((w) => (
              <th key={w.start} scope="col" className="heatmap-time" title={`${new Date(w.start).toLocaleString()} – ${new Date(w.end).toLocaleString()}: ${w.rows} rows`}>
                <span>{clock(w.start)}</span>
                {w.inputs?.dataset_drift ? <span className="heatmap-flag" aria-label="dataset drift">●</span> : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <tr key={f} data-feature={f}>
              <th scope="row" className="mono truncate" title={f}>{f}</th>
              {windows.map((w) => {
                const report = f === '(prediction)' ? w.predictions : w.inputs;
                const d = f === '(prediction)' ? Object.values(report?.columns ?? {})[0] : report?.columns[f];
                const isSel = selected?.feature === f && selected.window === w.start;
                if (!d) {
                  return <td key={w.start} className="heatmap-cell heatmap-empty" title={w.error ?? (w.rows ? 'skipped' : 'no traffic')}><span className="sr-only">{w.rows ? 'skipped' : 'no traffic'}</span></td>;
                }
                const s = severity(d);
                return (
                  <td key={w.start} className={`heatmap-cell${d.drift_detected ? ' heatmap-drift' : ''}${isSel ? ' heatmap-selected' : ''}`} data-window={w.start} data-drift={d.drift_detected ? 'yes' : 'no'} style={d.drift_detected ? { ['--sev' as string]: String(s) } : undefined}>
                    <button
                      type="button"
                      onClick={() => onSelect(f, w.start)}
                      title={`${f} at ${clock(w.start)}: ${d.stattest} ${formatValue(d.score)} (threshold ${formatValue(d.threshold)})${d.drift_detected ? ' — drifted' : ''}`}
                      aria-label={`${f} at ${clock(w.start)}: ${d.drift_detected ? 'drifted' : 'no drift'}, ${d.stattest} ${formatValue(d.score)}`}
                    >
                      {compact(d.score)}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
