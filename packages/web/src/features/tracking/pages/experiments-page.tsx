import { useEffect, useState } from 'react';
import { tracking } from '@capstan/api';
import { PageHeader } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { client, quote } from '../../../lib/api';
import { formatAgo, formatTime } from '../../../lib/format';
import { link, navigate, seg, setQuery, useRoute } from '../../../lib/router';
import { useTitle } from '../../../lib/use-async';
import { usePagedList } from '../../../lib/use-paged';

const PAGE = 200;

/** `/experiments`: every experiment, latest activity first, with a name search. */
export function ExperimentsPage() {
  useTitle('Experiments');
  const { query } = useRoute();
  const q = query.get('q') ?? '';
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);

  const list = usePagedList(async (token, signal) => {
    const page = await client.call(tracking.searchExperiments, {
      filter: q ? `name ILIKE ${quote(`%${q}%`)}` : undefined,
      max_results: PAGE,
      order_by: ['last_update_time DESC'],
      page_token: token,
    }, { signal });
    return { items: page.experiments ?? [], next: page.next_page_token };
  }, [q]);

  return (
    <div className="page">
      <PageHeader title="Experiments" subtitle="Runs are grouped in experiments. Open one to see, filter and compare its runs." />
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ q: text.trim() });
        }}
      >
        <input className="input grow" type="search" placeholder="Search experiments by name" aria-label="Search experiments by name" value={text} onChange={(e) => setText(e.target.value)} />
        <button className="button" type="submit">Search</button>
      </form>
      {list.problem && list.items.length === 0 ? (
        <ErrorState problem={list.problem} retry={list.reload} height={240} />
      ) : !list.loaded ? (
        <Loading label="Loading experiments…" height={240} />
      ) : list.items.length === 0 ? (
        <Empty title={q ? `No experiment matches “${q}”` : 'No experiments yet'} height={240}>
          {q ? 'Try another name.' : <>Create one with <code>mlflow.set_experiment("name")</code> or <code>npx capstan experiments create name</code>.</>}
        </Empty>
      ) : (
        <>
          <table className="table list-table" aria-label="Experiments">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">ID</th>
                <th scope="col">Created</th>
                <th scope="col">Last activity</th>
                <th scope="col">Artifact location</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((e) => {
                const href = link(`/experiments/${seg(e.experiment_id)}`);
                return (
                  <tr key={e.experiment_id} className="clickable" onClick={(ev) => { if (!(ev.target as HTMLElement).closest('a')) navigate(href); }}>
                    <td><a href={href}>{e.name}</a></td>
                    <td className="num mono">{e.experiment_id}</td>
                    <td>{formatTime(e.creation_time)}</td>
                    <td title={formatTime(e.last_update_time)}>{formatAgo(e.last_update_time)}</td>
                    <td className="mono muted truncate" title={e.artifact_location}>{e.artifact_location}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {list.problem ? <ErrorState problem={list.problem} retry={list.loadMore} height={60} /> : null}
          {list.hasMore ? (
            <div className="more">
              <button className="button" type="button" onClick={list.loadMore} disabled={list.loading}>{list.loading ? 'Loading…' : 'Load more'}</button>
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}
