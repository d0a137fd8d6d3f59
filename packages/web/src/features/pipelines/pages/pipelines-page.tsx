import { pipelines as routes } from '@capstan/api';
import { PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { pipelines } from '../../../lib/api';
import { formatAgo, formatTime } from '../../../lib/format';
import { link, navigate, seg } from '../../../lib/router';
import { useTitle } from '../../../lib/use-async';
import { usePoll } from '../../../lib/use-poll';
import { RunsTable } from '../components/runs-table';

async function load(signal: AbortSignal) {
  const t = pipelines.transport;
  const [list, runs, approvals] = await Promise.all([
    t.call(routes.list, {}, { signal }),
    t.call(routes.listRuns, { maxResults: 50 }, { signal }),
    t.call(routes.listApprovals, { state: 'PENDING' }, { signal }),
  ]);
  return { pipelines: list.pipelines, runs: runs.runs, approvals: approvals.approvals };
}

/** `/pipelines`: pipelines, approvals waiting for someone, and recent runs (refreshed every 5 s). */
export function PipelinesPage() {
  useTitle('Pipelines');
  const [state, reload] = usePoll(load, [], 5000);
  const d = state.data;
  return (
    <div className="page">
      <PageHeader title="Pipelines" subtitle="Pipelines, their runs, schedules and triggers; approvals waiting for a decision." />
      {state.status === 'error' && !d ? <ErrorState problem={state.problem} retry={reload} height={240} /> : !d ? <Loading label="Loading pipelines…" height={240} /> : (
        <>
          {d.approvals.length ? (
            <Section title={`Waiting for approval (${d.approvals.length})`} id="approvals">
              <ul className="plain-list approvals-list">
                {d.approvals.map((a) => (
                  <li key={`${a.runId}/${a.step}`}>
                    <a href={link(`/pipeline-runs/${seg(a.runId)}`, { step: a.step })}>{a.step}</a> in run <span className="mono">{a.runId.slice(0, 8)}</span>{a.message ? <> — {a.message}</> : null} <span className="muted small">since {formatAgo(a.requestedAt)}, times out {formatTime(a.timeoutAt)}</span>
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
          <Section title={`Pipelines (${d.pipelines.length})`} id="pipelines">
            {d.pipelines.length === 0 ? <Empty title="No pipelines yet" height={120}>Save one with <code>capstan pipeline apply pipeline.yaml</code> or run it with <code>capstan pipeline run</code>.</Empty> : (
              <table className="table list-table" aria-label="Pipelines">
                <thead><tr><th scope="col">Name</th><th scope="col" className="num">Steps</th><th scope="col">Schedules</th><th scope="col">Triggers</th><th scope="col">Last run</th><th scope="col">Updated</th><th scope="col">Description</th></tr></thead>
                <tbody>
                  {[...d.pipelines].sort((a, b) => a.name.localeCompare(b.name)).map((p) => {
                    const href = link(`/pipelines/${seg(p.name)}`);
                    const last = d.runs.find((r) => r.pipeline === p.name);
                    return (
                      <tr key={p.name} className="clickable" onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) navigate(href); }}>
                        <td><a href={href}>{p.name}</a></td>
                        <td className="num">{p.spec.steps.length}</td>
                        <td className="mono small">{p.spec.schedules.map((s) => s.cron).join(', ') || <span className="muted">—</span>}</td>
                        <td className="small">{p.spec.triggers.map((t) => t.event).join(', ') || <span className="muted">—</span>}</td>
                        <td>{last ? <a href={link(`/pipeline-runs/${seg(last.runId)}`)}><span className={`badge badge-${last.status.toLowerCase()}`}>{last.status}</span></a> : <span className="muted">—</span>}</td>
                        <td title={formatTime(p.updatedAt)}>{formatAgo(p.updatedAt)}</td>
                        <td className="truncate muted" title={p.description ?? p.spec.description}>{p.description ?? p.spec.description}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Recent runs" id="runs">
            <RunsTable runs={d.runs} />
          </Section>
        </>
      )}
    </div>
  );
}
