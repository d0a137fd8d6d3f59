import { useMemo, useState } from 'react';
import type { WireDeployment, WireDeploymentChange, WireTimelinePoint, WireVersionStatus } from '@capstan/api';
import { Dialog } from '../../../components/dialog';
import { Badge, PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { TimeChart, type TimeSeries } from '../../../components/time-chart';
import { problemOf, serving, type Problem } from '../../../lib/api';
import { formatAgo, formatCount, formatDuration, formatTime, formatValue } from '../../../lib/format';
import { link, seg, setQuery, useRoute } from '../../../lib/router';
import { colorAt } from '../../../lib/theme';
import { useTitle } from '../../../lib/use-async';
import { usePoll } from '../../../lib/use-poll';
import { TrafficBar } from '../components/traffic-bar';
import { describeSpec, formatWeight, versionKey } from '../traffic';

/** Chart windows offered, by URL value. */
const WINDOWS: Record<string, number> = { '5m': 5 * 60_000, '15m': 15 * 60_000, '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000 };
const BUCKETS = 60;
const POLL_MS = 5000;

async function loadDeployment(name: string, signal: AbortSignal) {
  const [{ deployment, status }, history] = await Promise.all([serving.get(name, { signal }), serving.history(name, 200, { signal })]);
  return { deployment, status, history };
}

/** A stable colour per `model/version` across the bar, the legend and the charts. */
function colorsOf(d: WireDeployment, history: WireDeploymentChange[], points: WireTimelinePoint[]): Map<string, string> {
  const keys: string[] = [];
  const add = (k: string) => { if (!keys.includes(k)) keys.push(k); };
  for (const v of d.spec.variants) add(versionKey(v));
  if (d.spec.shadow) add(versionKey(d.spec.shadow));
  if (d.spec.canary) { add(versionKey(d.spec.canary.stable)); add(versionKey(d.spec.canary.candidate)); }
  for (const p of points) add(p.version.includes('/') ? p.version : `${d.spec.variants[0]?.model ?? ''}/v${p.version}`);
  for (const h of history) for (const v of h.spec.variants) add(versionKey(v));
  return new Map(keys.sort().map((k, i) => [k, colorAt(i)]));
}

/** `/deployments/:name`: traffic split, live charts, canary progress, history, rollback and promote. */
export function DeploymentPage({ name }: { name: string }) {
  useTitle(name);
  const { query } = useRoute();
  const windowKey = query.get('window') && WINDOWS[query.get('window')!] ? query.get('window')! : '15m';
  const [state, reload] = usePoll((signal) => loadDeployment(name, signal), [name], POLL_MS);
  const [timeline, reloadTimeline] = usePoll((signal) => {
    const until = Date.now();
    return serving.timeline(name, { since: until - WINDOWS[windowKey]!, until, buckets: BUCKETS }, { signal }).then((t) => ({ ...t, since: until - WINDOWS[windowKey]!, until }));
  }, [name, windowKey], POLL_MS);
  const [dialog, setDialog] = useState<'rollback' | 'promote' | null>(null);
  const [message, setMessage] = useState('');
  const crumbs = [{ label: 'Deployments', href: link('/deployments') }];

  const points = timeline.data?.points ?? [];
  const colors = useMemo(() => state.data ? colorsOf(state.data.deployment, state.data.history, points) : new Map<string, string>(), [state.data, points]);

  if (state.status === 'error' && !state.data) return <div className="page"><PageHeader crumbs={crumbs} title={name} /><ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  if (!state.data) return <div className="page"><PageHeader crumbs={crumbs} title={name} subtitle={'\u00a0'} /><Loading label="Loading deployment…" height={480} /></div>;

  const { deployment: d, status, history } = state.data;
  const canary = d.spec.canary;
  const running = canary?.status === 'running';
  const previous = history.find((h) => h.revision < d.revision && JSON.stringify(h.spec.variants) !== JSON.stringify(d.spec.variants));
  const model = d.spec.variants[0]?.model ?? '';

  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={d.name}
        subtitle={<span className="muted">Revision {d.revision} · updated {formatAgo(d.updatedAt)}{d.createdBy ? ` · created by ${d.createdBy}` : ''} · <code>POST /v2/models/{d.name}/infer</code></span>}
        actions={
          <>
            {running ? <button type="button" className="button primary" onClick={() => setDialog('promote')}>Promote canary…</button> : null}
            <button type="button" className="button" onClick={() => setDialog('rollback')} disabled={!running && !previous} title={!running && !previous ? 'No earlier revision serves something else' : undefined}>Roll back…</button>
          </>
        }
      />
      {message ? <div className="notice notice-ok" role="status">{message}</div> : null}
      {state.status === 'error' ? <div className="notice" role="alert">Could not refresh: {state.problem.message}</div> : null}

      <Section title="Traffic split" id="traffic">
        <TrafficBar spec={d.spec} colors={colors} />
        <StatusTable status={status} colors={colors} />
      </Section>

      {canary ? (
        <Section title="Canary" id="canary" actions={<Badge value={canary.status.replace('_', ' ')} kind={`canary-${canary.status}`} />}>
          <CanaryProgress deployment={d} />
        </Section>
      ) : null}

      <Section
        title="Live traffic"
        id="live"
        actions={
          <label className="check small">
            <span className="muted">Window</span>
            <select className="input" value={windowKey} onChange={(e) => setQuery({ window: e.target.value === '15m' ? null : e.target.value }, { replace: true })} aria-label="Chart window">
              {Object.keys(WINDOWS).map((k) => <option key={k} value={k}>last {k}</option>)}
            </select>
          </label>
        }
      >
        <TimelineCharts state={timeline} colors={colors} model={model} retry={reloadTimeline} />
      </Section>

      <Section title={`History (${history.length})`} id="history">
        <HistoryTable history={history} current={d.revision} />
      </Section>

      <RollbackDialog
        open={dialog === 'rollback'}
        deployment={d}
        previous={previous}
        onClose={() => setDialog(null)}
        onDone={(text) => { setDialog(null); setMessage(text); reload(); }}
      />
      <PromoteDialog
        open={dialog === 'promote'}
        deployment={d}
        onClose={() => setDialog(null)}
        onDone={(text) => { setDialog(null); setMessage(text); reload(); }}
      />
    </div>
  );
}

function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

function StatusTable({ status, colors }: { status: WireVersionStatus[] | null; colors: Map<string, string> }) {
  if (!status) return <p className="muted small">This server has not loaded the deployment yet, so there are no live numbers.</p>;
  return (
    <table className="table" aria-label="Versions serving">
      <thead>
        <tr><th scope="col">Version</th><th scope="col" className="num">Weight</th><th scope="col" className="num">Requests</th><th scope="col" className="num">Errors</th><th scope="col" className="num">p99</th><th scope="col" className="num">Queued</th><th scope="col" className="num">In flight</th></tr>
      </thead>
      <tbody>
        {status.map((s) => (
          <tr key={`${versionKey(s)}${s.shadow ? '-shadow' : ''}`} data-version={s.version}>
            <td><span className="swatch" style={{ background: colors.get(versionKey(s)) }} /> <a href={link(`/models/${seg(s.model)}/versions/${s.version}`)}>{versionKey(s)}</a>{s.shadow ? <> <Badge value="shadow" /></> : null}</td>
            <td className="num">{s.shadow ? <span className="muted">copy</span> : formatWeight(s.weight)}</td>
            <td className="num">{formatCount(s.stats.requests)}</td>
            <td className="num">{formatCount(s.stats.errors)}</td>
            <td className="num">{s.stats.requests ? formatMs(s.stats.p99Ms) : '—'}</td>
            <td className="num">{s.queued}</td>
            <td className="num">{s.inFlight}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CanaryProgress({ deployment }: { deployment: WireDeployment }) {
  const c = deployment.spec.canary!;
  const candidate = deployment.spec.variants.find((v) => v.model === c.candidate.model && v.version === c.candidate.version);
  const elapsed = Date.now() - c.stepStartedAt;
  return (
    <div className="canary">
      <ol className="canary-steps" aria-label="Canary steps">
        {c.steps.map((w, i) => {
          const state = c.status === 'promoted' || i < c.step ? 'done' : i === c.step ? (c.status === 'running' ? 'current' : 'stopped') : 'todo';
          return <li key={i} className={`canary-step canary-${state}`} aria-current={state === 'current' ? 'step' : undefined}><span>{formatWeight(w)}</span><span className="small muted">step {i + 1}</span></li>;
        })}
      </ol>
      <dl className="fields">
        <div className="field"><dt>From → to</dt><dd>{versionKey(c.stable)} → <strong>{versionKey(c.candidate)}</strong></dd></div>
        <div className="field"><dt>Step</dt><dd>{c.status === 'running' ? `${Math.min(c.step + 1, c.steps.length)} of ${c.steps.length} · ${formatDuration(elapsed)} of ${formatDuration(c.stepSeconds * 1000)}` : c.status === 'promoted' ? `promoted (${c.steps.length} steps)` : `rolled back at step ${Math.min(c.step + 1, c.steps.length)} of ${c.steps.length}`}</dd></div>
        <div className="field"><dt>Candidate weight now</dt><dd>{candidate ? formatWeight(candidate.weight) : '0%'}</dd></div>
        <div className="field"><dt>Rolls back above</dt><dd>{formatValue(c.maxErrorRate * 100)}% errors or p99 {formatValue(c.maxP99Ms)} ms (after {c.minRequests} requests)</dd></div>
        {c.reason ? <div className="field"><dt>Reason</dt><dd className="wrap">{c.reason}</dd></div> : null}
      </dl>
    </div>
  );
}

interface TimelineData { bucketMs: number; points: WireTimelinePoint[]; since: number; until: number }

function TimelineCharts({ state, colors, model, retry }: { state: ReturnType<typeof usePoll<TimelineData>>[0]; colors: Map<string, string>; model: string; retry(): void }) {
  const charts = useMemo(() => {
    const t = state.data;
    if (!t) return null;
    const times: number[] = [];
    for (let at = t.since; at < t.until; at += t.bucketMs) times.push(at);
    const versions = [...new Set(t.points.map((p) => `${p.version}${p.shadow ? ' (shadow)' : ''}`))].sort();
    const index = new Map<string, WireTimelinePoint>();
    for (const p of t.points) index.set(`${p.version}${p.shadow ? ' (shadow)' : ''}@${Math.round((p.time - t.since) / t.bucketMs)}`, p);
    const colorOf = (v: string) => colors.get(v.replace(' (shadow)', '').includes('/') ? v : `${model}/v${v.replace(' (shadow)', '')}`) ?? colorAt(versions.indexOf(v));
    // no request in a bucket is a rate of 0 and no errors, but no latency at all
    const series = (pick: (p: WireTimelinePoint) => number | null, idle: number | null, dash?: number[], suffix = ''): TimeSeries[] => versions.map((v) => ({
      label: `v${v}${suffix}`,
      color: colorOf(v),
      ...(dash ? { dash } : {}),
      values: times.map((_, i) => { const p = index.get(`${v}@${i}`); return p ? pick(p) : idle; }),
    }));
    return {
      times,
      empty: t.points.length === 0,
      rate: series((p) => p.rate, 0),
      latency: [...series((p) => p.p50Ms, null, undefined, ' p50'), ...series((p) => p.p99Ms, null, [5, 4], ' p99')],
      errors: series((p) => p.errors, 0),
    };
  }, [state.data, colors, model]);
  if (state.status === 'error' && !state.data) return <ErrorState problem={state.problem} retry={retry} height={260} />;
  if (!charts) return <Loading label="Loading traffic…" height={260} />;
  return (
    <>
      {charts.empty ? <p className="muted small live-empty">No requests in this window yet; the charts fill in as predictions are logged (refreshed every {POLL_MS / 1000} s).</p> : <p className="muted small live-empty">Refreshed every {POLL_MS / 1000} s · drag to zoom, double-click to reset.</p>}
      <div className="chart-grid chart-grid-3">
        <div className="chart-card"><div className="chart-card-head"><span className="chart-card-title">Request rate</span><span className="muted small">req/s</span></div><TimeChart title="request rate" times={charts.times} series={charts.rate} yMin={0} /></div>
        <div className="chart-card"><div className="chart-card-head"><span className="chart-card-title">Latency p50 / p99</span><span className="muted small">ms</span></div><TimeChart title="latency" times={charts.times} series={charts.latency} yMin={0} /></div>
        <div className="chart-card"><div className="chart-card-head"><span className="chart-card-title">Errors</span><span className="muted small">per bucket</span></div><TimeChart title="errors" times={charts.times} series={charts.errors} yMin={0} /></div>
      </div>
    </>
  );
}

function HistoryTable({ history, current }: { history: WireDeploymentChange[]; current: number }) {
  if (history.length === 0) return <Empty title="No changes recorded" height={60} />;
  return (
    <div className="table-scroll history-scroll">
      <table className="table list-table" aria-label="Deployment history">
        <thead><tr><th scope="col" className="num">Revision</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Summary</th></tr></thead>
        <tbody>
          {history.map((h) => (
            <tr key={`${h.revision}-${h.time}`} data-revision={h.revision} className={h.revision === current ? 'current-row' : undefined}>
              <td className="num">{h.revision}{h.revision === current ? <span className="sr-only"> (current)</span> : null}</td>
              <td title={formatTime(h.time)}>{formatTime(h.time)}</td>
              <td>{h.user || <span className="muted">—</span>}</td>
              <td><Badge value={h.action.replaceAll('_', ' ')} kind={`action-${h.action}`} /></td>
              <td className="wrap">{h.summary}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RollbackDialog({ open, deployment: d, previous, onClose, onDone }: { open: boolean; deployment: WireDeployment; previous?: WireDeploymentChange; onClose(): void; onDone(text: string): void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const c = d.spec.canary;
  const canary = c?.status === 'running';
  const submit = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const next = await serving.rollback(d.name, reason.trim() || undefined);
      setReason('');
      onDone(`Rolled back: revision ${next.revision} serves ${describeSpec(next.spec)}.`);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={canary ? 'Roll back the canary' : `Roll back ${d.name}`}
      label="Roll back"
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="button" className="button danger" onClick={submit} disabled={busy || (!canary && !previous)} data-confirm="rollback">{busy ? 'Rolling back…' : 'Roll back'}</button>
        </>
      }
    >
      <p className="confirm-text">
        {canary ? (
          <>Stop the canary of <strong>{c.candidate.model}/v{c.candidate.version}</strong> and send all traffic to <strong>{versionKey(c.stable)}</strong>?</>
        ) : previous ? (
          <>Return <strong>{d.name}</strong> from <span className="mono">{describeSpec(d.spec)}</span> (revision {d.revision}) to what revision <strong>{previous.revision}</strong> served: <span className="mono">{describeSpec(previous.spec)}</span>? Requests switch without failing.</>
        ) : 'No earlier revision serves something else.'}
      </p>
      <label className="form-row">
        <span>Reason</span>
        <input className="input" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="optional, kept in the history" maxLength={1000} autoFocus />
      </label>
      {problem ? <div className="field-error" role="alert">{problem.message}</div> : null}
    </Dialog>
  );
}

function PromoteDialog({ open, deployment: d, onClose, onDone }: { open: boolean; deployment: WireDeployment; onClose(): void; onDone(text: string): void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const c = d.spec.canary;
  const submit = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const next = await serving.promote(d.name);
      onDone(`Promoted: revision ${next.revision} serves ${describeSpec(next.spec)}.`);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Promote the canary"
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="button" className="button primary" onClick={submit} disabled={busy || c?.status !== 'running'} data-confirm="promote">{busy ? 'Promoting…' : 'Promote'}</button>
        </>
      }
    >
      <p className="confirm-text">
        {c ? <>Skip the remaining steps and send all traffic of <strong>{d.name}</strong> to <strong>{versionKey(c.candidate)}</strong> now (instead of {versionKey(c.stable)})?</> : 'No canary is running.'}
      </p>
      {problem ? <div className="field-error" role="alert">{problem.message}</div> : null}
    </Dialog>
  );
}
