import type { WireColumnProfile } from '@capstan/api';
import { Histogram, TopBars } from '../../../components/bars';
import { formatCount, formatValue } from '../../../lib/format';

/** One column's profile as a card: type, counts, null share, and a histogram or top values. */
export function ColumnProfileCard({ column: c }: { column: WireColumnProfile }) {
  const nullPct = c.nullShare * 100;
  return (
    <article className="profile-card" data-column={c.name} aria-label={`Column ${c.name}`}>
      <header className="profile-head">
        <h3 className="mono truncate" title={c.name}>{c.name}</h3>
        <span className="badge">{c.type}</span>
      </header>
      <div className="null-share" title={`${formatCount(c.nullCount)} of ${formatCount(c.count)} values are null`}>
        <span className="small muted">Nulls</span>
        <span className="null-bar" role="meter" aria-label={`Null share of ${c.name}`} aria-valuenow={Number(nullPct.toFixed(2))} aria-valuemin={0} aria-valuemax={100}>
          <span style={{ width: `${Math.min(100, nullPct)}%` }} />
        </span>
        <span className={`small mono ${c.nullShare > 0 ? 'warn-text' : 'muted'}`}>{nullPct.toFixed(nullPct > 0 && nullPct < 1 ? 2 : 1)}%</span>
      </div>
      <dl className="profile-stats">
        <div><dt>Distinct</dt><dd>{formatCount(c.distinct)}</dd></div>
        {c.min !== undefined ? <div><dt>Min</dt><dd>{formatValue(c.min)}</dd></div> : null}
        {c.max !== undefined ? <div><dt>Max</dt><dd>{formatValue(c.max)}</dd></div> : null}
        {c.mean !== undefined ? <div><dt>Mean</dt><dd>{formatValue(c.mean)}</dd></div> : null}
        {c.std !== undefined ? <div><dt>Std</dt><dd>{formatValue(c.std)}</dd></div> : null}
        {c.meanLength !== undefined ? <div><dt>Length</dt><dd>{c.minLength}–{c.maxLength}</dd></div> : null}
      </dl>
      <div className="profile-chart">
        {c.histogram && c.histogram.counts.length ? <Histogram edges={c.histogram.edges} counts={c.histogram.counts} label={`Histogram of ${c.name}`} height={90} />
          : c.topValues && c.topValues.length ? <TopBars rows={c.topValues.slice(0, 6)} total={c.count - c.nullCount} label={`Top values of ${c.name}`} />
          : <p className="muted small">No distribution for this type.</p>}
      </div>
    </article>
  );
}
