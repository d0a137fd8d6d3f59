import type { WireAlert } from '@capstan/api';
import { Badge } from '../../../components/page';
import { Empty } from '../../../components/states';
import { formatAgo, formatTime, formatValue } from '../../../lib/format';
import { link, navigate, seg } from '../../../lib/router';

const SYMBOL: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤' };

/** Fired alerts, newest first: severity, deployment, what crossed which threshold, and the drifted columns. */
export function AlertsTable({ alerts, showDeployment = true }: { alerts: WireAlert[]; showDeployment?: boolean }) {
  if (alerts.length === 0) return <Empty title="No alerts" height={80}>Alert rules fire when a window crosses their threshold.</Empty>;
  return (
    <table className="table list-table" aria-label="Alerts">
      <thead><tr><th scope="col">When</th><th scope="col">Severity</th>{showDeployment ? <th scope="col">Deployment</th> : null}<th scope="col">Condition</th><th scope="col">Evidence</th></tr></thead>
      <tbody>
        {alerts.map((a) => {
          const href = link(`/alerts/${seg(a.id)}`);
          return (
            <tr key={a.id} className="clickable" data-alert={a.id} onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) navigate(href); }}>
              <td title={formatTime(a.time)}><a href={href}>{formatAgo(a.time)}</a></td>
              <td><Badge value={a.severity} kind={`severity-${a.severity}`} /></td>
              {showDeployment ? <td><a href={link(`/monitoring/${seg(a.deployment)}`)}>{a.deployment}</a></td> : null}
              <td className="mono small">{a.metric}{a.evidence.column ? `(${a.evidence.column})` : ''} = {formatValue(a.value)} {SYMBOL[a.comparison] ?? a.comparison} {formatValue(a.threshold)}</td>
              <td className="small">{a.evidence.rows} rows{a.evidence.labeledRows !== undefined ? `, ${a.evidence.labeledRows} labelled` : ''}{a.evidence.driftedColumns.length ? ` · drifted: ${a.evidence.driftedColumns.map((c) => c.column).join(', ')}` : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
