import { useEffect, useState } from 'react';
import { PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { data } from '../../../lib/api';
import { formatAgo, formatBytes, formatCount, formatTime } from '../../../lib/format';
import { link, navigate, seg } from '../../../lib/router';
import { useAsync, useTitle } from '../../../lib/use-async';

async function loadDataset(name: string, signal: AbortSignal) {
  const dataset = await data.getDataset(name, { signal });
  const versions = [];
  let token: string | undefined;
  do {
    const page = await data.listVersions(name, 500, token, { signal });
    versions.push(...page.versions);
    token = page.nextPageToken;
  } while (token && versions.length < 5000);
  return { dataset, versions };
}

/** `/data/:name`: the dataset's versions; pick two to compare. */
export function DatasetPage({ name }: { name: string }) {
  useTitle(name);
  const [state, reload] = useAsync((signal) => loadDataset(name, signal), [name]);
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const crumbs = [{ label: 'Data', href: link('/data') }];
  useEffect(() => {
    const v = state.data?.versions;
    if (v && v.length >= 2 && from === null) {
      setTo(v[0]!.version);
      setFrom(v[1]!.version);
    }
  }, [state.data, from]);

  if (state.status === 'error' && !state.data) return <div className="page"><PageHeader crumbs={crumbs} title={name} /><ErrorState problem={state.problem} retry={reload} height={240} /></div>;
  if (!state.data) return <div className="page"><PageHeader crumbs={crumbs} title={name} subtitle={'\u00a0'} /><Loading label="Loading dataset…" height={480} /></div>;
  const { dataset, versions } = state.data;
  const canDiff = from !== null && to !== null && from !== to;
  return (
    <div className="page">
      <PageHeader
        crumbs={crumbs}
        title={dataset.name}
        subtitle={<span className="muted">Created {formatTime(dataset.creationTime)} · updated {formatAgo(dataset.lastUpdateTime)} · {versions.length} version{versions.length === 1 ? '' : 's'}</span>}
        actions={versions.length >= 2 ? (
          <a className={`button${canDiff ? ' primary' : ''}`} aria-disabled={!canDiff} href={canDiff ? link(`/data/${seg(name)}/diff`, { from: String(from), to: String(to) }) : undefined}>
            Compare v{from ?? '?'} → v{to ?? '?'}
          </a>
        ) : null}
      />
      {dataset.description ? <p className="description">{dataset.description}</p> : null}
      <Section title={`Versions (${versions.length})`} id="versions">
        {versions.length === 0 ? <Empty title="No versions yet" height={80}>Add one with <code>capstan data add {name} ./folder</code>.</Empty> : (
          <div className="table-scroll">
            <table className="table list-table" aria-label="Dataset versions">
              <thead>
                <tr>
                  <th scope="col" title="Compare from">From</th><th scope="col" title="Compare to">To</th>
                  <th scope="col">Version</th><th scope="col">Message</th><th scope="col" className="num">Files</th><th scope="col" className="num">Size</th>
                  <th scope="col">Created</th><th scope="col">Digest</th><th scope="col">Tags</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => {
                  const href = link(`/data/${seg(name)}/versions/${v.version}`);
                  return (
                    <tr key={v.version} className="clickable" data-version={v.version} onClick={(e) => { if (!(e.target as HTMLElement).closest('a,input,label')) navigate(href); }}>
                      <td><input type="radio" name="diff-from" aria-label={`Compare from version ${v.version}`} checked={from === v.version} onChange={() => setFrom(v.version)} /></td>
                      <td><input type="radio" name="diff-to" aria-label={`Compare to version ${v.version}`} checked={to === v.version} onChange={() => setTo(v.version)} /></td>
                      <td><a href={href}>Version {v.version}</a></td>
                      <td className="truncate" title={v.message}>{v.message || <span className="muted">—</span>}</td>
                      <td className="num">{formatCount(v.fileCount)}</td>
                      <td className="num">{formatBytes(v.totalBytes)}</td>
                      <td title={formatTime(v.creationTime)}>{formatAgo(v.creationTime)}{v.userId ? <span className="muted"> · {v.userId}</span> : null}</td>
                      <td className="mono small" title={v.digest}>{v.digest.slice(0, 12)}</td>
                      <td>{Object.entries(v.tags).map(([k, t]) => <span key={k} className="chip mono">{k}={t}</span>)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
