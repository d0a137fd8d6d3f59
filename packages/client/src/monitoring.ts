import {
  monitoring as routes,
  type WireAlert, type WireAlertRule, type WireColumnDistribution, type WireDriftOptions, type WireDriftWindow, type WireMetrics, type WireMonitor, type WirePerformanceWindow,
  type WireReference, type WireReferenceCapture, type WireSegmentDrift, type WireWebhook, type WireWebhookDelivery,
} from '@capstan/api';
import { Transport, type CallOptions, type TransportOptions } from './http.js';

/** How a deployment is watched (see {@link MonitoringApi.create}). */
export interface MonitorOptions {
  task: 'classification' | 'regression';
  /** Window width in ms (default one hour). */
  windowMs?: number;
  /** Categorical inputs watched per value. */
  segmentColumns?: string[];
  drift?: WireDriftOptions;
  predictionOutput?: string;
  scoreOutput?: string;
  positiveClass?: string | number | boolean;
  scoreIndex?: number;
  targetColumn?: string;
  /** Follow the served version's training dataset for the reference (default true). */
  autoReference?: boolean;
}

/** A time range in ms since the epoch (defaults: the last 24 windows). */
export interface TimeRange { since?: number; until?: number }

/** An alert rule (see {@link MonitoringApi.addRule}). */
export interface RuleOptions {
  metric: WireAlertRule['metric'];
  column?: string;
  comparison: 'gt' | 'gte' | 'lt' | 'lte';
  threshold: number;
  windowMs?: number;
  cooldownMs?: number;
  severity?: 'info' | 'warning' | 'critical';
  name?: string;
}

/** One ground-truth label. */
export interface FeedbackItem { predictionId: string; row?: number; label: string | number | boolean }

/**
 * Monitoring of deployments (native `/api/v1`): monitors, references, drift, segments,
 * performance, feedback, alert rules, alerts and webhooks.
 * @example
 * const mon = new MonitoringApi({ baseUrl: 'http://127.0.0.1:5000' });
 * await mon.create('churn', { task: 'classification', positiveClass: 'yes', segmentColumns: ['plan'] });
 * await mon.setReference('churn', { records: trainingRows });
 * const { windows } = await mon.drift('churn');
 */
export class MonitoringApi {
  readonly transport: Transport;

  constructor(options: TransportOptions) {
    this.transport = new Transport({ ...options, apiPrefix: '/api/v1' });
  }

  async create(deployment: string, options: MonitorOptions, call?: CallOptions): Promise<WireMonitor> {
    return (await this.transport.call(routes.createMonitor, { deployment, ...options } as never, call)).monitor;
  }

  async list(call?: CallOptions): Promise<WireMonitor[]> {
    return (await this.transport.call(routes.listMonitors, {}, call)).monitors;
  }

  /** A monitor and a summary of its reference. */
  get(deployment: string, call?: CallOptions): Promise<{ monitor: WireMonitor; reference: WireReference | null }> {
    return this.transport.call(routes.getMonitor, { deployment }, call);
  }

  async delete(deployment: string, call?: CallOptions): Promise<void> {
    await this.transport.call(routes.deleteMonitor, { deployment }, call);
  }

  /** Sets the reference from rows (`records` or `columns`), or from a window of the deployment's own log (`since`, `until`). */
  async setReference(deployment: string, source: { records: Record<string, unknown>[] } | { columns: Record<string, unknown[]> } | { since: number; until: number }, call?: CallOptions): Promise<WireReference> {
    return (await this.transport.call(routes.setReference, { deployment, ...source } as never, call)).reference;
  }

  /**
   * Takes the reference from the training dataset of the version the deployment serves now (done
   * on its own on monitor creation and deployment changes); a reference set by hand is kept.
   */
  captureReference(deployment: string, call?: CallOptions): Promise<{ capture: WireReferenceCapture; reference: WireReference | null }> {
    return this.transport.call(routes.captureReference, { deployment }, call);
  }

  /** Drift of inputs and predictions per window (a series for a heat map). */
  drift(deployment: string, range: TimeRange = {}, call?: CallOptions): Promise<{ windowMs: number; windows: WireDriftWindow[] }> {
    return this.transport.call(routes.drift, { deployment, ...range }, call);
  }

  /** A column's distribution in the reference (any source) and in a time range, for charts. */
  distribution(deployment: string, column: string, range: TimeRange = {}, call?: CallOptions): Promise<WireColumnDistribution> {
    return this.transport.call(routes.distribution, { deployment, column, ...range }, call);
  }

  /** Drift within each top value of a segment column. */
  segments(deployment: string, column: string, range: TimeRange = {}, call?: CallOptions): Promise<{ column: string; segments: WireSegmentDrift[]; otherRows: number }> {
    return this.transport.call(routes.segments, { deployment, column, ...range }, call);
  }

  /** Realised and estimated performance per window, label coverage and the change against the reference. */
  performance(deployment: string, range: TimeRange = {}, call?: CallOptions): Promise<{ windowMs: number; reference: { metrics: WireMetrics; labeledRows: number; calibration: { used: boolean; reason: string } | null } | null; windows: WirePerformanceWindow[] }> {
    return this.transport.call(routes.performance, { deployment, ...range }, call);
  }

  /** Sends ground-truth labels; the whole batch is refused if any prediction id is unknown. */
  feedback(items: FeedbackItem[], call?: CallOptions): Promise<{ created: number; updated: number }> {
    return this.transport.call(routes.feedback, { items } as never, call);
  }

  async addRule(deployment: string, rule: RuleOptions, call?: CallOptions): Promise<WireAlertRule> {
    return (await this.transport.call(routes.createRule, { deployment, ...rule } as never, call)).rule;
  }

  async rules(deployment: string, call?: CallOptions): Promise<WireAlertRule[]> {
    return (await this.transport.call(routes.listRules, { deployment }, call)).rules;
  }

  async deleteRule(id: string, call?: CallOptions): Promise<void> {
    await this.transport.call(routes.deleteRule, { id }, call);
  }

  /** Evaluates a monitor's rules now; returns the alerts that fired. */
  async evaluate(deployment: string, call?: CallOptions): Promise<WireAlert[]> {
    return (await this.transport.call(routes.evaluate, { deployment }, call)).alerts;
  }

  /** Alerts, newest first. */
  async alerts(query: { deployment?: string; since?: number; limit?: number } = {}, call?: CallOptions): Promise<WireAlert[]> {
    return (await this.transport.call(routes.listAlerts, query, call)).alerts;
  }

  async alert(id: string, call?: CallOptions): Promise<WireAlert> {
    return (await this.transport.call(routes.getAlert, { id }, call)).alert;
  }

  /** Adds a webhook for platform events (`drift.alert`, ... or `*`); the returned secret is shown only here. */
  async addWebhook(url: string, options: { events?: string[]; secret?: string; description?: string } = {}, call?: CallOptions): Promise<WireWebhook> {
    return (await this.transport.call(routes.createWebhook, { url, ...options }, call)).webhook;
  }

  async webhooks(call?: CallOptions): Promise<WireWebhook[]> {
    return (await this.transport.call(routes.listWebhooks, {}, call)).webhooks;
  }

  async deleteWebhook(id: string, call?: CallOptions): Promise<void> {
    await this.transport.call(routes.deleteWebhook, { id }, call);
  }

  /** Delivery attempts of a webhook, newest first. */
  async deliveries(id: string, limit?: number, call?: CallOptions): Promise<WireWebhookDelivery[]> {
    return (await this.transport.call(routes.deliveries, { id, ...(limit ? { limit } : {}) }, call)).deliveries;
  }
}
