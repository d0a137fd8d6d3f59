import type { ReactNode } from 'react';
import { tracking } from '@capstan/api';
import type { WireRun } from '@capstan/client';
import { KeyValueTable } from '../../../components/key-value-table';
import { Badge, PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { client } from '../../../lib/api';
import { formatDuration, formatTime, formatValue } from '../../../lib/format';
import { link, seg } from '../../../lib/router';
import { colorAt } from '../../../lib/theme';
import { useAsync, useTitle } from '../../../lib/use-async';
import { ArtifactBrowser } from '../../artifacts/artifact-browser';
import { MetricChartCard } from '../components/metric-chart-card';
import { isSystemTag } from '../runs';

/** Points per chart on the run page. */
const RUN_CHART_POINTS = 2000;

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children || <span className="muted">—</span>}</dd>
    </div>
  );
}

/** The dataset inputs of a run as a table (shared with the registry's lineage view). */
export function DatasetInputs({ run }: { run: WireRun }) {
  const inputs = run.inputs.dataset_inputs ?? [];
  if (inputs.length === 0) return <Empty title="No dataset inputs logged" height={60}>Log them with <code>mlflow.log_input(dataset)</code>.</Empty>;
  return (
    <table className="table" aria-label="Dataset inputs">
      <thead>
        <tr><th scope="col">Name</th><th scope="col">Digest</th><th scope="col">Context</th><th scope="col">Source</th><th scope="col">Schema</th></tr>
      </thead>
      <tbody>
        {inputs.map((d, i) => {
          const context = d.tags?.find((t) => t.key === 'mlflow.data.context')?.value;
          return (
            <tr key={`${d.dataset.name}-${d.dataset.digest}-${i}`}>
              <td className="mono">{capstanVersion(d.dataset) ? <a href={link(`/data/${seg(capstanVersion(d.dataset)!.name)}/versions/${capstanVersion(d.dataset)!.version}`)}>{d.dataset.name}@{capstanVersion(d.dataset)!.version}</a> : d.dataset.name}</td>
              <td className="mono">{d.dataset.digest}</td>
              <td>{context ?? ''}</td>
              <td className="mono wrap"><span className="muted">{d.dataset.source_type}</span> {d.dataset.source}</td>
              <td>{d.dataset.schema ? <details><summary>schema</summary><pre className="preview-text small">{pretty(d.dataset.schema)}</pre></details> : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The Capstan dataset version an MLflow dataset input names (`capstan-data:/NAME@V`), if it is one. */
function capstanVersion(d: { source_type?: string; source?: string }): { name: string; version: number } | null {
  if (d.source_type !== 'capstan' || !d.source) return null;
  try {
    const m = /^capstan-data:\/(.+)@(\d+)$/.exec(String((JSON.parse(d.source) as { uri?: unknown }).uri));
    return m ? { name: m[1]!, version: Number(m[2]) } : null;
  } catch {
    return null;
  }
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** `/runs/:id`: a run's info, params, metrics (latest values and charts), artifacts, datasets and tags. */
export function RunPage({ runId }: { runId: string }) {
  const [state, reload] = useAsync((signal) => client.call(tracking.getRun, { run_id: runId }, { signal }), [runId]);
  const run = state.status === 'ready' ? state.data.run : undefined;
  const experimentId = run?.info.experiment_id;
  const [experiment] = useAsync(
    (signal) => (experimentId ? client.call(tracking.getExperiment, { experiment_id: experimentId }, { signal }) : new Promise<never>(() => {})),
    [experimentId],
  );
  const experimentName = experiment.status === 'ready' ? experiment.data.experiment.name : experimentId ? `Experiment ${experimentId}` : '…';
  useTitle(run ? run.info.run_name || run.info.run_id : 'Run');

  if (state.status === 'error') {
    return (
      <div className="page">
        <PageHeader crumbs={[{ label: 'Experiments', href: link('/experiments') }]} title={`Run ${runId}`} />
        <ErrorState problem={state.problem} retry={reload} height={240} />
      </div>
    );
  }
  if (!run) {
    return (
      <div className="page">
        <PageHeader crumbs={[{ label: 'Experiments', href: link('/experiments') }]} title={'\u00a0'} subtitle={'\u00a0'} />
        <Loading label="Loading run…" height={480} />
      </div>
    );
  }

  const { info, data } = run;
  const tags = data.tags ?? [];
  const tag = (key: string) => tags.find((t) => t.key === key)?.value;
  const parent = tag('mlflow.parentRunId');
  const metrics = [...(data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const params = [...(data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const userTags = tags.filter((t) => !isSystemTag(t.key)).sort((a, b) => a.key.localeCompare(b.key));
  const systemTags = tags.filter((t) => isSystemTag(t.key)).sort((a, b) => a.key.localeCompare(b.key));
  const chartRuns = [{ id: info.run_id, label: info.run_name || info.run_id, color: colorAt(0) }];
  const models = [...(run.outputs.model_outputs ?? []).map((m) => ({ id: m.model_id, dir: 'output' })), ...(run.inputs.model_inputs ?? []).map((m) => ({ id: m.model_id, dir: 'input' }))];

  return (
    <div className="page">
      <PageHeader
        crumbs={[{ label: 'Experiments', href: link('/experiments') }, { label: experimentName, href: link(`/experiments/${seg(info.experiment_id)}`) }]}
        title={info.run_name || info.run_id}
        subtitle={<><Badge value={info.status} /> <span className="mono muted">{info.run_id}</span></>}
      />
      <Section title="Overview" id="overview">
        <dl className="fields">
          <Field label="Experiment"><a href={link(`/experiments/${seg(info.experiment_id)}`)}>{experimentName}</a></Field>
          <Field label="User">{info.user_id}</Field>
          <Field label="Started">{formatTime(info.start_time)}</Field>
          <Field label="Ended">{formatTime(info.end_time)}</Field>
          <Field label="Duration">{info.end_time ? formatDuration(info.end_time - info.start_time) : info.status === 'RUNNING' ? 'running' : ''}</Field>
          <Field label="Source">{tag('mlflow.source.name') ? <span className="mono">{tag('mlflow.source.name')}</span> : ''}</Field>
          <Field label="Git commit">{tag('mlflow.source.git.commit') ? <span className="mono">{tag('mlflow.source.git.commit')!.slice(0, 12)}</span> : ''}</Field>
          <Field label="Parent run">{parent ? <a className="mono" href={link(`/runs/${seg(parent)}`)}>{parent.slice(0, 12)}</a> : ''}</Field>
          <Field label="Artifact URI"><span className="mono wrap">{info.artifact_uri}</span></Field>
          <Field label="Lifecycle">{info.lifecycle_stage}</Field>
        </dl>
        {tag('mlflow.note.content') ? <p className="note">{tag('mlflow.note.content')}</p> : null}
      </Section>
      <div className="columns-2">
        <Section title={`Parameters (${params.length})`} id="params">
          <KeyValueTable label="Parameters" empty="No parameters logged" rows={params.map((p) => ({ key: p.key, value: p.value, text: p.value }))} />
        </Section>
        <Section title={`Metrics (${metrics.length})`} id="metrics">
          <KeyValueTable
            label="Metrics"
            empty="No metrics logged"
            extraHeader="Step"
            rows={metrics.map((m) => ({ key: m.key, value: formatValue(m.value), text: String(m.value), extra: m.step }))}
          />
        </Section>
      </div>
      <Section title="Metric charts" id="charts">
        {metrics.length === 0 ? (
          <Empty title="No metrics to chart" height={80} />
        ) : (
          <div className="chart-grid">
            {metrics.map((m) => <MetricChartCard key={m.key} metricKey={m.key} runs={chartRuns} maxResults={RUN_CHART_POINTS} />)}
          </div>
        )}
      </Section>
      <Section title="Artifacts" id="artifacts">
        <ArtifactBrowser runId={info.run_id} />
      </Section>
      <Section title="Datasets" id="datasets">
        <DatasetInputs run={run} />
      </Section>
      {models.length ? (
        <Section title="Logged models" id="models">
          <ul className="plain-list">
            {models.map((m) => <li key={`${m.dir}-${m.id}`}><span className="mono">{m.id}</span> <span className="muted">({m.dir})</span></li>)}
          </ul>
        </Section>
      ) : null}
      <Section title={`Tags (${userTags.length})`} id="tags">
        <KeyValueTable label="Tags" empty="No tags set" rows={userTags.map((t) => ({ key: t.key, value: t.value, text: t.value }))} />
        {systemTags.length ? (
          <details className="system-tags">
            <summary>System tags ({systemTags.length})</summary>
            <KeyValueTable label="System tags" empty="" rows={systemTags.map((t) => ({ key: t.key, value: t.value, text: t.value }))} />
          </details>
        ) : null}
      </Section>
    </div>
  );
}
