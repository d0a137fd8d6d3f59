import { z } from 'zod';
import type { HttpMethod, RouteContract } from '../mlflow/contracts.js';

function route<Res>() {
  return <Req extends z.ZodType>(method: HttpMethod, path: string, request: Req): RouteContract<Req, Res> => ({ method, path, request });
}

/** Drift options (the drift engine's, Evidently's precedence: per column > by type > all). */
export interface WireDriftOptions {
  stattest?: string;
  threshold?: number;
  driftShare?: number;
  byType?: Partial<Record<'num' | 'cat' | 'text', { stattest?: string; threshold?: number }>>;
  perColumn?: Record<string, { stattest?: string; threshold?: number; columnType?: 'num' | 'cat' | 'text' }>;
}
/** How a deployment is watched. */
export interface WireMonitor {
  deployment: string;
  task: 'classification' | 'regression';
  windowMs: number;
  segmentColumns: string[];
  drift: WireDriftOptions;
  predictionOutput?: string;
  scoreOutput?: string;
  positiveClass: string;
  scoreIndex: number;
  targetColumn: string;
  /** Whether the reference follows the served version's training dataset (absent: true). */
  autoReference?: boolean;
  /** Outcome of the last automatic capture of the reference. */
  referenceCapture?: WireReferenceCapture;
  createdAt: number;
  updatedAt: number;
}
/** Outcome of an automatic reference capture (from the served version's training dataset). */
export interface WireReferenceCapture {
  status: 'captured' | 'skipped' | 'failed';
  message: string;
  time: number;
  model?: string;
  version?: string;
  dataset?: string;
}
/** Metric values by name; null where undefined (no labels, one class). */
export type WireMetrics = Record<string, number | null>;
/** A reference, without its profiles. */
export interface WireReference {
  deployment: string; createdAt: number; source: string; rows: number; features: string[];
  segmentValues?: Record<string, string[]>;
  performance: WireMetrics; labeledRows: number;
  calibration: { used: boolean; reason: string } | null;
}
/** Drift of one column (Evidently's shape). */
export interface WireColumnDrift { column_type: 'num' | 'cat' | 'text'; stattest: string; score: number; threshold: number; drift_detected: boolean; exact?: boolean }
/** A drift report (the `capstan drift --json` shape). */
export interface WireDriftReport {
  dataset_drift: boolean; drift_share: number; number_of_columns: number; number_of_drifted_columns: number; share_of_drifted_columns: number;
  columns: Record<string, WireColumnDrift>; skipped_columns?: Record<string, string>;
}
/** Drift of one window. */
export interface WireDriftWindow { start: number; end: number; rows: number; mode: 'exact' | 'profile' | null; inputs: WireDriftReport | null; predictions: WireDriftReport | null; error?: string; truncated?: boolean }
/** Performance of one window. */
export interface WirePerformanceWindow { start: number; end: number; rows: number; labeledRows: number; labelCoverage: number | null; metrics: WireMetrics; estimated: WireMetrics; change: WireMetrics; bands?: Record<string, { lower: number; upper: number }>; truncated?: boolean }
/** A column's distribution in the reference and in a time range (shares of the non-missing values). */
export interface WireColumnDistribution {
  column: string;
  kind: 'num' | 'cat';
  reference: { rows: number; missing: number };
  current: { rows: number; missing: number };
  bins?: { edges: number[]; reference: number[]; current: number[] };
  categories?: { values: string[]; reference: number[]; current: number[]; other: { reference: number; current: number } };
  exact: boolean;
  truncated?: boolean;
}
/** Drift of one segment value. */
export interface WireSegmentDrift { value: string; referenceRows: number; rows: number; report: WireDriftReport | null; error?: string }
/** An alert rule. */
export interface WireAlertRule {
  id: string; deployment: string; name: string; metric: string; column?: string; comparison: 'gt' | 'gte' | 'lt' | 'lte'; threshold: number;
  windowMs: number; cooldownMs: number; severity: 'info' | 'warning' | 'critical'; enabled: boolean; createdAt: number; lastFiredAt: number | null;
}
/** A fired alert with its evidence. */
export interface WireAlert {
  id: string; ruleId: string; deployment: string; time: number; severity: string; metric: string; value: number; threshold: number; comparison: string; summary: string;
  evidence: { since: number; until: number; rows: number; labeledRows?: number; column?: string; datasetDrift?: boolean; mode?: 'exact' | 'profile'; truncated?: boolean; driftedColumns: { column: string; stattest: string; score: number; threshold: number }[] };
}
/** A webhook (the secret only in the create response). */
export interface WireWebhook { id: string; url: string; events: string[]; description: string; createdAt: number; secret?: string }
/** One delivery attempt. */
export interface WireWebhookDelivery { id: string; webhookId: string; eventId: string; eventType: string; attempt: number; time: number; status: number | null; ok: boolean; error: string | null; durationMs: number }

/** Metrics an alert rule can watch. */
export const MONITOR_ALERT_METRICS = [
  'dataset_drift_share', 'prediction_drift_share', 'column_drift_score', 'rows',
  'accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'mae', 'rmse', 'r2', 'label_coverage',
  'estimated_accuracy', 'estimated_precision', 'estimated_recall', 'estimated_f1', 'estimated_roc_auc',
] as const;

const deployment = z.string().min(1).max(63);
const ms = z.coerce.number().int().nonnegative();
const range = { since: ms.optional(), until: ms.optional() };
const columnType = z.enum(['num', 'cat', 'text']);
const override = z.object({ stattest: z.string().min(1).optional(), threshold: z.number().optional() }).strict();
const driftOptions = z.object({
  stattest: z.string().min(1).optional(),
  threshold: z.number().optional(),
  driftShare: z.number().gt(0).max(1).optional(),
  byType: z.object({ num: override.optional(), cat: override.optional(), text: override.optional() }).strict().optional(),
  perColumn: z.record(z.string(), override.extend({ columnType: columnType.optional() }).strict()).optional(),
}).strict();
const label = z.union([z.string().max(10_000), z.number().finite(), z.boolean()]);

/** The native monitoring API under `/api/v1`. */
export const monitoring = {
  createMonitor: route<{ monitor: WireMonitor }>()('POST', '/monitors', z.object({
    deployment,
    task: z.enum(['classification', 'regression']),
    windowMs: z.number().int().min(1000).max(31 * 86_400_000).optional(),
    segmentColumns: z.array(z.string().min(1).max(256)).max(20).optional(),
    drift: driftOptions.optional(),
    predictionOutput: z.string().min(1).max(256).optional(),
    scoreOutput: z.string().min(1).max(256).optional(),
    positiveClass: z.union([z.string().min(1), z.number(), z.boolean()]).transform(String).optional(),
    scoreIndex: z.number().int().min(0).max(10_000).optional(),
    targetColumn: z.string().min(1).max(256).optional(),
    autoReference: z.boolean().optional(),
  }).strict()),
  listMonitors: route<{ monitors: WireMonitor[] }>()('GET', '/monitors', z.object({})),
  getMonitor: route<{ monitor: WireMonitor; reference: WireReference | null }>()('GET', '/monitors/{deployment}', z.object({ deployment })),
  deleteMonitor: route<Record<string, never>>()('DELETE', '/monitors/{deployment}', z.object({ deployment })),
  setReference: route<{ reference: WireReference }>()('PUT', '/monitors/{deployment}/reference', z.object({
    deployment,
    records: z.array(z.unknown()).max(1_000_000).optional(),
    columns: z.record(z.string(), z.unknown()).optional(),
    since: z.number().int().nonnegative().optional(),
    until: z.number().int().nonnegative().optional(),
  }).strict()),
  captureReference: route<{ capture: WireReferenceCapture; reference: WireReference | null }>()('POST', '/monitors/{deployment}/reference/capture', z.object({ deployment }).strict()),
  drift: route<{ windowMs: number; windows: WireDriftWindow[] }>()('GET', '/monitors/{deployment}/drift', z.object({ deployment, ...range })),
  distribution: route<WireColumnDistribution>()('GET', '/monitors/{deployment}/distribution', z.object({ deployment, column: z.string().min(1).max(256), ...range })),
  segments: route<{ column: string; segments: WireSegmentDrift[]; otherRows: number; truncated?: boolean }>()('GET', '/monitors/{deployment}/segments', z.object({ deployment, column: z.string().min(1), ...range })),
  performance: route<{ windowMs: number; reference: { metrics: WireMetrics; labeledRows: number; calibration: { used: boolean; reason: string } | null } | null; windows: WirePerformanceWindow[] }>()('GET', '/monitors/{deployment}/performance', z.object({ deployment, ...range })),
  createRule: route<{ rule: WireAlertRule }>()('POST', '/monitors/{deployment}/rules', z.object({
    deployment,
    name: z.string().min(1).max(256).optional(),
    metric: z.enum(MONITOR_ALERT_METRICS),
    column: z.string().min(1).max(256).optional(),
    comparison: z.enum(['gt', 'gte', 'lt', 'lte']),
    threshold: z.number().finite(),
    windowMs: z.number().int().min(1000).max(31 * 86_400_000).optional(),
    cooldownMs: z.number().int().min(0).max(31 * 86_400_000).optional(),
    severity: z.enum(['info', 'warning', 'critical']).optional(),
  }).strict()),
  listRules: route<{ rules: WireAlertRule[] }>()('GET', '/monitors/{deployment}/rules', z.object({ deployment })),
  deleteRule: route<Record<string, never>>()('DELETE', '/alert-rules/{id}', z.object({ id: z.string().min(1) })),
  evaluate: route<{ alerts: WireAlert[] }>()('POST', '/monitors/{deployment}/evaluate', z.object({ deployment })),
  listAlerts: route<{ alerts: WireAlert[] }>()('GET', '/alerts', z.object({ deployment: deployment.optional(), since: ms.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() })),
  getAlert: route<{ alert: WireAlert }>()('GET', '/alerts/{id}', z.object({ id: z.string().min(1) })),
  feedback: route<{ created: number; updated: number }>()('POST', '/feedback', z.object({
    items: z.array(z.object({ predictionId: z.string().min(1).max(256), row: z.number().int().nonnegative().optional(), label }).strict()).min(1).max(100_000),
  }).strict()),
  createWebhook: route<{ webhook: WireWebhook }>()('POST', '/webhooks', z.object({
    url: z.string().min(1).max(2048),
    events: z.array(z.string().min(1).max(128)).max(50).optional(),
    secret: z.string().min(16).max(256).optional(),
    description: z.string().max(1000).optional(),
  }).strict()),
  listWebhooks: route<{ webhooks: WireWebhook[] }>()('GET', '/webhooks', z.object({})),
  deleteWebhook: route<Record<string, never>>()('DELETE', '/webhooks/{id}', z.object({ id: z.string().min(1) })),
  deliveries: route<{ deliveries: WireWebhookDelivery[] }>()('GET', '/webhooks/{id}/deliveries', z.object({ id: z.string().min(1), limit: z.coerce.number().int().min(1).max(1000).optional() })),
};
