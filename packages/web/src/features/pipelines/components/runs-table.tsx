import type { WirePipelineRun } from '@capstan/api';
import { Badge } from '../../../components/page';
import { Empty } from '../../../components/states';
import { formatAgo, formatDuration, formatTime } from '../../../lib/format';
import { link, navigate, seg } from '../../../lib/router';

/** Pipeline runs, newest first: status, pipeline, how it started, when and how long. */
export function RunsTable({ runs, showPipeline = true, label = 'Pipeline runs' }: { runs: WirePipelineRun[]; showPipeline?: boolean; label?: string }) {
  if (runs.length === 0) return <Empty title="No runs yet" height={80}>Start one with <code>capstan pipeline run pipeline.yaml</code>.</Empty>;
  return (
    <table className="table list-table" aria-label={label}>
      <thead>
        <tr><th scope="col">Run</th><th scope="col">Status</th>{showPipeline ? <th scope="col">Pipeline</th> : null}<th scope="col">Started by</th><th scope="col">Created</th><th scope="col" className="num">Duration</th></tr>
      </thead>
      <tbody>
        {runs.map((r) => {
          const href = link(`/pipeline-runs/${seg(r.runId)}`);
          const end = r.endedAt ?? (r.startedAt ? Date.now() : undefined);
          return (
            <tr key={r.runId} className="clickable" data-run={r.runId} onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) navigate(href); }}>
              <td><a className="mono" href={href}>{r.runId.slice(0, 8)}</a></td>
              <td><Badge value={r.status} /></td>
              {showPipeline ? <td><a href={link(`/pipelines/${seg(r.pipeline)}`)}>{r.pipeline}</a></td> : null}
              <td className="small">{r.trigger ? <>{r.trigger.kind}{r.trigger.detail ? <span className="muted"> · {r.trigger.detail}</span> : null}</> : <span className="muted">—</span>}</td>
              <td title={formatTime(r.createdAt)}>{formatAgo(r.createdAt)}</td>
              <td className="num">{r.startedAt && end ? formatDuration(end - r.startedAt) : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
