import { tracking } from '@capstan/api';
import type { WireMetric } from '@capstan/client';
import { client } from '../../lib/api';
import { numberOf } from '../../lib/format';

/** One run's downsampled history of a metric. */
export interface History {
  steps: number[];
  values: (number | null)[];
}

/** The server's cap on runs per bulk-interval request. */
export const MAX_CHART_RUNS = 100;

/**
 * Up to `maxResults` points per run, sampled evenly over steps by the server
 * (`get-history-bulk-interval`), grouped by run and keyed by run id.
 */
export async function fetchHistories(runIds: string[], key: string, maxResults: number, signal: AbortSignal): Promise<Map<string, History>> {
  const response = await client.call(tracking.getMetricHistoryBulkInterval, { run_ids: runIds.slice(0, MAX_CHART_RUNS), metric_key: key, max_results: maxResults }, { signal });
  const byRun = new Map<string, WireMetric[]>();
  for (const m of response.metrics ?? []) {
    const id = m.run_id ?? runIds[0]!;
    let list = byRun.get(id);
    if (!list) byRun.set(id, (list = []));
    list.push(m);
  }
  const out = new Map<string, History>();
  for (const [id, points] of byRun) {
    points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    const steps: number[] = [];
    const values: (number | null)[] = [];
    for (const p of points) {
      const v = numberOf(p.value);
      const y = v === undefined || !Number.isFinite(v) ? null : v;
      if (steps.length && steps[steps.length - 1] === p.step) values[values.length - 1] = y;
      else {
        steps.push(p.step);
        values.push(y);
      }
    }
    out.set(id, { steps, values });
  }
  return out;
}
