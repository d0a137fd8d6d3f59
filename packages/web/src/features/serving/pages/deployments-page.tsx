import { PageHeader, Badge } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { serving } from '../../../lib/api';
import { formatAgo, formatTime } from '../../../lib/format';
import { link, navigate, seg } from '../../../lib/router';
import { useTitle } from '../../../lib/use-async';
import { usePoll } from '../../../lib/use-poll';
import { describeSpec } from '../traffic';

/** `/deployments`: every deployment with what it serves and whether a canary runs. */
export function DeploymentsPage() {
  useTitle('Deployments');
  const [state, reload] = usePoll((signal) => serving.list({ signal }), [], 10_000);
  const items = state.data ? [...state.data].sort((a, b) => a.name.localeCompare(b.name)) : undefined;
  return (
    <div className="page">
      <PageHeader title="Deployments" subtitle="Model versions behind an endpoint: traffic split, canaries, shadows and their history." />
      {state.status === 'error' && !items ? <ErrorState problem={state.problem} retry={reload} height={240} />
        : !items ? <Loading label="Loading deployments…" height={240} />
        : items.length === 0 ? (
          <Empty title="No deployments yet" height={240}>Create one with <code>capstan deploy create churn --model models:/churn@champion</code>.</Empty>
        ) : (
          <table className="table list-table" aria-label="Deployments">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Serving</th><th scope="col">Canary</th><th scope="col">Revision</th><th scope="col">Updated</th><th scope="col">Endpoint</th></tr>
            </thead>
            <tbody>
              {items.map((d) => {
                const href = link(`/deployments/${seg(d.name)}`);
                const canary = d.spec.canary;
                return (
                  <tr key={d.name} className="clickable" onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) navigate(href); }}>
                    <td><a href={href}>{d.name}</a></td>
                    <td className="mono small">{describeSpec(d.spec)}</td>
                    <td>{canary ? <><Badge value={canary.status.replace('_', ' ')} kind={`canary-${canary.status}`} /> <span className="small muted">{canary.candidate.model}/v{canary.candidate.version}</span></> : <span className="muted">—</span>}</td>
                    <td className="num">{d.revision}</td>
                    <td title={formatTime(d.updatedAt)}>{formatAgo(d.updatedAt)}{d.createdBy ? <span className="muted"> · {d.createdBy}</span> : null}</td>
                    <td className="mono small">/v2/models/{d.name}/infer</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      {state.status === 'error' && items ? <ErrorState problem={state.problem} retry={reload} height={60} /> : null}
    </div>
  );
}
