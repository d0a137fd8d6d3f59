import type { PayloadLogCounters } from './payload-log.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

interface Histogram {
  labels: string;
  count: number;
  sum: number;
  buckets: number[];
}

function bump(h: Histogram, value: number, bounds: number[]): void {
  h.count++;
  h.sum += value;
  for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) h.buckets[i]!++;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Prometheus series per deployment and version: requests by outcome, latency histogram,
 * batch sizes (requests and rows per model call), shadow requests, and the payload log's
 * written/dropped counters.
 */
export class ServingMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly batchRows = new Map<string, Histogram>();
  private readonly batchRequests = new Map<string, Histogram>();

  /** Records one prediction. `outcome` is ok, client_error (rejected input) or error. */
  observe(deployment: string, version: string, outcome: 'ok' | 'client_error' | 'error', seconds: number, shadow = false): void {
    const labels = `deployment="${esc(deployment)}",version="${esc(version)}"${shadow ? ',shadow="true"' : ''}`;
    const key = `${labels},outcome="${outcome}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (outcome === 'client_error') return;
    let h = this.latency.get(labels);
    if (!h) this.latency.set(labels, (h = { labels, count: 0, sum: 0, buckets: LATENCY_BUCKETS.map(() => 0) }));
    bump(h, seconds, LATENCY_BUCKETS);
  }

  /** Records one model call merging `requests` requests of `rows` rows in total. */
  observeBatch(version: string, requests: number, rows: number): void {
    const labels = `version="${esc(version)}"`;
    for (const [map, value] of [[this.batchRows, rows], [this.batchRequests, requests]] as const) {
      let h = map.get(labels);
      if (!h) map.set(labels, (h = { labels, count: 0, sum: 0, buckets: BATCH_BUCKETS.map(() => 0) }));
      bump(h, value, BATCH_BUCKETS);
    }
  }

  /** The exposition text. */
  render(log: PayloadLogCounters): string {
    const lines = ['# HELP capstan_predictions_total Predictions by deployment, version and outcome.', '# TYPE capstan_predictions_total counter'];
    for (const [k, v] of this.requests) lines.push(`capstan_predictions_total{${k}} ${v}`);
    histogram(lines, 'capstan_prediction_duration_seconds', 'Prediction latency (decode, queue, model) by deployment and version.', this.latency, LATENCY_BUCKETS);
    histogram(lines, 'capstan_batch_rows', 'Rows per model call.', this.batchRows, BATCH_BUCKETS);
    histogram(lines, 'capstan_batch_requests', 'Requests merged into one model call.', this.batchRequests, BATCH_BUCKETS);
    lines.push(
      '# HELP capstan_payload_log_records_total Prediction log records by fate.', '# TYPE capstan_payload_log_records_total counter',
      `capstan_payload_log_records_total{fate="written"} ${log.written}`,
      `capstan_payload_log_records_total{fate="dropped"} ${log.dropped}`,
      `capstan_payload_log_records_total{fate="failed"} ${log.failedWrites}`,
      '# HELP capstan_payload_log_buffered Prediction log records waiting to be written.', '# TYPE capstan_payload_log_buffered gauge',
      `capstan_payload_log_buffered ${log.buffered}`,
    );
    return `${lines.join('\n')}\n`;
  }
}

function histogram(lines: string[], name: string, help: string, map: Map<string, Histogram>, bounds: number[]): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  for (const h of map.values()) {
    bounds.forEach((b, i) => lines.push(`${name}_bucket{${h.labels},le="${b}"} ${h.buckets[i]}`));
    lines.push(`${name}_bucket{${h.labels},le="+Inf"} ${h.count}`, `${name}_sum{${h.labels}} ${h.sum}`, `${name}_count{${h.labels}} ${h.count}`);
  }
}
