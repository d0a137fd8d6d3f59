import { PageHeader, Section } from '../../../components/page';
import { Empty, ErrorState, Loading } from '../../../components/states';
import { formatDuration, formatTime } from '../../../lib/format';
import { link, navigate, seg } from '../../../lib/router';
import { useTitle } from '../../../lib/use-async';
import { usePoll } from '../../../lib/use-poll';
import { monitor } from '../api';
import { AlertsTable } from '../components/alerts-table';

async function load(signal: AbortSignal) {
  const [monitors, alerts] = await Promise.all([monitor.list(signal), monitor.alerts({ limit: 100 }, signal)]);
  return { monitors, alerts };
}

/** `/monitoring`: watched deployments and the latest alerts. */
export function MonitoringPage() {
  useTitle('Monitoring');
  const [state, reload] = usePoll(load, [], 10_000);
  const d = state.data;
  return (
    <div className="page">
      <PageHeader title="Monitoring" subtitle="Drift, performance with label arrival, and alerts for deployed models." />
      {state.status === 'error' && !d ? <ErrorState problem={state.problem} retry={reload} height={240} /> : !d ? <Loading label="Loading monitors…" height={240} /> : (
        <>
          <Section title={`Monitors (${d.monitors.length})`} id="monitors">
            {d.monitors.length === 0 ? <Empty title="No deployment is monitored yet" height={120}>Watch one with <code>POST /api/v1/monitors</code> (a deployment, its task and a reference).</Empty> : (
              <table className="table list-table" aria-label="Monitors">
                <thead><tr><th scope="col">Deployment</th><th scope="col">Task</th><th scope="col">Window</th><th scope="col">Segments</th><th scope="col" className="num">Alerts</th><th scope="col">Created</th></tr></thead>
                <tbody>
                  {d.monitors.map((m) => {
                    const href = link(`/monitoring/${seg(m.deployment)}`);
                    const n = d.alerts.filter((a) => a.deployment === m.deployment).length;
                    return (
                      <tr key={m.deployment} className="clickable" onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) navigate(href); }}>
                        <td><a href={href}>{m.deployment}</a></td>
                        <td>{m.task}</td>
                        <td>{formatDuration(m.windowMs)}</td>
                        <td className="mono small">{m.segmentColumns.join(', ') || <span className="muted">—</span>}</td>
                        <td className="num">{n ? <span className="badge badge-warning">{n}</span> : 0}</td>
                        <td>{formatTime(m.createdAt)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Latest alerts" id="alerts">
            <AlertsTable alerts={d.alerts} />
          </Section>
        </>
      )}
    </div>
  );
}
