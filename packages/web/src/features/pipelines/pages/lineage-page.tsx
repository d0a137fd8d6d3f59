import { useEffect, useState } from 'react';
import { pipelines as routes, type WireLineage } from '@capstan/api';
import { PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { pipelines } from '../../../lib/api';
import { formatBytes } from '../../../lib/format';
import { link, navigate, seg, setQuery, useRoute } from '../../../lib/router';
import { useAsync, useTitle } from '../../../lib/use-async';
import { Dag, type DagNode } from '../components/dag';
import { shortDigest } from '../graph';

function graphOf(l: WireLineage): { nodes: DagNode[]; edges: { from: string; to: string }[] } {
  const nodes: DagNode[] = [
    ...l.artifacts.map((a) => ({ id: `a${a.id}`, title: a.name, subtitle: a.type, state: a.id === l.root.id ? 'root' : 'artifact', shape: 'artifact' as const, marks: [shortDigest(a.digest)] })),
    ...l.executions.map((e) => ({ id: `e${e.id}`, title: e.node, subtitle: `${e.pipeline} · ${e.runId.slice(0, 8)}`, state: e.state.toLowerCase(), marks: e.state === 'CACHED' ? ['cache hit'] : [] })),
  ];
  const ids = new Set(nodes.map((n) => n.id));
  const edges = l.events
    .map((ev) => ev.type === 'INPUT' ? { from: `a${ev.artifactId}`, to: `e${ev.executionId}` } : { from: `e${ev.executionId}`, to: `a${ev.artifactId}` })
    .filter((e) => ids.has(e.from) && ids.has(e.to));
  return { nodes, edges };
}

/** `/lineage?uri=|digest=|model=&version=&direction=`: what produced an artifact or model version, or what used it. */
export function LineagePage() {
  useTitle('Lineage');
  const { query } = useRoute();
  const uri = query.get('uri') ?? '';
  const digest = query.get('digest') ?? '';
  const model = query.get('model') ?? '';
  const version = query.get('version') ?? '';
  const direction = query.get('direction') === 'downstream' ? 'downstream' : 'upstream';
  const asked = Boolean(uri || digest || (model && version));
  const [text, setText] = useState(uri || digest);
  useEffect(() => setText(uri || digest), [uri, digest]);
  const [state, reload] = useAsync((signal) => asked
    ? pipelines.transport.call(routes.lineage, { direction, ...(uri ? { uri } : {}), ...(digest ? { digest } : {}), ...(model && version ? { model, version: Number(version) } : {}) }, { signal })
    : Promise.resolve(null), [uri, digest, model, version, direction]);
  const [selected, setSelected] = useState<string | undefined>();
  const graph = state.data ? graphOf(state.data) : null;
  const picked = selected && state.data ? (selected.startsWith('a') ? state.data.artifacts.find((a) => `a${a.id}` === selected) : state.data.executions.find((e) => `e${e.id}` === selected)) : undefined;
  const subject = model && version ? `${model} version ${version}` : uri || digest;

  return (
    <div className="page">
      <PageHeader crumbs={[{ label: 'Pipelines', href: link('/pipelines') }]} title="Lineage" subtitle={<span className="muted">{asked ? <>{direction === 'upstream' ? 'What produced' : 'What depends on'} <span className="mono">{subject}</span></> : 'Pick an artifact URI or digest, or open it from a run\u2019s outputs or a model version.'}</span>} />
      <form className="toolbar" role="search" onSubmit={(e) => { e.preventDefault(); const v = text.trim(); setQuery({ uri: /^[0-9a-f]{64}$/.test(v) ? null : v, digest: /^[0-9a-f]{64}$/.test(v) ? v : null, model: null, version: null }); }}>
        <input className="input grow mono" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="mlflow-artifacts:/pipelines/<run>/<step>/<attempt>/<output> or a sha256 digest" aria-label="Artifact URI or digest" />
        <select className="input" value={direction} onChange={(e) => setQuery({ direction: e.target.value === 'upstream' ? null : e.target.value })} aria-label="Direction">
          <option value="upstream">upstream (what produced it)</option>
          <option value="downstream">downstream (what used it)</option>
        </select>
        <button type="submit" className="button">Show</button>
      </form>
      {!asked ? <Empty title="Nothing picked yet" height={240} /> : state.status === 'error' && !state.data ? <ErrorState problem={state.problem} retry={reload} height={240} /> : !graph ? <Loading label="Tracing lineage…" height={320} /> : (
        <>
          <Section title={`Graph · ${state.data!.artifacts.length} artifacts · ${state.data!.executions.length} executions`} id="graph">
            <Dag label="Lineage graph" nodes={graph.nodes} edges={graph.edges} selected={selected} onSelect={(id) => setSelected(id === selected ? undefined : id)} />
          </Section>
          <Section title="Selected" id="selected">
            {!picked ? <Empty title="Pick a node" height={60} /> : 'runId' in picked ? (
              <p>Execution <span className="mono">{picked.node}</span> (attempt {picked.attempt}, {picked.state.toLowerCase()}) of <a href={link(`/pipeline-runs/${seg(picked.runId)}`, { step: picked.step })}>{picked.pipeline} run {picked.runId.slice(0, 8)}</a>{picked.params && Object.keys(picked.params).length ? <> with <span className="mono">{JSON.stringify(picked.params)}</span></> : null}</p>
            ) : (
              <p>
                <span className="mono wrap">{picked.uri}</span> · {picked.type}{picked.size !== undefined ? ` · ${formatBytes(picked.size)}` : ''} · <span className="mono small">{picked.digest}</span>{' '}
                <button type="button" className="button small" onClick={() => navigate(link('/lineage', { uri: picked.uri, direction: direction === 'upstream' ? 'downstream' : 'upstream' }))}>{direction === 'upstream' ? 'What used it' : 'What produced it'}</button>
              </p>
            )}
          </Section>
        </>
      )}
    </div>
  );
}
