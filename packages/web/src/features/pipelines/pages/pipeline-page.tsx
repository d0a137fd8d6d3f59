import { pipelines as routes } from '@capstan/api';
import { PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { pipelines } from '../../../lib/api';
import { formatAgo, formatTime } from '../../../lib/format';
import { link } from '../../../lib/router';
import { useTitle } from '../../../lib/use-async';
import { usePoll } from '../../../lib/use-poll';
import { Dag } from '../components/dag';
import { RunsTable } from '../components/runs-table';
import { kindOf, stepEdges } from '../graph';

async function load(name: string, signal: AbortSignal) {
  const t = pipelines.transport;
  const [p, runs] = await Promise.all([t.call(routes.get, { name }, { signal }), t.call(routes.listRuns, { pipeline: name, maxResults: 100 }, { signal })]);
  return { pipeline: p.pipeline, runs: runs.runs };
}

/** `/pipelines/:name`: the steps as a graph, parameters, schedules and triggers, and the runs. */
export function PipelinePage({ name }: { name: string }) {
  useTitle(name);
  const [state, reload] = usePoll((signal) => load(name, signal), [name], 5000);
  const crumbs = [{ label: 'Pipelines', href: link('/pipelines') }];
  if (state.status === 'error' && !state.data) return <div className="page"><PageHeader crumbs={crumbs} title={name} /><ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  if (!state.data) return <div className="page"><PageHeader crumbs={crumbs} title={name} subtitle={'\u00a0'} /><Loading label="Loading pipeline…" height={480} /></div>;
  const { pipeline: p, runs } = state.data;
  const spec = p.spec;
  const params = Object.entries(spec.params);
  return (
    <div className="page">
      <PageHeader crumbs={crumbs} title={p.name} subtitle={<span className="muted">{spec.steps.length} steps · updated {formatAgo(p.updatedAt)} · digest <span className="mono">{p.digest.slice(0, 12)}</span></span>} />
      {p.description ?? spec.description ? <p className="description">{p.description ?? spec.description}</p> : null}
      <Section title="Steps" id="steps">
        <Dag label={`Steps of ${p.name}`} nodes={spec.steps.map((s) => ({ id: s.name, title: s.name, subtitle: kindOf(s), state: 'idle', marks: [...(s.forEach !== undefined ? ['for each'] : []), ...(s.when ? ['conditional'] : []), ...(s.cache ? [] : ['no cache'])] }))} edges={stepEdges(spec)} />
      </Section>
      <div className="columns-2">
        <Section title="Parameters" id="params">
          {params.length === 0 ? <Empty title="No parameters" height={60} /> : (
            <table className="table" aria-label="Parameters">
              <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Default</th></tr></thead>
              <tbody>{params.map(([k, v]) => <tr key={k}><td className="mono">{k}</td><td>{v.type}</td><td className="mono">{v.default === undefined ? <span className="muted">required</span> : JSON.stringify(v.default)}</td></tr>)}</tbody>
            </table>
          )}
        </Section>
        <Section title="Schedules and triggers" id="triggers">
          {spec.schedules.length + spec.triggers.length === 0 ? <Empty title="Runs only when started" height={60}>Add <code>schedules</code> (cron) or <code>triggers</code> (events) to the spec.</Empty> : (
            <table className="table" aria-label="Schedules and triggers">
              <thead><tr><th scope="col">Kind</th><th scope="col">When</th><th scope="col">Params</th></tr></thead>
              <tbody>
                {spec.schedules.map((s, i) => <tr key={`s${i}`}><td>schedule</td><td className="mono">{s.cron}{s.timezone ? ` (${s.timezone})` : ''}</td><td className="mono small">{JSON.stringify(s.params)}</td></tr>)}
                {spec.triggers.map((t, i) => <tr key={`t${i}`}><td>trigger</td><td><span className="mono">{t.event}</span>{Object.keys(t.filter).length ? <span className="muted small"> where {Object.entries(t.filter).map(([k, v]) => `${k}=${v}`).join(', ')}</span> : null}</td><td className="mono small">{JSON.stringify(t.params)}</td></tr>)}
              </tbody>
            </table>
          )}
        </Section>
      </div>
      <Section title={`Runs (${runs.length})`} id="runs" actions={<span className="muted small">created {formatTime(p.createdAt)}</span>}>
        <RunsTable runs={runs} showPipeline={false} />
      </Section>
    </div>
  );
}
