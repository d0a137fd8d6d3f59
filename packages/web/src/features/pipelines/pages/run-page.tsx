import { useMemo, useState } from 'react';
import { TERMINAL_RUN_STATUSES } from '@capstan/client';
import { pipelines as routes, type PipelineSpec, type WireApproval, type WirePipelineRun, type WireStepExecution } from '@capstan/api';
import { Dialog } from '../../../components/dialog';
import { Badge, PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { pipelines, problemOf, type Problem } from '../../../lib/api';
import { formatBytes, formatDuration, formatTime } from '../../../lib/format';
import { link, seg, setQuery, useRoute } from '../../../lib/router';
import { useTitle } from '../../../lib/use-async';
import { usePoll } from '../../../lib/use-poll';
import { Dag, type DagNode } from '../components/dag';
import { StepLog } from '../components/step-log';
import { currentUser } from '../../../lib/identity';
import { kindOf, shortDigest, stepEdges, summarize, type StepSummary } from '../graph';

const POLL_MS = 1500;

async function load(runId: string, signal: AbortSignal) {
  const t = pipelines.transport;
  const { run } = await t.call(routes.getRun, { runId }, { signal });
  const [pipeline, approvals] = await Promise.all([
    t.call(routes.get, { name: run.pipeline }, { signal }).then((r) => r.pipeline, () => null),
    t.call(routes.listApprovals, { runId }, { signal }).then((r) => r.approvals, () => [] as WireApproval[]),
  ]);
  return { run, pipeline, approvals };
}

/** `/pipeline-runs/:id?step=`: the DAG with live step states, the chosen step's details and logs, approvals. */
export function PipelineRunPage({ runId }: { runId: string }) {
  useTitle(`Run ${runId.slice(0, 8)}`);
  const { query } = useRoute();
  const [live, setLive] = useState(true);
  const [state, reload] = usePoll(async (signal) => {
    const d = await load(runId, signal);
    setLive(!TERMINAL_RUN_STATUSES.includes(d.run.status));
    return d;
  }, [runId], POLL_MS, live);
  const [cancelOpen, setCancelOpen] = useState(false);
  const crumbs = [{ label: 'Pipelines', href: link('/pipelines') }];

  const view = useMemo(() => {
    if (!state.data) return null;
    const { run, pipeline } = state.data;
    const spec: PipelineSpec | null = pipeline?.spec ?? null;
    const byStep = new Map<string, WireStepExecution[]>();
    for (const e of run.steps ?? []) (byStep.get(e.step) ?? byStep.set(e.step, []).get(e.step)!).push(e);
    const names = [...(spec?.steps.map((s) => s.name) ?? [])];
    if (spec?.onExit) names.push(spec.onExit.name);
    for (const s of byStep.keys()) if (!names.includes(s)) names.push(s);
    const summaries = new Map<string, StepSummary>(names.map((n) => [n, summarize(byStep.get(n) ?? [])]));
    const kinds = new Map<string, string>([...(spec?.steps ?? []), ...(spec?.onExit ? [spec.onExit] : [])].map((s) => [s.name, kindOf(s)]));
    const edges: { from: string; to: string; dashed?: boolean }[] = spec ? stepEdges(spec) : [];
    if (spec?.onExit) {
      const sinks = spec.steps.map((s) => s.name).filter((n) => !edges.some((e) => e.from === n));
      for (const s of sinks) edges.push({ from: s, to: spec.onExit.name, dashed: true });
    }
    const nodes: DagNode[] = names.map((n) => {
      const s = summaries.get(n)!;
      const marks: string[] = [];
      if (s.cached) marks.push(s.nodes > 1 ? `${s.cached} cached` : 'cache hit');
      if (s.nodes > 1) marks.push(`${s.done}/${s.nodes}`);
      if (s.attempts > 1) marks.push(`attempt ${s.attempts}`);
      return { id: n, title: n, subtitle: `${kinds.get(n) ?? 'step'}${n === spec?.onExit?.name ? ' · on exit' : ''}`, state: s.state.toLowerCase(), marks };
    });
    return { run, spec, nodes, edges, summaries, sameDigest: pipeline?.digest === run.pipelineDigest };
  }, [state.data]);

  if (state.status === 'error' && !state.data) return <div className="page"><PageHeader crumbs={crumbs} title={`Run ${runId.slice(0, 8)}`} /><ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  if (!view || !state.data) return <div className="page"><PageHeader crumbs={crumbs} title={`Run ${runId.slice(0, 8)}`} subtitle={'\u00a0'} /><Loading label="Loading run…" height={480} /></div>;
  const { run } = view;
  const selected = query.get('step') && view.summaries.has(query.get('step')!) ? query.get('step')! : undefined;
  const pending = state.data.approvals.filter((a) => a.state === 'PENDING');
  const terminal = TERMINAL_RUN_STATUSES.includes(run.status);
  const duration = run.startedAt ? (run.endedAt ?? Date.now()) - run.startedAt : undefined;

  return (
    <div className="page">
      <PageHeader
        crumbs={[...crumbs, { label: run.pipeline, href: link(`/pipelines/${seg(run.pipeline)}`) }]}
        title={<>Run <span className="mono">{run.runId.slice(0, 8)}</span> <Badge value={run.status} /></>}
        subtitle={<span className="muted">Created {formatTime(run.createdAt)}{run.trigger ? ` · started by ${run.trigger.kind}${run.trigger.detail ? ` (${run.trigger.detail})` : ''}` : ''}{duration !== undefined ? ` · ${formatDuration(duration)}` : ''}{run.trackingRunId ? <> · <a href={link(`/runs/${seg(run.trackingRunId)}`)}>MLflow run</a></> : null}</span>}
        actions={terminal ? null : <button type="button" className="button" onClick={() => setCancelOpen(true)}>Cancel run…</button>}
      />
      {run.error ? <div className="notice" role="alert"><strong>Run failed:</strong> <span className="wrap">{run.error}</span></div> : null}
      {pending.map((a) => <ApprovalPanel key={a.step} approval={a} onDone={reload} />)}

      <Section title="Steps" id="dag" actions={<span className="muted small live-note">{terminal ? 'finished' : `live · refreshed every ${POLL_MS / 1000} s`}{view.sameDigest ? '' : ' · drawn from the current definition'}</span>}>
        <Dag label={`Steps of run ${run.runId.slice(0, 8)}`} nodes={view.nodes} edges={view.edges} selected={selected} onSelect={(id) => setQuery({ step: id === selected ? null : id }, { replace: true })} />
        <ul className="legend dag-legend" aria-label="Step states">
          {['complete', 'cached', 'running', 'waiting', 'failed', 'skipped', 'pending'].map((s) => <li key={s}><span className={`swatch dag-swatch dag-${s}`} />{s === 'cached' ? 'cache hit' : s}</li>)}
        </ul>
      </Section>

      {selected ? <StepDetails runId={run.runId} name={selected} summary={view.summaries.get(selected)!} spec={view.spec} /> : (
        <Section title="Step details" id="step"><Empty title="Pick a step in the graph" height={80}>Its attempts, inputs, outputs, output log and errors show here.</Empty></Section>
      )}

      <Section title="Parameters" id="params">
        {Object.keys(run.params).length === 0 ? <Empty title="No parameters" height={40} /> : (
          <table className="table" aria-label="Run parameters"><tbody>{Object.entries(run.params).map(([k, v]) => <tr key={k}><th scope="row" className="mono">{k}</th><td className="mono wrap">{JSON.stringify(v)}</td></tr>)}</tbody></table>
        )}
      </Section>

      <CancelDialog open={cancelOpen} run={run} onClose={() => setCancelOpen(false)} onDone={() => { setCancelOpen(false); setLive(true); reload(); }} />
    </div>
  );
}

function ApprovalPanel({ approval: a, onDone }: { approval: WireApproval; onDone(): void }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const decide = async (kind: 'approve' | 'reject') => {
    setBusy(kind);
    setProblem(null);
    try {
      const body = { runId: a.runId, step: a.step, by: currentUser() ?? 'web UI', ...(comment.trim() ? { comment: comment.trim() } : {}) };
      await pipelines.transport.call(kind === 'approve' ? routes.approve : routes.reject, body);
      onDone();
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(null);
    }
  };
  return (
    <section className="approval" aria-label={`Approval ${a.step}`} data-approval={a.step}>
      <div className="approval-text">
        <strong>Step “{a.step}” waits for approval.</strong>
        {a.message ? <span className="approval-message">{a.message}</span> : null}
        <span className="muted small">Requested {formatTime(a.requestedAt)} · times out {formatTime(a.timeoutAt)}</span>
      </div>
      <input className="input" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="Comment (optional)" aria-label="Approval comment" maxLength={10_000} />
      <button type="button" className="button primary" disabled={busy !== null} onClick={() => decide('approve')}>{busy === 'approve' ? 'Approving…' : 'Approve'}</button>
      <button type="button" className="button danger" disabled={busy !== null} onClick={() => decide('reject')}>{busy === 'reject' ? 'Rejecting…' : 'Reject'}</button>
      {problem ? <div className="field-error" role="alert">{problem.message}</div> : null}
    </section>
  );
}

function StepDetails({ runId, name, summary, spec }: { runId: string; name: string; summary: StepSummary; spec: PipelineSpec | null }) {
  const step = spec?.steps.find((s) => s.name === name) ?? (spec?.onExit?.name === name ? spec.onExit : undefined);
  const all = summary.latest;
  const runsProcess = !step || (!step.approval && !step.gate && !step.register);
  return (
    <Section title={<>Step <span className="mono">{name}</span> <Badge value={summary.state} /></>} id="step">
      {step?.command ? <p className="mono small wrap step-command">$ {Array.isArray(step.command) ? step.command.join(' ') : step.command}</p> : null}
      {all.length === 0 ? <Empty title="Not started" height={60}>{summary.state === 'PENDING' ? 'It runs once the steps before it finish.' : ''}</Empty> : all.map((e) => <ExecutionCard key={e.id} runId={runId} e={e} many={all.length > 1} withLog={runsProcess} />)}
    </Section>
  );
}

function ExecutionCard({ runId, e, many, withLog }: { runId: string; e: WireStepExecution; many: boolean; withLog: boolean }) {
  const took = e.startedAt && e.endedAt ? formatDuration(e.endedAt - e.startedAt) : e.startedAt ? `running ${formatDuration(Date.now() - e.startedAt)}` : '';
  return (
    <article className="execution" data-execution={e.id} aria-label={`Execution ${e.node} attempt ${e.attempt}`}>
      <header className="execution-head">
        {many ? <span className="mono">{e.node}</span> : null}
        <Badge value={e.state} />
        <span className="muted small">attempt {e.attempt}{took ? ` · ${took}` : ''}{e.startedAt ? ` · started ${formatTime(e.startedAt)}` : ''}{e.worker ? ` · on ${e.worker}` : ''}</span>
        {e.state === 'CACHED' ? <span className="chip cache-chip">cache hit{e.cachedFrom ? ` from execution ${e.cachedFrom}` : ''}</span> : null}
        {e.trackingRunId ? <a className="small" href={link(`/runs/${seg(e.trackingRunId)}`)}>MLflow run (metrics, logged files)</a> : null}
      </header>
      {withLog && e.state !== 'CACHED' && e.state !== 'SKIPPED' && e.state !== 'NEW' && e.startedAt ? <StepLog runId={runId} node={e.node} attempt={e.attempt} /> : null}
      {e.error ? (
        <div className="log">
          <div className="log-title small muted">Error</div>
          <pre className="preview-text log-text">{e.error}</pre>
        </div>
      ) : null}
      <div className="execution-grid">
        {e.params && Object.keys(e.params).length ? <KV title="Inputs and params" obj={e.params} /> : null}
        {e.values && Object.keys(e.values).length ? <KV title="Value outputs" obj={e.values} /> : null}
      </div>
      {e.outputs?.length ? (
        <table className="table" aria-label={`Outputs of ${e.node}`}>
          <thead><tr><th scope="col">Output</th><th scope="col">Type</th><th scope="col">URI</th><th scope="col" className="num">Size</th><th scope="col">Digest</th><th scope="col"><span className="sr-only">Lineage</span></th></tr></thead>
          <tbody>
            {e.outputs.map((o) => (
              <tr key={o.name}>
                <td className="mono">{o.name}</td><td>{o.artifact.type}</td><td className="mono small wrap">{o.artifact.uri}</td>
                <td className="num">{o.artifact.size === undefined ? '' : formatBytes(o.artifact.size)}</td>
                <td className="mono small" title={o.artifact.digest}>{shortDigest(o.artifact.digest)}</td>
                <td className="actions-cell"><a className="button small" href={link('/lineage', { uri: o.artifact.uri, direction: 'downstream' })}>Lineage</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {e.cacheKey ? <p className="muted small mono">cache key {e.cacheKey.slice(0, 16)}</p> : null}
    </article>
  );
}

function KV({ title, obj }: { title: string; obj: Record<string, unknown> }) {
  return (
    <table className="table kv-table" aria-label={title}>
      <thead><tr><th scope="col" colSpan={2}>{title}</th></tr></thead>
      <tbody>{Object.entries(obj).map(([k, v]) => <tr key={k}><th scope="row" className="mono">{k}</th><td className="mono wrap">{typeof v === 'string' ? v : JSON.stringify(v)}</td></tr>)}</tbody>
    </table>
  );
}

function CancelDialog({ open, run, onClose, onDone }: { open: boolean; run: WirePipelineRun; onClose(): void; onDone(): void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await pipelines.transport.call(routes.cancelRun, { runId: run.runId });
      onDone();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} onClose={onClose} title="Cancel this run" actions={<><button type="button" className="button" onClick={onClose}>Keep running</button><button type="button" className="button danger" disabled={busy} onClick={submit} data-confirm="cancel-run">{busy ? 'Canceling…' : 'Cancel run'}</button></>}>
      <p className="confirm-text">Stop run <span className="mono">{run.runId.slice(0, 8)}</span> of <strong>{run.pipeline}</strong>? Running steps are stopped; finished steps and their cached results stay.</p>
      {problem ? <div className="field-error" role="alert">{problem.message}</div> : null}
    </Dialog>
  );
}
