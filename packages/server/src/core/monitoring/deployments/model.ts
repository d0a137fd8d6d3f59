/**
 * The monitoring domain: monitors of deployments, their reference, ground-truth labels, alert
 * rules, alerts and webhooks. Plain data, stored by a {@link MonitoringStore}.
 */
import type { DriftOptions } from '../drift/types.js';
import type { SerializedDatasetProfile } from '../profile/index.js';
import type { ReferenceCapture } from './auto-reference.js';

/** What a deployment's model predicts. */
export type MonitorTask = 'classification' | 'regression';

/** How a deployment is watched. */
export interface MonitorConfig {
  /** The monitored deployment (one monitor per deployment). */
  deployment: string;
  task: MonitorTask;
  /** Width of a window in ms; windows start at multiples of it since the epoch. */
  windowMs: number;
  /** Categorical input columns whose values are watched as slices. */
  segmentColumns: string[];
  /** Options of the drift engine (stattest, thresholds, drift share). */
  drift: DriftOptions;
  /** Output holding the predicted label (classifiers) or value (regressors); default `label` or the first output. */
  predictionOutput?: string;
  /** Output holding class probabilities (classifiers); default `probabilities` when present. */
  scoreOutput?: string;
  /** The positive class of a classifier, compared as a string (default "1"). */
  positiveClass: string;
  /** Column of the probability matrix that holds P(positive) (default 1). */
  scoreIndex: number;
  /** Name of the label column in reference rows (default `target`). */
  targetColumn: string;
  /**
   * Take the reference from the training dataset of the version the deployment serves, whenever
   * it changes, unless one is set by hand (default true).
   */
  autoReference?: boolean;
  /** Outcome of the last automatic capture. */
  referenceCapture?: ReferenceCapture;
  createdAt: number;
  updatedAt: number;
}

/** Isotonic calibration of scores (NannyML's CBPE) or why none is used. */
export interface Calibration {
  /** Whether the calibrator is applied (NannyML's needs-calibration rule). */
  used: boolean;
  reason: string;
  /** Step function: thresholds and values of the fitted isotonic regression. */
  x: number[];
  y: number[];
}

/** Performance numbers, by metric name (accuracy, f1, rmse, ...). */
export type Metrics = Record<string, number | null>;

/** A monitor's reference: profiles of the training (or a baseline) data. */
export interface Reference {
  deployment: string;
  createdAt: number;
  /** Where it came from: `rows`, `log:<since>-<until>` or `dataset:NAME@V for MODEL/VERSION` (automatic). */
  source: string;
  rows: number;
  /** Input columns (the features). */
  features: string[];
  /** Profile of the features plus `prediction`/`score` when present. */
  profile: SerializedDatasetProfile;
  /** Per segment column, per top value: the profile of that slice. */
  segments: Record<string, Record<string, SerializedDatasetProfile>>;
  /** The raw columns when the reference is small enough for exact mode; null otherwise. */
  raw: Record<string, (number | string | null)[]> | null;
  /** Performance on labeled reference rows (null metrics when there are none). */
  performance: Metrics;
  /** Labeled reference rows. */
  labeledRows: number;
  calibration: Calibration | null;
  /**
   * Population standard deviation of per-row quantities on the labeled reference (NannyML's
   * sampling-error basis): `accuracy` is the std of "prediction correct".
   */
  samplingStd?: Record<string, number>;
}

/** A ground-truth label of one row of a logged prediction. */
export interface FeedbackRecord {
  predictionId: string;
  /** Row within the prediction's batch (0 for single-row requests). */
  row: number;
  deployment: string;
  /** When the prediction was made. */
  predictionTime: number;
  label: string | number | boolean;
  /** When the label first arrived. */
  receivedAt: number;
  /** When it last changed. */
  updatedAt: number;
}

/** Metrics an alert rule can watch. */
export const ALERT_METRICS = [
  'dataset_drift_share', 'prediction_drift_share', 'column_drift_score', 'rows',
  'accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'mae', 'rmse', 'r2', 'label_coverage',
  'estimated_accuracy', 'estimated_precision', 'estimated_recall', 'estimated_f1', 'estimated_roc_auc',
] as const;
/** A metric an alert rule watches. */
export type AlertMetric = (typeof ALERT_METRICS)[number];
/** How a value is compared with the threshold. */
export type Comparison = 'gt' | 'gte' | 'lt' | 'lte';
/** Alert severity. */
export type Severity = 'info' | 'warning' | 'critical';

/** A condition evaluated on a schedule over the most recent `windowMs`. */
export interface AlertRule {
  id: string;
  deployment: string;
  name: string;
  metric: AlertMetric;
  /** The column, for `column_drift_score`. */
  column?: string;
  comparison: Comparison;
  threshold: number;
  windowMs: number;
  cooldownMs: number;
  severity: Severity;
  enabled: boolean;
  createdAt: number;
  /** When it last fired (null: never). */
  lastFiredAt: number | null;
}

/** A column's drift as alert evidence. */
export interface DriftedColumn { column: string; stattest: string; score: number; threshold: number }

/** A fired rule and what it saw. */
export interface Alert {
  id: string;
  ruleId: string;
  deployment: string;
  time: number;
  severity: Severity;
  metric: AlertMetric;
  value: number;
  threshold: number;
  comparison: Comparison;
  summary: string;
  evidence: {
    since: number;
    until: number;
    rows: number;
    labeledRows?: number;
    column?: string;
    driftedColumns: DriftedColumn[];
    datasetDrift?: boolean;
    mode?: 'exact' | 'profile';
    /** Set when the window held more than `maxRecords` requests and only the oldest were read. */
    truncated?: boolean;
  };
}

/** A subscriber to platform events over HTTP. */
export interface Webhook {
  id: string;
  url: string;
  /** Event types (`drift.alert`, ...) or `*` for all. */
  events: string[];
  /** HMAC-SHA256 key; only returned when the webhook is created. */
  secret: string;
  description: string;
  createdAt: number;
}

/** One attempt to deliver an event to a webhook. */
export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  time: number;
  /** HTTP status (null when no response). */
  status: number | null;
  ok: boolean;
  error: string | null;
  durationMs: number;
}

/** One window's profile of a deployment's log, kept by the background profiler. */
export interface ProfileBucket {
  /** Window start (a multiple of the monitor's window since the epoch). */
  start: number;
  /** Rows folded in. */
  rows: number;
  profile: SerializedDatasetProfile;
}

/** How far the profiler has read a log: the (time, id) of the last request folded in. */
export interface LogWatermark {
  time: number;
  id: string;
}
