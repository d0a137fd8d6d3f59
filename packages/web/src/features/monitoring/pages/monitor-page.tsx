import { useMemo } from 'react';
import { PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { TimeChart, type TimeSeries } from '../../../components/time-chart';
import { formatCount, formatDuration, formatTime, formatValue } from '../../../lib/format';
import { link, seg, setQuery, useRoute } from '../../../lib/router';
import { colorAt } from '../../../lib/theme';
import { useAsync, useTitle } from '../../../lib/use-async';
import { usePoll } from '../../../lib/use-poll';
import { monitor, type WireDriftWindow, type WirePerformanceWindow } from '../api';
import { AlertsTable } from '../components/alerts-table';
import { DriftHeatmap } from '../components/drift-heatmap';
import { FeatureDistribution } from '../components/distribution';

const WINDOW_CHOICES = [12, 24, 48, 96];

/** `/monitoring/:deployment?windows=&until=&feature=&at=`: drift heat map, a feature's distributions, performance with label arrival, alerts. */
export function MonitorPage({ deployment }: { deployment: string }) {
  useTitle(`${deployment} monitoring`);
  const { query } = useRoute();
  const count = WINDOW_CHOICES.includes(Number(query.get('windows'))) ? Number(query.get('windows')) : 24;
  const [info, reloadInfo] = useAsync((signal) => monitor.get(deployment, signal), [deployment]);
  const windowMs = info.data?.monitor.windowMs;
  const poll = Math.max(5000, Math.min(windowMs ?? 10_000, 60_000));
  const pinned = Number(query.get('until')) > 0 ? Number(query.get('until')) : undefined;
  const [series, reload] = usePoll(async (signal) => {
    const w = windowMs!;
    const until = pinned ? Math.ceil(pinned / w) * w : Math.floor(Date.now() / w) * w + w;
    const range = { since: until - count * w, until };
    const [drift, performance, alerts] = await Promise.all([monitor.drift(deployment, range, signal), monitor.performance(deployment, range, signal), monitor.alerts({ deployment, limit: 50 }, signal)]);
    return { drift, performance, alerts, range };
  }, [deployment, windowMs, count, pinned], poll, windowMs !== undefined && !pinned);
  const crumbs = [{ label: 'Monitoring', href: link('/monitoring') }];

  if (info.status === 'error' && !info.data) return <div className="page"><PageHeader crumbs={crumbs} title={deployment} /><ErrorState problem={info.problem} retry={reloadInfo} height={240} /></div>;
  if (!info.data) return <div className="page"><PageHeader crumbs={crumbs} title={deployment} subtitle={'\u00a0'} /><Loading label="Loading monitor…" height={480} /></div>;
  const { monitor: m, reference } = info.data;
  const features = reference?.features ?? [];
  const windows = series.data?.drift.windows ?? [];
  const feature = query.get('feature') && [...features, '(prediction)'].includes(query.get('feature')!) ? query.get('feature')! : undefined;
  const at = Number(query.get('at')) || undefined;
  const chosen = windows.find((w) => w.start === at);

  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={m.deployment}
        subtitle={<span className="muted">{m.task} · windows of {formatDuration(m.windowMs)} · <a href={link(`/deployments/${seg(m.deployment)}`)}>deployment</a>{reference ? <> · reference of {formatCount(reference.rows)} rows ({reference.source.startsWith('log:') ? 'from the prediction log' : reference.source}), {formatCount(reference.labeledRows)} labelled</> : ' · no reference yet'}</span>}
        actions={
          <>
          {pinned ? <a className="button" href={link(`/monitoring/${seg(m.deployment)}`, { windows: query.get('windows'), feature: query.get('feature') })} title={`Showing windows up to ${formatTime(pinned)}`}>Back to live</a> : null}
          <label className="check small">
            <span className="muted">Show</span>
            <select className="input" value={count} onChange={(e) => setQuery({ windows: e.target.value === '24' ? null : e.target.value }, { replace: true })} aria-label="Windows shown">
              {WINDOW_CHOICES.map((n) => <option key={n} value={n}>last {n} windows</option>)}
            </select>
          </label>
          </>
        }
      />
      {!reference ? <div className="notice">No reference yet: drift needs one. {m.referenceCapture ? <>Automatic capture {m.referenceCapture.status}: {m.referenceCapture.message}</> : null} Set one with <code>PUT /api/v1/monitors/{m.deployment}/reference</code>, or link the model's run to its training dataset (<code>capstan data link NAME@V RUN --context training</code>).</div> : null}
      {series.status === 'error' ? <ErrorState problem={series.problem} retry={reload} height={80} /> : null}

      <Section title="Drift per feature" id="drift" actions={<span className="muted small">{windows.filter((w) => w.inputs?.dataset_drift).length} of {windows.filter((w) => w.inputs).length} windows with dataset drift</span>}>
        {!series.data ? <Loading label="Computing drift…" height={200} /> : features.length === 0 ? <Empty title="No features to compare" height={120} /> : (
          <>
            <DriftHeatmap windows={windows} features={features} selected={feature ? { feature, ...(at ? { window: at } : {}) } : undefined} onSelect={(f, w) => setQuery({ feature: f, at: String(w) }, { replace: true })} />
            <ul className="legend"><li><span className="swatch heat-none" />no drift</li><li><span className="swatch heat-low" />drift</li><li><span className="swatch heat-high" />strong drift</li><li><span className="swatch heat-empty" />no traffic</li><li className="muted">numbers: the test's score (p-value or distance) · ● dataset drift</li></ul>
          </>
        )}
      </Section>

      <Section title={feature ? <>Distribution of <span className="mono">{feature}</span>{chosen ? ` at ${formatTime(chosen.start)}` : ''}</> : 'Distribution'} id="distribution">
        {!feature ? <Empty title="Pick a cell in the heat map" height={120}>It compares that feature in that window with the reference.</Empty>
          : feature === '(prediction)' ? <DriftScores windows={windows} feature={feature} />
          : (
            <div className="columns-2 distribution-grid">
              <FeatureDistribution deployment={m.deployment} feature={feature} current={chosen ? { since: chosen.start, until: chosen.end } : series.data?.range ?? { since: 0, until: 1 }} />
              <DriftScores windows={windows} feature={feature} />
            </div>
          )}
      </Section>

      <Section title="Performance" id="performance">
        {!series.data ? <Loading label="Computing performance…" height={240} /> : <Performance windows={series.data.performance.windows} task={m.task} reference={series.data.performance.reference?.metrics ?? null} />}
      </Section>

      <Section title="Alerts" id="alerts">
        {!series.data ? <Loading label="Loading alerts…" height={80} /> : <AlertsTable alerts={series.data.alerts} showDeployment={false} />}
      </Section>
    </div>
  );
}

function DriftScores({ windows, feature }: { windows: WireDriftWindow[]; feature: string }) {
  const data = useMemo(() => {
    const times = windows.map((w) => w.start);
    const pick = (w: WireDriftWindow) => feature === '(prediction)' ? Object.values(w.predictions?.columns ?? {})[0] : w.inputs?.columns[feature];
    const first = windows.map(pick).find((d) => d);
    const series: TimeSeries[] = [
      { label: first?.stattest ?? 'score', color: colorAt(0), values: windows.map((w) => pick(w)?.score ?? null) },
      { label: 'threshold', color: colorAt(9), dash: [4, 4], values: windows.map((w) => pick(w)?.threshold ?? null) },
    ];
    return { times, series, stattest: first?.stattest };
  }, [windows, feature]);
  return (
    <div className="chart-card">
      <div className="chart-card-head"><span className="chart-card-title">Drift score of {feature} per window</span><span className="muted small">{data.stattest}</span></div>
      <TimeChart title={`drift score ${feature}`} times={data.times} series={data.series} height={170} yMin={0} />
    </div>
  );
}

const CLASSIFICATION = ['accuracy', 'f1', 'roc_auc'];
const REGRESSION = ['rmse', 'mae', 'r2'];

function Performance({ windows, task, reference }: { windows: WirePerformanceWindow[]; task: 'classification' | 'regression'; reference: Record<string, number | null> | null }) {
  const data = useMemo(() => {
    const names = task === 'classification' ? CLASSIFICATION : REGRESSION;
    const times = windows.map((w) => w.start);
    const metrics: TimeSeries[] = names.flatMap((n, i) => [
      { label: n, color: colorAt(i), values: windows.map((w) => w.metrics[n] ?? null) },
      ...(task === 'classification' ? [{ label: `${n} (estimated)`, color: colorAt(i), dash: [3, 4], values: windows.map((w) => w.estimated[`estimated_${n}`] ?? null) }] : []),
    ]);
    const labels: TimeSeries[] = [
      { label: 'predictions', color: colorAt(8), values: windows.map((w) => w.rows || null) },
      { label: 'labelled', color: colorAt(2), values: windows.map((w) => w.rows ? w.labeledRows : null) },
    ];
    return { times, metrics, labels, any: windows.some((w) => w.labeledRows > 0) };
  }, [windows, task]);
  const rows = windows.reduce((n, w) => n + w.rows, 0);
  const labelled = windows.reduce((n, w) => n + w.labeledRows, 0);
  return (
    <>
      <p className="muted small live-empty">
        {rows ? `${formatCount(labelled)} of ${formatCount(rows)} predictions labelled (${((labelled / rows) * 100).toFixed(1)}%)` : 'No predictions in this range.'}
        {reference && Object.values(reference).some((v) => v !== null) ? ` · reference: ${Object.entries(reference).filter(([, v]) => v !== null).slice(0, 4).map(([k, v]) => `${k} ${formatValue(v!)}`).join(', ')}` : ''}
        {task === 'classification' ? ' · dashed: estimated without labels (CBPE)' : ''}
      </p>
      <div className="columns-2">
        <div className="chart-card"><div className="chart-card-head"><span className="chart-card-title">Metrics per window</span><span className="muted small">{data.any ? 'from labels' : 'no labels yet'}</span></div><TimeChart title="performance" times={data.times} series={data.metrics} height={200} /></div>
        <div className="chart-card"><div className="chart-card-head"><span className="chart-card-title">Label arrival</span><span className="muted small">predictions vs labelled rows</span></div><TimeChart title="label arrival" times={data.times} series={data.labels} height={200} yMin={0} /></div>
      </div>
    </>
  );
}
