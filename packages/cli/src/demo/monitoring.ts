import { monitoring as routes, type WireAlert } from '@capstan/api';
import { Transport } from '@capstan/client';
import type { DemoConsole } from './console.js';
import { DEMO } from './pipeline.js';
import { featuresOf, type Day } from './weather.js';

/** An alert as the demo reports it. */
export interface DemoAlert {
  rule: string;
  summary: string;
  columns: string[];
}

/**
 * Monitoring of the demo deployment through the native API: a monitor with the training days as
 * reference, a drift rule and an accuracy rule (their alerts start the retraining pipeline,
 * whose trigger listens for `drift.alert` on this deployment), ground truth as it arrives.
 */
export class DemoMonitoring {
  private readonly api: Transport;
  private readonly seen = new Set<string>();
  private since = 0;

  constructor(url: string, private readonly windowMs: number) {
    this.api = new Transport({ baseUrl: url, apiPrefix: '/api/v1' });
  }

  /** Creates the monitor, its reference and its alert rules. */
  async setup(history: readonly Day[], log: DemoConsole): Promise<void> {
    this.since = Date.now();
    await this.api.call(routes.createMonitor, { deployment: DEMO.deployment, task: 'classification', windowMs: this.windowMs, predictionOutput: 'label' });
    const reference = await this.api.call(routes.setReference, { deployment: DEMO.deployment, records: history.map(featuresOf) });
    const rules = [
      { name: 'input drift', metric: 'dataset_drift_share' as const, comparison: 'gte' as const, threshold: 0.5 },
      { name: 'accuracy floor', metric: 'accuracy' as const, comparison: 'lt' as const, threshold: 0.8 },
    ];
    for (const r of rules) {
      await this.api.call(routes.createRule, { deployment: DEMO.deployment, ...r, windowMs: this.windowMs * 3, cooldownMs: this.windowMs * 6, severity: 'warning' });
    }
    log.info(`monitor: reference of ${reference.reference.rows} training days over ${reference.reference.features.join(', ')}; rules: dataset drift share ≥ 0.5, accuracy < 0.8 (windows of ${this.windowMs / 1000} s)`);
  }

  /** Sends ground truth for earlier predictions. */
  async feedback(items: { predictionId: string; label: string }[]): Promise<void> {
    if (items.length) await this.api.call(routes.feedback, { items });
  }

  /** Alerts fired since the last call. */
  async newAlerts(): Promise<DemoAlert[]> {
    const { alerts } = await this.api.call(routes.listAlerts, { deployment: DEMO.deployment, since: this.since });
    const fresh = alerts.filter((a: WireAlert) => !this.seen.has(a.id)).sort((a, b) => a.time - b.time);
    for (const a of fresh) this.seen.add(a.id);
    return fresh.map((a) => ({ rule: a.metric, summary: a.summary, columns: a.evidence.driftedColumns.map((c) => c.column) }));
  }

  /** Drift and performance per window, for the summary. */
  async report(): Promise<{ driftWindows: number; driftedWindows: number; performance: { start: number; accuracy: number | null; labeled: number }[] }> {
    const drift = await this.api.call(routes.drift, { deployment: DEMO.deployment, since: this.since });
    const perf = await this.api.call(routes.performance, { deployment: DEMO.deployment, since: this.since });
    return {
      driftWindows: drift.windows.filter((w) => w.inputs).length,
      driftedWindows: drift.windows.filter((w) => w.inputs?.dataset_drift).length,
      performance: perf.windows.filter((w) => w.labeledRows > 0).map((w) => ({ start: w.start, accuracy: w.metrics.accuracy ?? null, labeled: w.labeledRows })),
    };
  }
}
