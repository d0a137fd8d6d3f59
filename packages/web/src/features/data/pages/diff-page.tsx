import type { WireDatasetDiff } from '@capstan/api';
import { PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { data } from '../../../lib/api';
import { formatBytes, formatCount } from '../../../lib/format';
import { link, seg, useRoute } from '../../../lib/router';
import { useAsync, useTitle } from '../../../lib/use-async';

/** `/data/:name/diff?from=&to=`: files added, removed, renamed and changed, with row counts and schema changes. */
export function DatasetDiffPage({ name }: { name: string }) {
  const { query } = useRoute();
  const from = Number(query.get('from'));
  const to = Number(query.get('to'));
  useTitle(`${name} v${from} → v${to}`);
  const valid = Number.isInteger(from) && Number.isInteger(to) && from > 0 && to > 0;
  const [state, reload] = useAsync((signal) => valid ? data.diff(name, from, to, { signal, tables: true }) : Promise.reject(new Error('Give two versions: ?from=1&to=2')), [name, from, to]);
  const crumbs = [{ label: 'Data', href: link('/data') }, { label: name, href: link(`/data/${seg(name)}`) }];
  const title = `Version ${from || '?'} → version ${to || '?'}`;
  if (state.status === 'error' && !state.data) return <div className="page"><PageHeader crumbs={crumbs} title={title} /><ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  if (!state.data) return <div className="page"><PageHeader crumbs={crumbs} title={title} subtitle={'\u00a0'} /><Loading label="Comparing versions…" height={400} /></div>;
  const d = state.data;
  const same = d.added.length + d.removed.length + d.changed.length + d.renamed.length === 0;
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={title}
        subtitle={<span className="diff-summary">
          <span className="chip diff-added">+{d.added.length} added</span>
          <span className="chip diff-removed">−{d.removed.length} removed</span>
          <span className="chip diff-changed">~{d.changed.length} changed</span>
          <span className="chip">{d.renamed.length} renamed</span>
          <span className="muted">{formatCount(d.unchanged)} unchanged</span>
        </span>}
        actions={<a className="button" href={link(`/data/${seg(name)}/diff`, { from: String(to), to: String(from) })}>Swap</a>}
      />
      {same ? <Empty title="The two versions hold the same files" height={160} /> : (
        <>
          <ChangedSection diff={d} />
          <div className="columns-2">
            <Section title={`Added (${d.added.length})`} id="added">
              <FileList files={d.added} empty="No files added" label="Added files" />
            </Section>
            <Section title={`Removed (${d.removed.length})`} id="removed">
              <FileList files={d.removed} empty="No files removed" label="Removed files" />
            </Section>
          </div>
          {d.renamed.length ? (
            <Section title={`Renamed (${d.renamed.length})`} id="renamed">
              <table className="table" aria-label="Renamed files"><thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col" className="num">Size</th></tr></thead>
                <tbody>{d.renamed.map((r) => <tr key={r.to}><td className="mono">{r.from}</td><td className="mono">{r.to}</td><td className="num">{formatBytes(r.size)}</td></tr>)}</tbody>
              </table>
            </Section>
          ) : null}
        </>
      )}
    </div>
  );
}

function FileList({ files, empty, label }: { files: WireDatasetDiff['added']; empty: string; label: string }) {
  if (files.length === 0) return <Empty title={empty} height={60} />;
  return (
    <table className="table" aria-label={label}>
      <thead><tr><th scope="col">Path</th><th scope="col" className="num">Size</th><th scope="col" className="num">Rows</th></tr></thead>
      <tbody>{files.map((f) => <tr key={f.path}><td className="mono">{f.path}</td><td className="num">{formatBytes(f.size)}</td><td className="num">{f.rows === undefined ? '' : formatCount(f.rows)}</td></tr>)}</tbody>
    </table>
  );
}

function ChangedSection({ diff: d }: { diff: WireDatasetDiff }) {
  return (
    <Section title={`Changed (${d.changed.length})`} id="changed">
      {d.changed.length === 0 ? <Empty title="No file changed content" height={60} /> : (
        <table className="table" aria-label="Changed files">
          <thead><tr><th scope="col">Path</th><th scope="col" className="num">Size</th><th scope="col" className="num">Rows</th><th scope="col">Schema</th></tr></thead>
          <tbody>
            {d.changed.map((c) => (
              <tr key={c.path} data-path={c.path}>
                <td className="mono">{c.path}</td>
                <td className="num">{formatBytes(c.from.size)} → {formatBytes(c.to.size)}</td>
                <td className="num">{c.table ? <>{formatCount(c.table.rowsFrom)} → {formatCount(c.table.rowsTo)} <span className={c.table.rowsTo >= c.table.rowsFrom ? 'ok-text' : 'warn-text'}>({c.table.rowsTo >= c.table.rowsFrom ? '+' : ''}{formatCount(c.table.rowsTo - c.table.rowsFrom)})</span></> : ''}</td>
                <td>
                  {c.table ? (
                    <>
                      {c.table.addedColumns.map((col) => <span key={`a${col.name}`} className="chip diff-added mono">+ {col.name} {col.type}</span>)}
                      {c.table.removedColumns.map((col) => <span key={`r${col.name}`} className="chip diff-removed mono">− {col.name} {col.type}</span>)}
                      {c.table.retypedColumns.map((col) => <span key={`t${col.name}`} className="chip diff-changed mono">{col.name}: {col.from} → {col.to}</span>)}
                      {c.table.addedColumns.length + c.table.removedColumns.length + c.table.retypedColumns.length === 0 ? <span className="muted small">same columns</span> : null}
                    </>
                  ) : c.tableError ? <span className="field-error small">{c.tableError}</span> : <span className="muted small">not a table</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
