/** Latency buckets in seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  count: number;
  sum: number;
  buckets: number[];
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Request counters and latency histograms per (method, route template, status), rendered in
 * the Prometheus text exposition format.
 */
export class HttpMetrics {
  private readonly series = new Map<string, Series & { method: string; route: string; status: string }>();
  private readonly started = Date.now();

  /** Records one finished request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { method, route, status: String(status), count: 0, sum: 0, buckets: BUCKETS.map(() => 0) }));
    s.count++;
    s.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) s.buckets[i]!++;
  }

  /** The exposition text. */
  render(): string {
    const lines = [
      '# HELP capstan_http_requests_total HTTP requests by method, route and status.',
      '# TYPE capstan_http_requests_total counter',
    ];
    const label = (s: { method: string; route: string; status: string }) => `method="${s.method}",route="${escapeLabel(s.route)}",status="${s.status}"`;
    for (const s of this.series.values()) lines.push(`capstan_http_requests_total{${label(s)}} ${s.count}`);
    lines.push('# HELP capstan_http_request_duration_seconds HTTP request latency by method, route and status.', '# TYPE capstan_http_request_duration_seconds histogram');
    for (const s of this.series.values()) {
      BUCKETS.forEach((b, i) => lines.push(`capstan_http_request_duration_seconds_bucket{${label(s)},le="${b}"} ${s.buckets[i]}`));
      lines.push(`capstan_http_request_duration_seconds_bucket{${label(s)},le="+Inf"} ${s.count}`);
      lines.push(`capstan_http_request_duration_seconds_sum{${label(s)}} ${s.sum}`);
      lines.push(`capstan_http_request_duration_seconds_count{${label(s)}} ${s.count}`);
    }
    const mem = process.memoryUsage();
    lines.push(
      '# HELP process_resident_memory_bytes Resident memory size in bytes.', '# TYPE process_resident_memory_bytes gauge', `process_resident_memory_bytes ${mem.rss}`,
      '# HELP capstan_uptime_seconds Seconds since the server started.', '# TYPE capstan_uptime_seconds gauge', `capstan_uptime_seconds ${(Date.now() - this.started) / 1000}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
