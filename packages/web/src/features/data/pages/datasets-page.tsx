import { PageHeader } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { data } from '../../../lib/api';
import { formatAgo, formatTime } from '../../../lib/format';
import { link, navigate, seg } from '../../../lib/router';
import { useTitle } from '../../../lib/use-async';
import { usePagedList } from '../../../lib/use-paged';

/** `/data`: versioned datasets, by name. */
export function DatasetsPage() {
  useTitle('Data');
  const list = usePagedList(async (token, signal) => {
    const page = await data.listDatasets(200, token, { signal });
    return { items: page.datasets, next: page.nextPageToken };
  }, []);
  return (
    <div className="page">
      <PageHeader title="Data" subtitle="Versioned datasets: immutable, content-addressed versions, their profiles, diffs and validation reports." />
      {list.problem && list.items.length === 0 ? <ErrorState problem={list.problem} retry={list.reload} height={240} />
        : !list.loaded ? <Loading label="Loading datasets…" height={240} />
        : list.items.length === 0 ? <Empty title="No datasets yet" height={240}>Version a folder with <code>capstan data add customers ./data</code>.</Empty>
        : (
          <>
            <table className="table list-table" aria-label="Datasets">
              <thead><tr><th scope="col">Name</th><th scope="col">Latest version</th><th scope="col">Updated</th><th scope="col">Description</th></tr></thead>
              <tbody>
                {list.items.map((d) => {
                  const href = link(`/data/${seg(d.name)}`);
                  return (
                    <tr key={d.name} className="clickable" onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) navigate(href); }}>
                      <td><a href={href}>{d.name}</a></td>
                      <td>{d.latestVersion ? <a href={link(`/data/${seg(d.name)}/versions/${d.latestVersion}`)}>Version {d.latestVersion}</a> : <span className="muted">none yet</span>}</td>
                      <td title={formatTime(d.lastUpdateTime)}>{formatAgo(d.lastUpdateTime)}</td>
                      <td className="truncate muted" title={d.description}>{d.description}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {list.problem ? <ErrorState problem={list.problem} retry={list.loadMore} height={60} /> : null}
            {list.hasMore ? <div className="more"><button className="button" type="button" onClick={list.loadMore} disabled={list.loading}>{list.loading ? 'Loading…' : 'Load more'}</button></div> : null}
          </>
        )}
    </div>
  );
}
