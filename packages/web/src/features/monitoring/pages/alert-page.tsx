import { Badge, PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { formatCount, formatTime, formatValue } from '../../../lib/format';
import { link, seg } from '../../../lib/router';
import { useAsync, useTitle } from '../../../lib/use-async';
import { monitor } from '../api';

const SYMBOL: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤' };

/** `/alerts/:id`: one alert with its evidence: the window, the value against the threshold, the drifted columns. */
export function AlertPage({ id }: { id: string }) {
  useTitle('Alert');
  const [state, reload] = useAsync((signal) => monitor.alert(id, signal), [id]);
  const crumbs = [{ label: 'Monitoring', href: link('/monitoring') }];
  if (state.status === 'error' && !state.data) return <div className="page"><PageHeader crumbs={crumbs} title="Alert" /><ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  if (!state.data) return <div className="page"><PageHeader crumbs={crumbs} title="Alert" subtitle={'\u00a0'} /><Loading label="Loading alert…" height={360} /></div>;
  const a = state.data;
  const e = a.evidence;
  return (
    <div className="page">
      <PageHeader
        crumbs={[...crumbs, { label: a.deployment, href: link(`/monitoring/${seg(a.deployment)}`) }]}
        title={<><Badge value={a.severity} kind={`severity-${a.severity}`} /> {a.metric}{e.column ? `(${e.column})` : ''} on {a.deployment}</>}
        subtitle={<span className="muted">{a.summary} · fired {formatTime(a.time)} · rule {a.ruleId.slice(0, 8)}</span>}
        actions={<a className="button" href={link(`/monitoring/${seg(a.deployment)}`, { until: String(e.until), ...(e.driftedColumns[0] ? { feature: e.driftedColumns[0].column } : {}) })}>Open monitor at this time</a>}
      />
      <Section title="Evidence" id="evidence">
        <dl className="fields">
          <div className="field"><dt>Condition</dt><dd className="mono">{a.metric}{e.column ? `(${e.column})` : ''} = {formatValue(a.value)} {SYMBOL[a.comparison] ?? a.comparison} {formatValue(a.threshold)}</dd></div>
          <div className="field"><dt>Window</dt><dd>{formatTime(e.since)} – {formatTime(e.until)}</dd></div>
          <div className="field"><dt>Rows</dt><dd>{formatCount(e.rows)}{e.labeledRows !== undefined ? ` (${formatCount(e.labeledRows)} labelled)` : ''}</dd></div>
          {e.datasetDrift !== undefined ? <div className="field"><dt>Dataset drift</dt><dd>{e.datasetDrift ? 'yes' : 'no'}{e.mode ? ` (${e.mode} mode)` : ''}</dd></div> : null}
        </dl>
      </Section>
      <Section title={`Drifted columns (${e.driftedColumns.length})`} id="columns">
        {e.driftedColumns.length === 0 ? <Empty title="No column drifted in this window" height={60} /> : (
          <table className="table" aria-label="Drifted columns">
            <thead><tr><th scope="col">Column</th><th scope="col">Test</th><th scope="col" className="num">Score</th><th scope="col" className="num">Threshold</th><th scope="col"><span className="sr-only">Open</span></th></tr></thead>
            <tbody>{e.driftedColumns.map((c) => (
              <tr key={c.column}>
                <td className="mono">{c.column}</td><td>{c.stattest}</td><td className="num mono">{formatValue(c.score)}</td><td className="num mono">{formatValue(c.threshold)}</td>
                <td className="actions-cell"><a className="button small" href={link(`/monitoring/${seg(a.deployment)}`, { feature: c.column, until: String(e.until) })}>Distribution</a></td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
