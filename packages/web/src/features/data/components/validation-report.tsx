import type { WireValidationResult } from '@capstan/api';
import { Badge } from '../../../components/page';
import { formatCount, formatDuration, formatTime, formatValue } from '../../../lib/format';

function observedText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return formatValue(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** One stored validation result: the verdict, the statistics and every check with its failing rows. */
export function ValidationReport({ result: r }: { result: WireValidationResult }) {
  return (
    <section className={`report ${r.success ? 'report-ok' : 'report-bad'}`} aria-label={`Validation ${r.suite}`} data-suite={r.suite}>
      <header className="report-head">
        <Badge value={r.success ? 'passed' : 'failed'} />
        <strong>{r.suite || 'suite'}</strong>
        <span className="muted small">{formatTime(r.startTime)} · {formatCount(r.rowCount)} rows · {formatDuration(r.durationMs)} · {r.statistics.successful} of {r.statistics.evaluated} checks passed</span>
      </header>
      <table className="table" aria-label={`Checks of ${r.suite}`}>
        <thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col" className="num">Rows</th><th scope="col" className="num">Failing</th><th scope="col">Observed</th></tr></thead>
        <tbody>
          {r.results.map((c, i) => (
            <tr key={i} className={c.success ? undefined : 'row-bad'}>
              <td className="mono small">{c.title}
                {c.error ? <div className="field-error">{c.error}</div> : null}
                {c.details ? <div className="muted small">{c.details}</div> : null}
                {c.sample && c.sample.length ? (
                  <details className="sample">
                    <summary>{c.sample.length} failing row{c.sample.length === 1 ? '' : 's'}</summary>
                    <pre className="preview-text">{c.sample.map((s) => JSON.stringify(s)).join('\n')}</pre>
                  </details>
                ) : null}
              </td>
              <td><Badge value={c.success ? 'passed' : 'failed'} /></td>
              <td className="num">{c.elementCount === undefined ? '' : formatCount(c.elementCount)}</td>
              <td className="num">{c.unexpectedCount === undefined ? '' : `${formatCount(c.unexpectedCount)}${c.unexpectedShare !== undefined ? ` (${(c.unexpectedShare * 100).toFixed(1)}%)` : ''}`}</td>
              <td className="mono small wrap">{observedText(c.observed)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
