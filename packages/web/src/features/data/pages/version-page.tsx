import { useMemo, useState } from 'react';
import { PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { data } from '../../../lib/api';
import { formatBytes, formatCount, formatDuration, formatTime } from '../../../lib/format';
import { link, seg, useRoute } from '../../../lib/router';
import { useAsync, useTitle } from '../../../lib/use-async';
import { ColumnProfileCard } from '../components/column-profile';
import { ValidationReport } from '../components/validation-report';

const TABS = [['files', 'Files'], ['profile', 'Profile'], ['validations', 'Validation']] as const;
type Tab = (typeof TABS)[number][0];

/** `/data/:name/versions/:v?tab=files|profile|validations`: one version's files, profile and validation reports. */
export function DatasetVersionPage({ name, version }: { name: string; version: number }) {
  useTitle(`${name} v${version}`);
  const { query } = useRoute();
  const tab: Tab = (TABS.find(([k]) => k === query.get('tab'))?.[0]) ?? 'files';
  const [state, reload] = useAsync((signal) => data.getVersion(name, version, { signal }), [name, version]);
  const crumbs = [{ label: 'Data', href: link('/data') }, { label: name, href: link(`/data/${seg(name)}`) }];
  const title = `Version ${version}`;

  if (state.status === 'error' && !state.data) return <div className="page"><PageHeader crumbs={crumbs} title={title} /><ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  const v = state.data;
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={title}
        subtitle={v ? <span className="muted">{v.message ? `${v.message} · ` : ''}{formatCount(v.fileCount)} files · {formatBytes(v.totalBytes)} · {formatTime(v.creationTime)}{v.userId ? ` by ${v.userId}` : ''}</span> : '\u00a0'}
        actions={v && version > 1 ? <a className="button" href={link(`/data/${seg(name)}/diff`, { from: String(version - 1), to: String(version) })}>Diff with v{version - 1}</a> : null}
      />
      {v ? <p className="muted small mono digest-line">digest {v.digest}</p> : null}
      <div className="tabs" role="tablist" aria-label="Version views">
        {TABS.map(([k, label]) => (
          <a key={k} role="tab" aria-selected={tab === k} className="tab" href={link(`/data/${seg(name)}/versions/${version}`, { tab: k === 'files' ? null : k })}>{label}</a>
        ))}
      </div>
      <div role="tabpanel" aria-label={TABS.find(([k]) => k === tab)![1]}>
        {!v ? <Loading label="Loading version…" height={360} /> : tab === 'files' ? <FilesPanel name={name} version={version} /> : tab === 'profile' ? <ProfilePanel name={name} version={version} /> : <ValidationsPanel name={name} version={version} />}
      </div>
    </div>
  );
}

function FilesPanel({ name, version }: { name: string; version: number }) {
  const [state, reload] = useAsync((signal) => data.getManifest(name, version, undefined, { signal }), [name, version]);
  const [q, setQ] = useState('');
  const shown = useMemo(() => (state.data ?? []).filter((f) => f.path.toLowerCase().includes(q.trim().toLowerCase())).slice(0, 2000), [state.data, q]);
  if (state.status === 'error' && !state.data) return <ErrorState problem={state.problem} retry={reload} height={240} />;
  if (!state.data) return <Loading label="Loading files…" height={240} />;
  if (state.data.length === 0) return <Empty title="This version has no files" height={120} />;
  return (
    <Section title={`Files (${formatCount(state.data.length)})`} id="files">
      <input className="input input-small" type="search" placeholder="Filter files by path…" aria-label="Filter files" value={q} onChange={(e) => setQ(e.target.value)} />
      <div className="table-scroll files-scroll">
        <table className="table" aria-label="Files">
          <thead><tr><th scope="col">Path</th><th scope="col" className="num">Size</th><th scope="col">sha256</th></tr></thead>
          <tbody>
            {shown.map((f) => <tr key={f.path}><td className="mono">{f.path}</td><td className="num">{formatBytes(f.size)}</td><td className="mono small muted" title={f.digest}>{f.digest.slice(0, 16)}…</td></tr>)}
          </tbody>
        </table>
      </div>
      {shown.length === 2000 ? <p className="muted small">Showing the first 2,000 matches; narrow the filter.</p> : null}
    </Section>
  );
}

function ProfilePanel({ name, version }: { name: string; version: number }) {
  const [state, reload] = useAsync((signal) => data.profile(name, version, { signal }), [name, version]);
  if (state.status === 'error' && !state.data) return <ErrorState problem={state.problem} retry={reload} height={360} />;
  if (!state.data) return <Loading label="Profiling the version (DuckDB; cached once computed)…" height={360} />;
  const p = state.data;
  if (p.columns.length === 0) return <Empty title="No tabular files to profile" height={200}>Profiles cover CSV, Parquet and JSON lines files.</Empty>;
  return (
    <Section title={`Profile · ${formatCount(p.rowCount)} rows · ${p.columns.length} columns`} id="profile" actions={<span className="muted small">{p.files.length} file{p.files.length === 1 ? '' : 's'} · computed in {formatDuration(p.computeMs)}</span>}>
      <div className="profile-grid">
        {p.columns.map((c) => <ColumnProfileCard key={c.name} column={c} />)}
      </div>
    </Section>
  );
}

function ValidationsPanel({ name, version }: { name: string; version: number }) {
  const [state, reload] = useAsync((signal) => data.listValidations(name, version, { signal }), [name, version]);
  if (state.status === 'error' && !state.data) return <ErrorState problem={state.problem} retry={reload} height={240} />;
  if (!state.data) return <Loading label="Loading validation reports…" height={240} />;
  if (state.data.length === 0) return <Empty title="No validation reports for this version" height={200}>Run a suite with <code>capstan data validate {name}@{version} suite.yaml</code>.</Empty>;
  return (
    <Section title={`Validation reports (${state.data.length})`} id="validations">
      {state.data.map((r, i) => <ValidationReport key={r.id ?? i} result={r} />)}
    </Section>
  );
}
