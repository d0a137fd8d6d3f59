import { Histogram, TopBars } from '../../../components/bars';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { useAsync } from '../../../lib/use-async';
import { monitor } from '../api';

/**
 * A feature's distribution in the chosen window against the reference, from the server
 * (`GET /api/v1/monitors/{deployment}/distribution`): the reference side comes from its stored
 * profile, so references of every source are drawn. Numbers share one set of bins; categories show
 * their shares side by side.
 */
export function FeatureDistribution({ deployment, feature, current }: { deployment: string; feature: string; current: { since: number; until: number } }) {
  const [state, reload] = useAsync((signal) => monitor.distribution(deployment, feature, current, signal), [deployment, feature, current.since, current.until]);
  if (state.status === 'error' && !state.data) return <ErrorState problem={state.problem} retry={reload} height={180} />;
  if (!state.data) return <Loading label="Reading the distributions…" height={180} />;
  const d = state.data;
  const curValid = d.current.rows - d.current.missing;
  const refValid = d.reference.rows - d.reference.missing;
  if (curValid === 0) return <Empty title="No logged values of this feature in the window" height={180}>The reference has {refValid} values.</Empty>;
  const legend = (
    <ul className="legend">
      <li><span className="swatch" style={{ background: 'var(--accent)' }} />current ({curValid} values{d.current.missing ? `, ${d.current.missing} missing` : ''}{d.truncated ? ', first 200,000 requests' : ''})</li>
      <li><span className="swatch swatch-outline" />reference ({refValid} values{d.reference.missing ? `, ${d.reference.missing} missing` : ''})</li>
      {d.exact ? null : <li className="muted">from quantile sketches (approximate)</li>}
    </ul>
  );
  if (d.kind === 'num' && d.bins) {
    return (
      <div className="distribution" data-kind="numeric">
        <Histogram edges={d.bins.edges} counts={d.bins.current.map((s) => s * curValid)} label={`Distribution of ${feature}: current vs reference`} height={150} compare={{ counts: d.bins.reference.map((s) => s * curValid), color: 'var(--warn)', label: 'reference' }} />
        {legend}
      </div>
    );
  }
  const cats = d.categories!;
  const rows = (shares: number[], n: number) => cats.values.map((value, i) => ({ value, count: Math.round(shares[i]! * n) }));
  return (
    <div className="distribution" data-kind="categorical">
      <TopBars rows={rows(cats.current, curValid)} total={curValid} label={`Distribution of ${feature}: current vs reference`} compare={{ rows: rows(cats.reference, refValid), total: refValid, color: 'var(--warn)', label: 'reference' }} />
      {legend}
    </div>
  );
}
