import type { PredictionTiming } from '../../ports/deployment-store.js';

/** Traffic of one version in one time bucket. */
export interface TimelinePoint {
  /** Bucket start (ms since epoch). */
  time: number;
  version: string;
  shadow: boolean;
  requests: number;
  errors: number;
  /** Requests per second over the bucket. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Buckets logged predictions by time and version: request rate, errors and latency
 * percentiles, for the deployment page's charts. Empty buckets are left out.
 */
export function buildTimeline(timings: readonly PredictionTiming[], since: number, bucketMs: number): TimelinePoint[] {
  const groups = new Map<string, { time: number; version: string; shadow: boolean; latencies: number[]; errors: number }>();
  for (const t of timings) {
    const time = since + Math.floor((t.time - since) / bucketMs) * bucketMs;
    const key = `${time}|${t.version}|${t.shadow ? 1 : 0}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { time, version: t.version, shadow: t.shadow, latencies: [], errors: 0 }));
    g.latencies.push(t.latencyMs);
    if (!t.ok) g.errors++;
  }
  const pick = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return [...groups.values()]
    .sort((a, b) => a.time - b.time || a.version.localeCompare(b.version))
    .map((g) => {
      const sorted = g.latencies.sort((a, b) => a - b);
      return { time: g.time, version: g.version, shadow: g.shadow, requests: sorted.length, errors: g.errors, rate: sorted.length / (bucketMs / 1000), p50Ms: pick(sorted, 0.5), p99Ms: pick(sorted, 0.99) };
    });
}
