import { useState } from 'react';
import { registry } from '@capstan/api';
import { KeyValueTable } from '../../../components/key-value-table';
import { Badge, PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { client, quote } from '../../../lib/api';
import { formatAgo, formatTime } from '../../../lib/format';
import { link, navigate, seg } from '../../../lib/router';
import { useAsync, useTitle } from '../../../lib/use-async';
import { AliasDialog, type AliasTarget } from '../components/alias-dialog';
import { PromotionHistory } from '../components/promotion-history';

/** A registered model with all its versions (newest first). */
export async function loadModel(name: string, signal: AbortSignal) {
  const [model, versions] = await Promise.all([
    client.call(registry.getRegisteredModel, { name }, { signal }),
    client.call(registry.searchModelVersions, { filter: `name = ${quote(name)}`, order_by: ['version_number DESC'], max_results: 10_000 }, { signal }),
  ]);
  return { model: model.registered_model, versions: versions.model_versions ?? [] };
}

/** Stage badge; "None" is shown muted. */
export function Stage({ stage }: { stage: string }) {
  return stage && stage !== 'None' ? <Badge value={stage} /> : <span className="muted">None</span>;
}

/** `/models/:name`: versions, aliases (with "move alias"), tags and the registry's timestamps. */
export function ModelPage({ name }: { name: string }) {
  useTitle(name);
  const [state, reload] = useAsync((signal) => loadModel(name, signal), [name]);
  const [target, setTarget] = useState<AliasTarget | null>(null);
  const [message, setMessage] = useState('');
  const crumbs = [{ label: 'Models', href: link('/models') }];

  if (state.status === 'error' && !state.data) return <div className="page"><PageHeader crumbs={crumbs} title={name} /><ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  if (!state.data) return <div className="page"><PageHeader crumbs={crumbs} title={name} subtitle={'\u00a0'} /><Loading label="Loading model…" height={480} /></div>;

  const { model, versions } = state.data;
  const aliases = [...(model.aliases ?? [])].sort((a, b) => a.alias.localeCompare(b.alias));

  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={model.name}
        subtitle={<span className="muted">Created {formatTime(model.creation_timestamp)} · updated {formatAgo(model.last_updated_timestamp)} · {versions.length} version{versions.length === 1 ? '' : 's'}</span>}
        actions={versions.length ? <button type="button" className="button" onClick={() => setTarget({})}>Set alias…</button> : null}
      />
      {message ? <div className="notice notice-ok" role="status">{message}</div> : null}
      {model.description ? <p className="description">{model.description}</p> : null}

      <Section title="Aliases" id="aliases">
        {aliases.length === 0 ? <Empty title="No aliases" height={60}>Aliases such as <code>@champion</code> name the version to serve.</Empty> : (
          <table className="table" aria-label="Aliases">
            <thead><tr><th scope="col">Alias</th><th scope="col">Version</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {aliases.map((a) => (
                <tr key={a.alias} data-alias={a.alias}>
                  <td className="mono">@{a.alias}</td>
                  <td><a href={link(`/models/${seg(name)}/versions/${a.version}`)}>Version {a.version}</a></td>
                  <td className="actions-cell"><button type="button" className="button small" onClick={() => setTarget({ alias: a.alias })} aria-label={`Move alias @${a.alias}`}>Move…</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section title={`Versions (${versions.length})`} id="versions">
        {versions.length === 0 ? <Empty title="No versions yet" height={80}>Register one with <code>mlflow.register_model("runs:/&lt;run&gt;/model", "{name}")</code>.</Empty> : (
          <div className="table-scroll">
            <table className="table list-table" aria-label="Versions">
              <thead>
                <tr>
                  <th scope="col">Version</th><th scope="col">Stage</th><th scope="col">Aliases</th><th scope="col">Registered</th>
                  <th scope="col">Last updated</th><th scope="col">Source run</th><th scope="col">Status</th><th scope="col">Tags</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => {
                  const href = link(`/models/${seg(name)}/versions/${v.version}`);
                  return (
                    <tr key={v.version} className="clickable" onClick={(e) => { if (!(e.target as HTMLElement).closest('a,button')) navigate(href); }}>
                      <td><a href={href}>Version {v.version}</a></td>
                      <td><Stage stage={v.current_stage} /></td>
                      <td>{(v.aliases ?? []).map((a) => <span key={a} className="chip">@{a}</span>)}</td>
                      <td title={formatTime(v.creation_timestamp)}>{formatTime(v.creation_timestamp)}{v.user_id ? <span className="muted"> · {v.user_id}</span> : null}</td>
                      <td title={formatTime(v.last_updated_timestamp)}>{formatAgo(v.last_updated_timestamp)}</td>
                      <td>{v.run_id ? <a className="mono" href={link(`/runs/${seg(v.run_id)}`)}>{v.run_id.slice(0, 8)}</a> : <span className="muted">—</span>}</td>
                      <td><Badge value={v.status} /></td>
                      <td>{(v.tags ?? []).map((t) => <span key={t.key} className="chip mono">{t.key}={t.value}</span>)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <div className="columns-2">
        <Section title="Tags" id="tags">
          <KeyValueTable label="Model tags" empty="No tags set" rows={(model.tags ?? []).map((t) => ({ key: t.key, value: t.value, text: t.value }))} />
        </Section>
        <Section title="History" id="history">
          <PromotionHistory model={name} reloadKey={state.data} />
        </Section>
      </div>

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
