import { useState, type ReactNode } from 'react';
import { registry, tracking } from '@capstan/api';
import { KeyValueTable } from '../../../components/key-value-table';
import { Badge, PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { client } from '../../../lib/api';
import { formatTime } from '../../../lib/format';
import { link, seg } from '../../../lib/router';
import { useAsync, useTitle } from '../../../lib/use-async';
import { DatasetInputs } from '../../tracking/pages/run-page';
import { AliasDialog, type AliasTarget } from '../components/alias-dialog';
import { PromotionHistory } from '../components/promotion-history';
import { Stage, loadModel } from './model-page';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children || <span className="muted">—</span>}</dd>
    </div>
  );
}

/** `/models/:name/versions/:v`: one version, its aliases and its lineage (source run and the datasets that run read). */
export function VersionPage({ name, version }: { name: string; version: string }) {
  useTitle(`${name} v${version}`);
  const [state, reload] = useAsync(async (signal) => {
    const [mv, model] = await Promise.all([
      client.call(registry.getModelVersion, { name, version: Number(version) }, { signal }),
      loadModel(name, signal),
    ]);
    return { version: mv.model_version, ...model };
  }, [name, version]);
  const runId = state.data?.version.run_id;
  const [run] = useAsync((signal) => (runId ? client.call(tracking.getRun, { run_id: runId }, { signal }) : Promise.resolve(null)), [runId]);
  const [target, setTarget] = useState<AliasTarget | null>(null);
  const [message, setMessage] = useState('');
  const crumbs = [{ label: 'Models', href: link('/models') }, { label: name, href: link(`/models/${seg(name)}`) }];

  if (state.status === 'error' && !state.data) return <div className="page"><PageHeader crumbs={crumbs} title={`Version ${version}`} /><ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  if (!state.data) return <div className="page"><PageHeader crumbs={crumbs} title={`Version ${version}`} subtitle={'\u00a0'} /><Loading label="Loading version…" height={480} /></div>;

  const { version: mv, model, versions } = state.data;
  const aliases = model.aliases ?? [];
  const sourceRun = run.status === 'ready' ? run.data?.run : undefined;

  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={`Version ${mv.version}`}
        subtitle={<><Stage stage={mv.current_stage} /> <Badge value={mv.status} /> {(mv.aliases ?? []).map((a) => <span key={a} className="chip">@{a}</span>)}</>}
        actions={<button type="button" className="button" onClick={() => setTarget({ version: mv.version })}>Point an alias here…</button>}
      />
      {message ? <div className="notice notice-ok" role="status">{message}</div> : null}
      <Section title="Details" id="details">
        <dl className="fields">
          <Field label="Registered">{formatTime(mv.creation_timestamp)}{mv.user_id ? ` by ${mv.user_id}` : ''}</Field>
          <Field label="Last updated">{formatTime(mv.last_updated_timestamp)}</Field>
          <Field label="Stage"><Stage stage={mv.current_stage} /></Field>
          <Field label="Source"><span className="mono wrap">{mv.source}</span></Field>
          <Field label="Logged model">{mv.model_id ? <span className="mono">{mv.model_id}</span> : ''}</Field>
          <Field label="Description">{mv.description}</Field>
        </dl>
      </Section>
      <Section title="Lineage" id="lineage" actions={<a className="button small" href={link('/lineage', { model: name, version })}>Pipeline lineage</a>}>
        {!mv.run_id ? (
          <Empty title="No source run recorded" height={60}>This version was registered from <span className="mono">{mv.source}</span> without a run.</Empty>
        ) : run.status === 'loading' ? (
          <Loading label="Loading the source run…" height={160} />
        ) : run.status === 'error' ? (
          <ErrorState problem={run.problem} height={160} />
        ) : sourceRun ? (
          <div className="lineage">
            <div className="lineage-step">
              <div className="lineage-label">Trained by run</div>
              <a href={link(`/runs/${seg(sourceRun.info.run_id)}`)}>{sourceRun.info.run_name || sourceRun.info.run_id}</a>
              <div className="muted small">
                <Badge value={sourceRun.info.status} /> {formatTime(sourceRun.info.start_time)} · <a href={link(`/experiments/${seg(sourceRun.info.experiment_id)}`)}>experiment {sourceRun.info.experiment_id}</a>
              </div>
            </div>
            <div className="lineage-label">On datasets</div>
            <DatasetInputs run={sourceRun} />
          </div>
        ) : null}
      </Section>
      <Section title="Promotion history" id="history">
        <PromotionHistory model={name} version={version} reloadKey={state.data} />
      </Section>
      <Section title="Tags" id="tags">
        <KeyValueTable label="Version tags" empty="No tags set" rows={(mv.tags ?? []).map((t) => ({ key: t.key, value: t.value, text: t.value }))} />
      </Section>
      <AliasDialog
        model={name}
        versions={versions}
        aliases={aliases}
        target={target}
        onClose={() => setTarget(null)}
        onDone={(text) => {
          setTarget(null);
          setMessage(text);
          reload();
        }}
      />
    </div>
  );
}
