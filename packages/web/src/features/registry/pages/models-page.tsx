import { useEffect, useState } from 'react';
import { registry } from '@capstan/api';
import { PageHeader } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { client, quote } from '../../../lib/api';
import { formatAgo, formatTime } from '../../../lib/format';
import { link, navigate, seg, setQuery, useRoute } from '../../../lib/router';
import { useTitle } from '../../../lib/use-async';
import { usePagedList } from '../../../lib/use-paged';

const PAGE = 100;

function filterOf(q: string): string | undefined {
  if (!q) return undefined;
  // a query that already is a filter expression goes through as typed
  if (/\b(name|tags?\.[\w`"]+)\s*(=|!=|LIKE|ILIKE)/i.test(q)) return q;
  return `name ILIKE ${quote(`%${q}%`)}`;
}

/** `/models`: registered models with their latest versions and aliases; name search. */
export function ModelsPage() {
  useTitle('Models');
  const { query } = useRoute();
  const q = query.get('q') ?? '';
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  const list = usePagedList(async (token, signal) => {
    const page = await client.call(registry.searchRegisteredModels, { filter: filterOf(q), max_results: PAGE, order_by: ['name ASC'], page_token: token }, { signal });
    return { items: page.registered_models ?? [], next: page.next_page_token };
  }, [q]);

  return (
    <div className="page">
      <PageHeader title="Models" subtitle="The model registry: versions, aliases and where each version came from." />
      <form className="toolbar" role="search" onSubmit={(e) => { e.preventDefault(); setQuery({ q: text.trim() }); }}>
        <input className="input grow" type="search" placeholder="Search models by name, or a filter such as tags.team = 'search'" aria-label="Search models" value={text} onChange={(e) => setText(e.target.value)} />
        <button className="button" type="submit">Search</button>
      </form>
      {list.problem && list.items.length === 0 ? (
        <ErrorState problem={list.problem} retry={list.reload} height={240} />
      ) : !list.loaded ? (
        <Loading label="Loading models…" height={240} />
      ) : list.items.length === 0 ? (
        <Empty title={q ? `No model matches “${q}”` : 'No registered models yet'} height={240}>
          {q ? 'Try another name.' : <>Register one with <code>mlflow.register_model(...)</code> or <code>log_model(..., registered_model_name=...)</code>.</>}
        </Empty>
      ) : (
        <>
          <table className="table list-table" aria-label="Registered models">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Latest version</th>
                <th scope="col">Aliases</th>
                <th scope="col">Last updated</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => {
                const href = link(`/models/${seg(m.name)}`);
                const latest = (m.latest_versions ?? []).reduce((a, v) => Math.max(a, Number(v.version)), 0);
                return (
                  <tr key={m.name} className="clickable" onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) navigate(href); }}>
                    <td><a href={href}>{m.name}</a></td>
                    <td>{latest ? <a href={link(`/models/${seg(m.name)}/versions/${latest}`)}>Version {latest}</a> : <span className="muted">—</span>}</td>
                    <td>{(m.aliases ?? []).map((a) => <span key={a.alias} className="chip">@{a.alias} → v{a.version}</span>)}</td>
                    <td title={formatTime(m.last_updated_timestamp)}>{formatAgo(m.last_updated_timestamp)}</td>
                    <td className="truncate muted" title={m.description}>{m.description}</td>
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
