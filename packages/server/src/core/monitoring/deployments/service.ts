/**
 * Monitoring of deployments: references, drift of inputs and predictions per window, segments,
 * ground-truth labels and performance (realised and CBPE-estimated), alert rules evaluated on a
 * schedule, and webhooks for platform events.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { doesNotExist, invalidParameter, isCapstanError } from '@capstan/api';
import { computeDrift } from '../drift/index.js';
import type { Column, DriftOptions, DriftReport } from '../drift/types.js';
import { DatasetProfile, driftFromProfiles } from '../profile/index.js';
import type { EventBus } from '../../events/bus.js';
import type { PredictionRecord } from '../../serving/model.js';
import type { MonitoringStore } from '../../../ports/monitoring-store.js';
import type { PredictionQuery } from '../../../ports/deployment-store.js';
import { cbpeEstimate, classificationMetrics, fitCalibration, regressionMetrics } from './metrics.js';
import { ALERT_METRICS, type LogWatermark, type ProfileBucket, type Alert, type AlertMetric, type AlertRule, type Calibration, type Comparison, type DriftedColumn, type FeedbackRecord, type Metrics, type MonitorConfig, type MonitorTask, type Reference, type Severity, type Webhook, type WebhookDelivery } from './model.js';
import { checkColumns, concatColumns, predictionColumns, PREDICTION_COLUMN, recordsToColumns, rowCount, SCORE_COLUMN, typedColumn, type Cell, type JsonColumns } from './rows.js';
import { WebhookDispatcher, type WebhookSender } from './webhooks.js';
import { columnDistribution, type ColumnDistribution } from './distribution.js';
import { AUTO_REFERENCE_MAX_ROWS, DATASET_SOURCE_PREFIX, tablesOf, trainingDatasetOf, type ReferenceCapture, type ReferenceSources } from './auto-reference.js';

/**
 * Rows (labeled rows for performance metrics) a rule's window must hold before it may fire: a
 * drift test or an accuracy over a handful of requests is noise, not evidence.
 */
export const MIN_ALERT_ROWS = 30;

/** Log requests read per profiler batch. */
export const PROFILE_BATCH = 20_000;

/** What the monitoring service needs. */
export interface MonitoringDeps {
  store: MonitoringStore;
  /** The prediction log (the serving store). */
  predictions: { predictions(query: PredictionQuery): Promise<PredictionRecord[]>; predictionsById(ids: string[]): Promise<PredictionRecord[]> };
  /** Whether a deployment exists (current or deleted with its log kept). */
  deploymentExists: (name: string) => Promise<boolean>;
  events: EventBus;
  /** HTTP POST for webhooks (an adapter). */
  send: WebhookSender;
  now?: () => number;
  /** Alert evaluation period in ms (default 60 s; 0: only on request). */
  evaluateIntervalMs?: number;
  /** Webhook retry policy. */
  webhookAttempts?: number;
  webhookBackoffMs?: number;
  /** Largest window (in logged requests) read for one analysis (default 200,000). */
  maxRecords?: number;
  /** Rows up to which exact mode is used (reference and window both; default 5,000). */
  exactMaxRows?: number;
  /** Where automatic references come from; without it references are only set by hand. */
  sources?: ReferenceSources;
  /** How often the background profiler folds new log rows into stored window profiles (default 10 s; 0: only on request). */
  profileIntervalMs?: number;
  /** Rows younger than this are left for the next pass, so late writes from other replicas are not skipped (default 2 s). */
  profileLagMs?: number;
}

/** Input of {@link MonitoringService.createMonitor}. */
export interface MonitorInput {
  deployment: string;
  task: MonitorTask;
  windowMs?: number;
  segmentColumns?: string[];
  drift?: DriftOptions;
  predictionOutput?: string;
  scoreOutput?: string;
  positiveClass?: string;
  scoreIndex?: number;
  targetColumn?: string;
  /** Take the reference from the served version's training dataset (default true). */
  autoReference?: boolean;
}

/** Drift of one window. */
export interface DriftWindow {
  start: number;
  end: number;
  rows: number;
  /** `exact`: computeDrift on raw values; `profile`: driftFromProfiles; null without rows. */
  mode: 'exact' | 'profile' | null;
  inputs: DriftReport | null;
  predictions: DriftReport | null;
  error?: string;
  /** Set when the window held more than `maxRecords` requests and only the oldest were read. */
  truncated?: boolean;
}

/** Performance of one window. */
export interface PerformanceWindow {
  start: number;
  end: number;
  rows: number;
  labeledRows: number;
  labelCoverage: number | null;
  /** Realised on labeled rows. */
  metrics: Metrics;
  /** CBPE on all rows (binary classifiers with scores). */
  estimated: Metrics;
  /** metric − reference metric. */
  change: Metrics;
  /** NannyML's sampling-error band of an estimate: ± 3 · (reference std) / √rows, clipped to [0, 1]. */
  bands?: Record<string, { lower: number; upper: number }>;
  /** Set when the window held more than `maxRecords` requests and only the oldest were read. */
  truncated?: boolean;
}

/** Drift of one segment value over a range. */
export interface SegmentDrift {
  value: string;
  referenceRows: number;
  rows: number;
  report: DriftReport | null;
  error?: string;
}

/** Input of {@link MonitoringService.createRule}. */
export interface RuleInput {
  name?: string;
  metric: AlertMetric;
  column?: string;
  comparison: Comparison;
  threshold: number;
  windowMs?: number;
  cooldownMs?: number;
  severity?: Severity;
}

interface Analysis {
  rows: number;
  mode: 'exact' | 'profile' | null;
  inputs: DriftReport | null;
  predictions: DriftReport | null;
  error?: string;
}

const HOUR = 3_600_000;
const MAX_WINDOWS = 500;
const TOP_SEGMENT_VALUES = 10;
const OUTPUT_COLUMNS = [PREDICTION_COLUMN, SCORE_COLUMN];

function coerce(cells: readonly Cell[], kind: 'numeric' | 'categorical'): Cell[] {
  if (kind === 'categorical') return cells.map((c) => (c === null ? null : typeof c === 'string' ? c : String(c)));
  return cells.map((c) => (typeof c === 'number' ? c : typeof c === 'string' && c.trim() !== '' && Number.isFinite(Number(c)) ? Number(c) : null));
}

function compare(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case 'gt': return value > threshold;
    case 'gte': return value >= threshold;
    case 'lt': return value < threshold;
    case 'lte': return value <= threshold;
  }
}

const SYMBOL: Record<Comparison, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤' };

/** The monitoring service (pure: stores, the prediction log and the HTTP sender are injected). */
export class MonitoringService {
  readonly webhooks: WebhookDispatcher;
  private timer: ReturnType<typeof setInterval> | undefined;
  private unsubscribe: (() => void) | undefined;
  private evaluating: Promise<Alert[]> | null = null;
  private readonly captures = new Map<string, Promise<ReferenceCapture>>();
  private profiling: Promise<number> | null = null;
  private profileTimer: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: MonitoringDeps) {
    this.now = deps.now ?? Date.now;
    this.webhooks = new WebhookDispatcher({
      store: deps.store, send: deps.send, now: this.now,
      ...(deps.webhookAttempts ? { maxAttempts: deps.webhookAttempts } : {}),
      ...(deps.webhookBackoffMs !== undefined ? { backoffMs: deps.webhookBackoffMs } : {}),
    });
  }

  /** Subscribes webhooks to the event bus and starts the alert timer. */
  start(): void {
    const offAny = this.deps.events.onAny((event) => this.webhooks.dispatch(event));
    const offDeploy = this.deps.events.on('deployment.changed', ({ payload }) => {
      if (payload.change !== 'delete') void this.captureReference(payload.deployment);
    });
    this.unsubscribe = () => { offAny(); offDeploy(); };
    const profileEvery = this.deps.profileIntervalMs ?? 10_000;
    if (profileEvery > 0) {
      this.profileTimer = setInterval(() => {
        this.profileLog().catch((error) => console.error('[capstan] profiling the prediction log failed:', error));
      }, profileEvery);
      this.profileTimer.unref?.();
    }
    const every = this.deps.evaluateIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.evaluateAll().catch((error) => console.error('[capstan] alert evaluation failed:', error));
      }, every);
      this.timer.unref?.();
    }
  }

  /** Stops the timer and waits for evaluations and webhook deliveries under way. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.profileTimer) clearInterval(this.profileTimer);
    this.unsubscribe?.();
    await this.profiling?.catch(() => undefined);
    await this.evaluating?.catch(() => undefined);
    await Promise.all(this.captures.values());
    await this.webhooks.close();
  }

  // ---- monitors -------------------------------------------------------------------------

  /**
   * Creates the monitor of a deployment.
   * @throws RESOURCE_DOES_NOT_EXIST for an unknown deployment; RESOURCE_ALREADY_EXISTS
   */
  async createMonitor(input: MonitorInput): Promise<MonitorConfig> {
    if (!(await this.deps.deploymentExists(input.deployment))) throw doesNotExist(`Deployment '${input.deployment}' does not exist; create it before its monitor.`);
    const { columns: _ignored, ...drift } = input.drift ?? {};
    const time = this.now();
    const config: MonitorConfig = {
      deployment: input.deployment,
      task: input.task,
      windowMs: input.windowMs ?? HOUR,
      segmentColumns: [...new Set(input.segmentColumns ?? [])],
      drift,
      ...(input.predictionOutput ? { predictionOutput: input.predictionOutput } : {}),
      ...(input.scoreOutput ? { scoreOutput: input.scoreOutput } : {}),
      positiveClass: input.positiveClass ?? '1',
      scoreIndex: input.scoreIndex ?? 1,
      targetColumn: input.targetColumn ?? 'target',
      ...(input.autoReference === false ? { autoReference: false } : {}),
      createdAt: time,
      updatedAt: time,
    };
    if (OUTPUT_COLUMNS.includes(config.targetColumn)) throw invalidParameter(`targetColumn cannot be '${config.targetColumn}': that name holds the model's output.`);
    // Check the drift options once, on a tiny profile pair, so a bad stattest fails here.
    const probe = DatasetProfile.of([{ name: 'x', dtype: 'float', values: new Float64Array([0, 1]) }]);
    const { perColumn, ...shared } = config.drift;
    driftFromProfiles(probe, probe, shared);
    for (const [name, entry] of Object.entries(perColumn ?? {})) {
      try {
        driftFromProfiles(probe, probe, { ...shared, perColumn: { x: { ...entry, columnType: entry.columnType === 'cat' ? 'cat' : 'num' } } });
      } catch (error) {
        if (isCapstanError(error)) throw invalidParameter(`drift.perColumn.${name}: ${error.message}`);
        throw error;
      }
    }
    await this.deps.store.createMonitor(config);
    const referenceCapture = await this.captureReference(config.deployment);
    return { ...config, referenceCapture };
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getMonitor(deployment: string): Promise<{ monitor: MonitorConfig; reference: ReturnType<typeof referenceSummary> | null }> {
    const monitor = await this.monitorOf(deployment);
    const ref = await this.deps.store.getReference(deployment);
    if (!ref) return { monitor, reference: null };
    return { monitor, reference: referenceSummary(ref) };
  }

  listMonitors(): Promise<MonitorConfig[]> {
    return this.deps.store.listMonitors();
  }

  deleteMonitor(deployment: string): Promise<void> {
    return this.deps.store.deleteMonitor(deployment);
  }

  private async monitorOf(deployment: string): Promise<MonitorConfig> {
    const m = await this.deps.store.getMonitor(deployment);
    if (!m) throw doesNotExist(`Deployment '${deployment}' has no monitor; create one with POST /api/v1/monitors.`);
    return m;
  }

  private async referenceOf(deployment: string): Promise<Reference> {
    const r = await this.deps.store.getReference(deployment);
    if (!r) throw invalidParameter(`Monitor '${deployment}' has no reference yet; set one with PUT /api/v1/monitors/${deployment}/reference.`);
    return r;
  }

  // ---- reference ------------------------------------------------------------------------

  /**
   * Sets the reference from rows (records or columns): the features, optionally the label
   * (`targetColumn`), `prediction` and `score`. Checked in full before anything is stored.
   * @throws INVALID_PARAMETER_VALUE with what to fix
   */
  async setReferenceFromRows(deployment: string, input: { records?: unknown[]; columns?: Record<string, unknown> }): Promise<Reference> {
    const config = await this.monitorOf(deployment);
    if ((input.records === undefined) === (input.columns === undefined)) throw invalidParameter('Give the reference as either "records" (a list of objects) or "columns" (an object of equal-length arrays).');
    const columns = input.records ? recordsToColumns(input.records) : checkColumns(input.columns!);
    await this.checkAgainstLog(config, columns);
    const reference = this.buildReference(config, columns, 'rows');
    await this.deps.store.putReference(reference);
    return reference;
  }

  /**
   * Sets the reference from the deployment's own prediction log in [since, until), with the
   * labels that have arrived for those predictions.
   */
  async setReferenceFromLog(deployment: string, since: number, until: number): Promise<Reference> {
    const config = await this.monitorOf(deployment);
    if (!(until > since)) throw invalidParameter(`until (${until}) must be after since (${since}).`);
    const { records } = await this.records(config.deployment, since, until);
    if (records.length === 0) throw invalidParameter(`Deployment '${deployment}' logged no successful predictions between ${new Date(since).toISOString()} and ${new Date(until).toISOString()}.`);
    const labels = await this.labelsOf(records);
    const columns = this.logColumns(config, records, labels);
    const reference = this.buildReference(config, columns, `log:${since}-${until}`);
    await this.deps.store.putReference(reference);
    return reference;
  }

  /**
   * Takes the monitor's reference from the training dataset of the version the deployment serves
   * (the run's Capstan dataset input, scored by the deployed model), unless a reference was set
   * by hand or automatic references are off. Runs on monitor creation and on every deployment
   * change, one at a time per deployment. Never throws: the outcome is stored on the monitor as
   * `referenceCapture` and returned.
   */
  captureReference(deployment: string): Promise<ReferenceCapture> {
    const previous = this.captures.get(deployment) ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(() => this.capture(deployment));
    this.captures.set(deployment, next);
    void next.finally(() => { if (this.captures.get(deployment) === next) this.captures.delete(deployment); });
    return next;
  }

  private async capture(deployment: string): Promise<ReferenceCapture> {
    const time = this.now();
    const config = await this.deps.store.getMonitor(deployment).catch(() => null);
    if (!config) return { status: 'skipped', message: `Deployment '${deployment}' has no monitor.`, time };
    let outcome: ReferenceCapture;
    try {
      outcome = await this.captureFor(config, time);
    } catch (error) {
      outcome = { status: 'failed', message: error instanceof Error ? error.message : String(error), time };
    }
    const latest = await this.deps.store.getMonitor(deployment).catch(() => null);
    if (latest) await this.deps.store.updateMonitor({ ...latest, referenceCapture: outcome }).catch(() => undefined);
    return outcome;
  }

  private async captureFor(config: MonitorConfig, time: number): Promise<ReferenceCapture> {
    const sources = this.deps.sources;
    if (!sources) return { status: 'skipped', message: 'This server takes references only by hand.', time };
    if (config.autoReference === false) return { status: 'skipped', message: 'Automatic references are off for this monitor (autoReference: false).', time };
    const existing = await this.deps.store.getReference(config.deployment);
    if (existing && !existing.source.startsWith(DATASET_SOURCE_PREFIX)) return { status: 'skipped', message: `The reference set by hand (${existing.source}) is kept; delete and re-create the monitor to go back to automatic references.`, time };
    const primary = sources.primaryVersion(config.deployment);
    if (!primary) return { status: 'skipped', message: `Deployment '${config.deployment}' is not loaded on this server.`, time };
    const at = { model: primary.model, version: primary.version };
    const found = trainingDatasetOf(await sources.trainingInputs(primary.model, primary.version));
    if ('reason' in found) return { status: 'skipped', message: `No training dataset for ${primary.model} version ${primary.version}: ${found.reason}.`, time, ...at };
    const dataset = `${found.name}@${found.version}`;
    const key = `${DATASET_SOURCE_PREFIX}${dataset} for ${primary.model}/${primary.version}`;
    if (existing?.source.startsWith(key)) return { status: 'captured', message: `The reference is already ${dataset}, the training data of ${primary.model} version ${primary.version}.`, time, ...at, dataset };
    const columns = sources.modelColumns(config.deployment, primary.version);
    if (!columns) return { status: 'failed', message: `${primary.model} version ${primary.version} has no column signature, so its inputs cannot be matched to the columns of ${dataset}; set the reference by hand.`, time, ...at, dataset };
    const { rows, total, sampled } = await sources.readRows(found.name, found.version, AUTO_REFERENCE_MAX_ROWS);
    if (rows.length === 0) return { status: 'failed', message: `${dataset} has no rows.`, time, ...at, dataset };
    const missing = columns.filter((c) => !(c in rows[0]!));
    if (missing.length) return { status: 'failed', message: `${dataset} lacks the model's inputs ${missing.join(', ')} (it has ${Object.keys(rows[0]!).join(', ')}).`, time, ...at, dataset };
    const withTarget = config.targetColumn in rows[0]!;
    const parts: { rows: number; columns: JsonColumns }[] = [];
    let offset = 0;
    for (const table of tablesOf(rows, columns)) {
      const scored = await sources.score(config.deployment, primary.version, table);
      const part = predictionColumns({ ...scored } as PredictionRecord, config);
      if (withTarget) part.columns[config.targetColumn] = rows.slice(offset, offset + table.rows.length).map((r) => cellOf(r[config.targetColumn]));
      offset += table.rows.length;
      parts.push(part);
    }
    const note = sampled ? ` (a sample of ${rows.length} of ${total} rows)` : '';
    const reference = this.buildReference(config, concatColumns(parts), `${key}${note}`);
    await this.deps.store.putReference(reference);
    return { status: 'captured', message: `Reference from ${dataset}${note}, scored by ${primary.model} version ${primary.version}${withTarget ? `, labels from '${config.targetColumn}'` : ` (no '${config.targetColumn}' column, so no reference performance)`}.`, time, ...at, dataset };
  }

  private async checkAgainstLog(config: MonitorConfig, columns: JsonColumns): Promise<void> {
    const sample = (await this.deps.predictions.predictions({ deployment: config.deployment, limit: 50 })).filter((r) => r.status === 'ok');
    if (sample.length === 0) return;
    const loggedColumns = this.logColumns(config, sample);
    const logged = Object.keys(loggedColumns).filter((c) => !OUTPUT_COLUMNS.includes(c));
    const given = Object.keys(columns).filter((c) => !OUTPUT_COLUMNS.includes(c) && c !== config.targetColumn);
    const missing = logged.filter((c) => !given.includes(c));
    const extra = given.filter((c) => !logged.includes(c));
    if (missing.length || extra.length) {
      throw invalidParameter(`The reference's columns do not match the inputs deployment '${config.deployment}' logs (${logged.join(', ')})${missing.length ? `; missing: ${missing.join(', ')}` : ''}${extra.length ? `; not model inputs: ${extra.join(', ')}` : ''}. Label columns go in '${config.targetColumn}'.`);
    }
    const kind = (cells: readonly Cell[]) => (cells.some((c) => typeof c === 'string' || typeof c === 'boolean') ? 'strings' : cells.some((c) => typeof c === 'number') ? 'numbers' : null);
    for (const name of logged) {
      const theirs = kind(loggedColumns[name]!);
      const ours = kind(columns[name]!);
      if (theirs && ours && theirs !== ours) throw invalidParameter(`Column '${name}' holds ${ours} in the reference but ${theirs} in the deployment's log; give it the model's input type.`);
    }
  }

  private buildReference(config: MonitorConfig, columns: JsonColumns, source: string): Reference {
    const rows = rowCount(columns);
    if (rows === 0) throw invalidParameter('The reference has no rows.');
    const features = Object.keys(columns).filter((c) => !OUTPUT_COLUMNS.includes(c) && c !== config.targetColumn).sort();
    if (features.length === 0) throw invalidParameter(`The reference has no feature columns (only ${Object.keys(columns).join(', ')}).`);
    for (const s of config.segmentColumns) {
      if (!features.includes(s)) throw invalidParameter(`Segment column '${s}' is not among the reference's columns (${features.join(', ')}).`);
    }
    const typed: Column[] = [];
    for (const name of [...features, ...OUTPUT_COLUMNS.filter((c) => c in columns)]) {
      const cells = columns[name]!;
      if (cells.every((c) => c === null)) throw invalidParameter(`Column '${name}' of the reference has no values (all null).`);
      typed.push(typedColumn(name, cells));
    }
    for (const s of config.segmentColumns) {
      if (typed.find((c) => c.name === s)!.dtype === 'float') throw invalidParameter(`Segment column '${s}' is numeric; segments are slices of a categorical column.`);
    }
    const profile = DatasetProfile.of(typed, { kllK: 1024 });
    const segments: Record<string, Record<string, ReturnType<DatasetProfile['serialize']>>> = {};
    for (const s of config.segmentColumns) {
      const cells = columns[s]!;
      const counts = new Map<string, number>();
      for (const c of cells) if (c !== null) counts.set(String(c), (counts.get(String(c)) ?? 0) + 1);
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_SEGMENT_VALUES);
      segments[s] = {};
      for (const [value] of top) {
        const idx = cells.flatMap((c, i) => (c !== null && String(c) === value ? [i] : []));
        const slice = typed.map((col) => sliceColumn(col, idx));
        segments[s][value] = DatasetProfile.of(slice, { kllK: 1024 }).serialize();
      }
    }
    const { performance, labeledRows, calibration, samplingStd } = this.referencePerformance(config, columns);
    const exact = rows <= (this.deps.exactMaxRows ?? 5000);
    return {
      deployment: config.deployment, createdAt: this.now(), source, rows, features,
      profile: profile.serialize(), segments,
      raw: exact ? Object.fromEntries(typed.map((c) => [c.name, c.dtype === 'float' ? Array.from(c.values as Float64Array, (v) => (Number.isNaN(v) ? null : v)) : (c.values as (string | null)[])])) : null,
      performance, labeledRows, calibration, ...(samplingStd ? { samplingStd } : {}),
    };
  }

  private referencePerformance(config: MonitorConfig, columns: JsonColumns): { performance: Metrics; labeledRows: number; calibration: Calibration | null; samplingStd?: Record<string, number> } {
    const target = columns[config.targetColumn];
    const prediction = columns[PREDICTION_COLUMN];
    if (!target || !prediction) return { performance: {}, labeledRows: 0, calibration: null };
    const idx = target.flatMap((t, i) => (t !== null && prediction[i] !== null ? [i] : []));
    if (config.task === 'regression') {
      if (idx.some((i) => typeof target[i] !== 'number' || typeof prediction[i] !== 'number')) throw invalidParameter(`A regression reference needs numeric '${config.targetColumn}' and '${PREDICTION_COLUMN}' columns.`);
      return { performance: regressionMetrics(idx.map((i) => target[i] as number), idx.map((i) => prediction[i] as number)), labeledRows: idx.length, calibration: null };
    }
    const score = columns[SCORE_COLUMN];
    const withScore = score && idx.every((i) => typeof score[i] === 'number');
    if (score && score.some((s) => s !== null && typeof s !== 'number')) throw invalidParameter(`Column '${SCORE_COLUMN}' must hold numbers (P(positive class)).`);
    const labels = idx.map((i) => String(target[i]));
    const performance = classificationMetrics(labels, idx.map((i) => String(prediction[i])), withScore ? idx.map((i) => score[i] as number) : null, config.positiveClass);
    const calibration = withScore && idx.length >= 20
      ? fitCalibration(labels.map((l) => (l === config.positiveClass ? 1 : 0)), idx.map((i) => score[i] as number))
      : null;
    const correct: number[] = idx.map((i) => (String(target[i]) === String(prediction[i]) ? 1 : 0));
    const mean = correct.reduce((a, b) => a + b, 0) / Math.max(1, correct.length);
    const std = Math.sqrt(correct.reduce((a, c) => a + (c - mean) ** 2, 0) / Math.max(1, correct.length));
    return { performance, labeledRows: idx.length, calibration, ...(idx.length ? { samplingStd: { accuracy: std } } : {}) };
  }

  // ---- the log --------------------------------------------------------------------------

  /** Successful, non-shadow requests in [since, until), oldest first; `truncated` when `maxRecords` cut the range short. */
  private async records(deployment: string, since: number, until: number): Promise<{ records: PredictionRecord[]; truncated: boolean }> {
    const limit = this.deps.maxRecords ?? 200_000;
    const all = await this.deps.predictions.predictions({ deployment, since, until, limit, includeShadow: false });
    return { records: all.filter((r) => r.status === 'ok'), truncated: all.length >= limit };
  }

  private async labelsOf(records: PredictionRecord[]): Promise<Map<string, FeedbackRecord>> {
    const out = new Map<string, FeedbackRecord>();
    if (records.length === 0) return out;
    let since = Infinity, until = -Infinity;
    for (const r of records) {
      if (r.time < since) since = r.time;
      if (r.time + 1 > until) until = r.time + 1;
    }
    for (const f of await this.deps.store.feedbackInRange(records[0]!.deployment, since, until)) out.set(`${f.predictionId}\u0000${f.row}`, f);
    return out;
  }

  private logColumns(config: MonitorConfig, records: PredictionRecord[], labels?: Map<string, FeedbackRecord>): JsonColumns {
    const parts = records.map((r) => {
      const p = predictionColumns(r, config);
      if (labels) p.columns[config.targetColumn] = Array.from({ length: p.rows }, (_, row) => labels.get(`${r.id}\u0000${row}`)?.label ?? null);
      return p;
    });
    return concatColumns(parts);
  }

  // ---- drift ----------------------------------------------------------------------------

  private windowsOf(config: MonitorConfig, since: number | undefined, until: number | undefined): { since: number; until: number; starts: number[] } {
    const w = config.windowMs;
    const end = until ?? Math.floor(this.now() / w) * w + w;
    const start = since ?? end - 24 * w;
    if (!(end > start)) throw invalidParameter(`until (${end}) must be after since (${start}).`);
    const first = Math.floor(start / w) * w;
    const starts: number[] = [];
    for (let t = first; t < end; t += w) starts.push(t);
    if (starts.length > MAX_WINDOWS) throw invalidParameter(`The range spans ${starts.length} windows of ${w} ms; at most ${MAX_WINDOWS}: narrow since/until.`);
    return { since: first, until: end, starts };
  }

  /**
   * Drift of inputs and predictions per window in [since, until) (default: the last 24 windows),
   * oldest first: a series for a heat map of column scores over time.
   */
  async drift(deployment: string, range: { since?: number; until?: number } = {}): Promise<{ windowMs: number; windows: DriftWindow[] }> {
    const config = await this.monitorOf(deployment);
    const reference = await this.referenceOf(deployment);
    const { since, until, starts } = this.windowsOf(config, range.since, range.until);
    const mark = await this.deps.store.getProfileWatermark(deployment);
    const profiled = mark && mark.windowMs === config.windowMs ? mark.time : -Infinity;
    const stored = profiled > since ? new Map((await this.deps.store.getProfileBuckets(deployment, config.windowMs, since, until)).map((b) => [b.start, b])) : new Map<number, ProfileBucket>();
    const exactMax = reference.raw !== null ? (this.deps.exactMaxRows ?? 5000) : -1;
    let refProfile: DatasetProfile | undefined;
    const windows: DriftWindow[] = [];
    for (const start of starts) {
      const end = Math.min(start + config.windowMs, until);
      const whole = start >= since && end === start + config.windowMs && end <= profiled;
      const bucket = stored.get(start);
      if (whole && !bucket) {
        windows.push({ start, end, rows: 0, mode: null, inputs: null, predictions: null });
        continue;
      }
      if (whole && bucket && bucket.rows > exactMax) {
        refProfile ??= DatasetProfile.deserialize(reference.profile);
        windows.push({ start, end, ...this.compareStored(config, reference, refProfile, DatasetProfile.deserialize(bucket.profile), bucket.rows) });
        continue;
      }
      const { records, truncated } = await this.records(deployment, Math.max(start, since), end);
      windows.push({ start, end, ...this.analyze(config, reference, records), ...(truncated ? { truncated } : {}) });
    }
    return { windowMs: config.windowMs, windows };
  }

  /**
   * Folds the prediction log into stored window profiles, from each monitor's watermark up to
   * `profileLagMs` ago, in batches; each batch's buckets and the moved watermark (the last request
   * read, or the pass's end once caught up) are written in one transaction, so a restart resumes where it stopped and nothing is counted twice. Drift
   * over whole windows the profiler has passed is then a read of the stored profile (profile
   * mode) instead of a re-read of the log. Runs on a timer (`profileIntervalMs`); one pass at a
   * time. Returns the rows folded in.
   */
  profileLog(deployment?: string): Promise<number> {
    if (this.profiling) return this.profiling.then(() => this.profileLog(deployment));
    const run = async () => {
      let total = 0;
      const monitors = deployment ? [await this.monitorOf(deployment)] : await this.deps.store.listMonitors();
      for (const config of monitors) total += await this.profileMonitor(config);
      return total;
    };
    this.profiling = run().finally(() => (this.profiling = null));
    return this.profiling;
  }

  private async profileMonitor(config: MonitorConfig): Promise<number> {
    const batch = PROFILE_BATCH;
    const until = this.now() - (this.deps.profileLagMs ?? 2000);
    const stored = await this.deps.store.getProfileWatermark(config.deployment);
    let mark: LogWatermark | null = stored && stored.windowMs === config.windowMs ? { time: stored.time, id: stored.id } : null;
    let total = 0;
    for (;;) {
      const since = mark?.time ?? 0;
      if (since >= until) break;
      const page = await this.deps.predictions.predictions({ deployment: config.deployment, since, until, limit: batch, includeShadow: false });
      const fresh = mark ? page.filter((r) => r.time > mark!.time || (r.time === mark!.time && r.id > mark!.id)) : page;
      if (fresh.length === 0) {
        if (page.length < batch && (!mark || mark.time < until)) await this.deps.store.putProfileBuckets(config.deployment, config.windowMs, [], { time: until, id: '' });
        break;
      }
      const last = fresh[fresh.length - 1]!;
      const groups = new Map<number, PredictionRecord[]>();
      for (const r of fresh) {
        if (r.status !== 'ok') continue;
        const start = Math.floor(r.time / config.windowMs) * config.windowMs;
        (groups.get(start) ?? groups.set(start, []).get(start)!).push(r);
      }
      const existing = groups.size ? new Map((await this.deps.store.getProfileBuckets(config.deployment, config.windowMs, Math.min(...groups.keys()), Math.max(...groups.keys()) + 1)).map((b) => [b.start, b])) : new Map<number, ProfileBucket>();
      const buckets: ProfileBucket[] = [];
      for (const [start, records] of groups) {
        const previous = existing.get(start);
        const profile = previous ? DatasetProfile.deserialize(previous.profile) : new DatasetProfile();
        const columns = this.logColumns(config, records);
        const typed: Column[] = [];
        for (const [name, cells] of Object.entries(columns)) {
          if (cells.every((c) => c === null)) continue;
          const kind = profile.columns.get(name)?.kind;
          typed.push(kind ? typedColumn(name, coerce(cells, kind), kind) : typedColumn(name, cells));
        }
        profile.update(typed);
        profile.rows = (previous?.rows ?? 0) + rowCount(columns);
        buckets.push({ start, rows: profile.rows, profile: profile.serialize() });
        total += rowCount(columns);
      }
      const caughtUp = page.length < batch;
      mark = caughtUp ? { time: until, id: '' } : { time: last.time, id: last.id };
      await this.deps.store.putProfileBuckets(config.deployment, config.windowMs, buckets, mark);
      if (caughtUp) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }

  private compareStored(config: MonitorConfig, reference: Reference, refProfile: DatasetProfile, current: DatasetProfile, rows: number): Analysis {
    const run = (names: string[]): DriftReport | null => {
      const present = names.filter((n) => (current.columns.get(n)?.valid ?? 0) > 0 && refProfile.columns.has(n));
      if (present.length === 0) return null;
      return driftFromProfiles(subset(refProfile, present), subset(current, present), optionsFor(config.drift, present));
    };
    try {
      return { rows, mode: 'profile', inputs: run(reference.features), predictions: run(OUTPUT_COLUMNS) };
    } catch (error) {
      if (!isCapstanError(error)) throw error;
      return { rows, mode: 'profile', inputs: null, predictions: null, error: error.message };
    }
  }

  private analyze(config: MonitorConfig, reference: Reference, records: PredictionRecord[], columnsFilter?: (columns: JsonColumns) => JsonColumns): Analysis {
    let columns = this.logColumns(config, records);
    if (columnsFilter) columns = columnsFilter(columns);
    const rows = rowCount(columns);
    if (rows === 0) return { rows: 0, mode: null, inputs: null, predictions: null };
    const refProfile = DatasetProfile.deserialize(reference.profile);
    return this.compare(config, reference, refProfile, columns, rows);
  }

  private compare(config: MonitorConfig, reference: Reference, refProfile: DatasetProfile, columns: JsonColumns, rows: number, forceProfile = false): Analysis {
    const current: Column[] = [];
    for (const [name, ref] of refProfile.columns) {
      const cells = columns[name];
      if (!cells || cells.every((c) => c === null)) continue;
      current.push(typedColumn(name, coerce(cells, ref.kind), ref.kind));
    }
    const exact = !forceProfile && reference.raw !== null && rows <= (this.deps.exactMaxRows ?? 5000);
    const refColumns = exact ? Object.entries(reference.raw!).map(([name, cells]) => typedColumn(name, cells, refProfile.columns.get(name)!.kind)) : [];
    const curProfile = exact ? null : DatasetProfile.of(current);
    const run = (names: string[]): DriftReport | null => {
      const present = names.filter((n) => current.some((c) => c.name === n) && refProfile.columns.has(n));
      if (present.length === 0) return null;
      const options = optionsFor(config.drift, present);
      if (exact) return computeDrift(refColumns.filter((c) => present.includes(c.name)), current.filter((c) => present.includes(c.name)), options);
      return driftFromProfiles(subset(refProfile, present), subset(curProfile!, present), options);
    };
    try {
      return { rows, mode: exact ? 'exact' : 'profile', inputs: run(reference.features), predictions: run(OUTPUT_COLUMNS) };
    } catch (error) {
      if (!isCapstanError(error)) throw error;
      return { rows, mode: exact ? 'exact' : 'profile', inputs: null, predictions: null, error: error.message };
    }
  }

  /**
   * Drift within each top reference value of a categorical segment column over [since, until):
   * the slice of current rows against the reference's slice with the same value.
   */
  /**
   * A column's distribution in the reference (its stored profile, so references of any source)
   * and over [since, until) of the log, for charts. `column` is a feature, `prediction` or `score`.
   * @throws INVALID_PARAMETER_VALUE for a column neither side has
   */
  async distribution(deployment: string, column: string, range: { since?: number; until?: number } = {}): Promise<ColumnDistribution & { truncated?: boolean }> {
    const config = await this.monitorOf(deployment);
    const reference = await this.referenceOf(deployment);
    const refProfile = DatasetProfile.deserialize(reference.profile);
    const { since, until } = this.windowsOf(config, range.since, range.until);
    const { records, truncated } = await this.records(deployment, since, until);
    const columns = this.logColumns(config, records);
    const refColumn = refProfile.columns.get(column) ?? null;
    const cells = columns[column];
    if (!refColumn && !cells) throw invalidParameter(`Column '${column}' is in neither the reference nor the log of '${deployment}' (reference: ${[...refProfile.columns.keys()].join(', ')}).`);
    const current = cells && cells.some((x) => x !== null) ? DatasetProfile.of([typedColumn(column, cells, refColumn ? (refColumn.kind === 'numeric' ? 'numeric' : 'categorical') : undefined)], { kllK: 1024 }).columns.get(column)! : null;
    return { ...columnDistribution(column, { profile: refColumn, rows: refProfile.rows }, { profile: current, rows: cells?.length ?? rowCount(columns) }), ...(truncated ? { truncated } : {}) };
  }

  async segments(deployment: string, column: string, range: { since?: number; until?: number } = {}): Promise<{ column: string; segments: SegmentDrift[]; otherRows: number; truncated?: boolean }> {
    const config = await this.monitorOf(deployment);
    const reference = await this.referenceOf(deployment);
    const slices = reference.segments[column];
    if (!slices) throw invalidParameter(`'${column}' is not a segment column of monitor '${deployment}' (segments: ${Object.keys(reference.segments).join(', ') || 'none'}).`);
    const { since, until } = this.windowsOf(config, range.since, range.until);
    const { records, truncated } = await this.records(deployment, since, until);
    const columns = this.logColumns(config, records);
    const cells = columns[column] ?? [];
    const out: SegmentDrift[] = [];
    let covered = 0;
    for (const [value, serialized] of Object.entries(slices)) {
      const idx = cells.flatMap((c, i) => (c !== null && String(c) === value ? [i] : []));
      covered += idx.length;
      const refProfile = DatasetProfile.deserialize(serialized);
      if (idx.length === 0) {
        out.push({ value, referenceRows: refProfile.rows, rows: 0, report: null });
        continue;
      }
      const slice = Object.fromEntries(Object.entries(columns).map(([n, v]) => [n, idx.map((i) => v[i]!)]));
      const a = this.compare(config, { ...reference, raw: null }, refProfile, slice, idx.length, true);
      out.push({ value, referenceRows: refProfile.rows, rows: idx.length, report: a.inputs, ...(a.error ? { error: a.error } : {}) });
    }
    return { column, segments: out, otherRows: cells.length - covered, ...(truncated ? { truncated } : {}) };
  }

  // ---- ground truth and performance -----------------------------------------------------

  /**
   * Stores labels of logged predictions (late and out of order: a repeated label replaces the
   * earlier one, the first arrival time is kept). The whole batch is refused when any prediction
   * id is unknown or a row is out of range.
   * @throws INVALID_PARAMETER_VALUE listing the unknown ids
   */
  async feedback(items: { predictionId: string; row?: number; label: string | number | boolean }[]): Promise<{ created: number; updated: number }> {
    if (items.length === 0) throw invalidParameter('feedback needs at least one item.');
    const ids = [...new Set(items.map((i) => i.predictionId))];
    const found = new Map((await this.deps.predictions.predictionsById(ids)).map((r) => [r.id, r]));
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length) {
      throw invalidParameter(`Unknown prediction id(s), nothing was stored: ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ` and ${unknown.length - 20} more` : ''}.`);
    }
    const monitors = new Map<string, MonitorConfig | null>();
    const time = this.now();
    const records: FeedbackRecord[] = [];
    const seen = new Map<string, number>();
    for (const [i, item] of items.entries()) {
      const p = found.get(item.predictionId)!;
      const row = item.row ?? 0;
      const rows = Math.max(0, ...Object.values(p.inputs).map((v) => (Array.isArray(v) ? v.length : 0)));
      if (row >= rows) throw invalidParameter(`items[${i}]: prediction ${p.id} has ${rows} row(s); row ${row} does not exist. Nothing was stored.`);
      if (!monitors.has(p.deployment)) monitors.set(p.deployment, await this.deps.store.getMonitor(p.deployment));
      if (monitors.get(p.deployment)?.task === 'regression' && typeof item.label !== 'number') {
        throw invalidParameter(`items[${i}]: deployment '${p.deployment}' is monitored as a regression; its label must be a number, got ${JSON.stringify(item.label)}. Nothing was stored.`);
      }
      const key = `${p.id}\u0000${row}`;
      const record: FeedbackRecord = { predictionId: p.id, row, deployment: p.deployment, predictionTime: p.time, label: item.label, receivedAt: time, updatedAt: time };
      if (seen.has(key)) records[seen.get(key)!] = record;
      else {
        seen.set(key, records.length);
        records.push(record);
      }
    }
    return this.deps.store.upsertFeedback(records);
  }

  /**
   * Realised performance per window on the labels that have arrived, label coverage, CBPE
   * estimates for binary classifiers, and the change against the reference.
   */
  async performance(deployment: string, range: { since?: number; until?: number } = {}): Promise<{ windowMs: number; reference: { metrics: Metrics; labeledRows: number; calibration: Omit<Calibration, 'x' | 'y'> | null } | null; windows: PerformanceWindow[] }> {
    const config = await this.monitorOf(deployment);
    const reference = await this.deps.store.getReference(deployment);
    const { since, until, starts } = this.windowsOf(config, range.since, range.until);
    const windows: PerformanceWindow[] = [];
    for (const start of starts) {
      const end = Math.min(start + config.windowMs, until);
      const { records, truncated } = await this.records(deployment, Math.max(start, since), end);
      windows.push({ start, end, ...this.performanceOf(config, reference, records, await this.labelsOf(records)), ...(truncated ? { truncated } : {}) });
    }
    return {
      windowMs: config.windowMs,
      reference: reference ? { metrics: reference.performance, labeledRows: reference.labeledRows, calibration: reference.calibration ? { used: reference.calibration.used, reason: reference.calibration.reason } : null } : null,
      windows,
    };
  }

  private performanceOf(config: MonitorConfig, reference: Reference | null, records: PredictionRecord[], labels: Map<string, FeedbackRecord>): Omit<PerformanceWindow, 'start' | 'end'> {
    const columns = this.logColumns(config, records, labels);
    const rows = rowCount(columns);
    const target = columns[config.targetColumn] ?? [];
    const prediction = columns[PREDICTION_COLUMN] ?? [];
    const score = columns[SCORE_COLUMN];
    const idx = target.flatMap((t, i) => (t !== null && prediction[i] !== null && prediction[i] !== undefined ? [i] : []));
    let metrics: Metrics;
    let estimated: Metrics = {};
    if (config.task === 'regression') {
      const ok = idx.filter((i) => typeof target[i] === 'number' && typeof prediction[i] === 'number');
      metrics = regressionMetrics(ok.map((i) => target[i] as number), ok.map((i) => prediction[i] as number));
    } else {
      const withScore = score !== undefined && idx.every((i) => typeof score[i] === 'number');
      metrics = classificationMetrics(idx.map((i) => String(target[i])), idx.map((i) => String(prediction[i])), withScore ? idx.map((i) => score![i] as number) : null, config.positiveClass);
      if (score && rows > 0 && score.every((s) => typeof s === 'number') && prediction.length === rows) {
        estimated = cbpeEstimate(prediction.map((p) => String(p) === config.positiveClass), score as number[], reference?.calibration ?? null);
      }
    }
    const change: Metrics = {};
    for (const [k, v] of Object.entries(metrics)) {
      const r = reference?.performance[k];
      change[k] = v !== null && r !== null && r !== undefined ? v - r : null;
    }
    for (const [k, v] of Object.entries(estimated)) {
      const r = reference?.performance[k.replace(/^estimated_/, '')];
      change[k] = v !== null && r !== null && r !== undefined ? v - r : null;
    }
    const bands: Record<string, { lower: number; upper: number }> = {};
    const std = reference?.samplingStd?.accuracy;
    const est = estimated.estimated_accuracy;
    if (std !== undefined && est !== null && est !== undefined && rows > 0) {
      const half = (3 * std) / Math.sqrt(rows);
      bands.estimated_accuracy = { lower: Math.max(0, est - half), upper: Math.min(1, est + half) };
    }
    return { rows, labeledRows: idx.length, labelCoverage: rows === 0 ? null : idx.length / rows, metrics, estimated, change, ...(Object.keys(bands).length ? { bands } : {}) };
  }

  // ---- alert rules ----------------------------------------------------------------------

  /** Adds an alert rule to a monitor. @throws INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST */
  async createRule(deployment: string, input: RuleInput): Promise<AlertRule> {
    const config = await this.monitorOf(deployment);
    if (!ALERT_METRICS.includes(input.metric)) throw invalidParameter(`Unknown metric '${input.metric}'; one of ${ALERT_METRICS.join(', ')}.`);
    if (input.metric === 'column_drift_score' && !input.column) throw invalidParameter("The metric 'column_drift_score' needs a 'column'.");
    if (input.metric !== 'column_drift_score' && input.column) throw invalidParameter(`'column' applies to column_drift_score only, not '${input.metric}'.`);
    if (!Number.isFinite(input.threshold)) throw invalidParameter('threshold must be a finite number.');
    const classifier = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'].includes(input.metric) || input.metric.startsWith('estimated_');
    const regressor = ['mae', 'rmse', 'r2'].includes(input.metric);
    if ((classifier && config.task !== 'classification') || (regressor && config.task !== 'regression')) {
      throw invalidParameter(`The metric '${input.metric}' does not apply to a ${config.task} monitor.`);
    }
    const rule: AlertRule = {
      id: randomUUID(), deployment, name: input.name ?? `${input.metric}${input.column ? `(${input.column})` : ''} ${SYMBOL[input.comparison]} ${input.threshold}`,
      metric: input.metric, ...(input.column ? { column: input.column } : {}), comparison: input.comparison, threshold: input.threshold,
      windowMs: input.windowMs ?? config.windowMs, cooldownMs: input.cooldownMs ?? config.windowMs, severity: input.severity ?? 'warning',
      enabled: true, createdAt: this.now(), lastFiredAt: null,
    };
    return this.deps.store.createRule(rule);
  }

  listRules(deployment?: string): Promise<AlertRule[]> {
    return this.deps.store.listRules(deployment);
  }

  deleteRule(id: string): Promise<void> {
    return this.deps.store.deleteRule(id);
  }

  listAlerts(query: { deployment?: string; since?: number; limit?: number }): Promise<Alert[]> {
    return this.deps.store.listAlerts({ ...query, limit: query.limit ?? 100 });
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getAlert(id: string): Promise<Alert> {
    const a = await this.deps.store.getAlert(id);
    if (!a) throw doesNotExist(`Alert '${id}' does not exist.`);
    return a;
  }

  /**
   * Evaluates every enabled rule (of one deployment, or all) over its most recent window; a rule
   * whose condition holds and whose cooldown has passed fires: the alert is stored with its
   * evidence, then published as `drift.alert` (webhooks and pipeline triggers follow).
   */
  async evaluateAll(deployment?: string): Promise<Alert[]> {
    while (this.evaluating) await this.evaluating.catch(() => undefined);
    const run = this.evaluateOnce(deployment);
    this.evaluating = run;
    try {
      return await run;
    } finally {
      this.evaluating = null;
    }
  }

  private async evaluateOnce(deployment?: string): Promise<Alert[]> {
    const now = this.now();
    const rules = (await this.deps.store.listRules(deployment)).filter((r) => r.enabled);
    const fired: Alert[] = [];
    for (const rule of rules) {
      if (rule.lastFiredAt !== null && now - rule.lastFiredAt < rule.cooldownMs) continue;
      const config = await this.deps.store.getMonitor(rule.deployment);
      if (!config) continue;
      let alert: Alert | null;
      try {
        alert = await this.check(config, rule, now);
      } catch (error) {
        console.error(`[capstan] alert rule ${rule.id} (${rule.name}) of '${rule.deployment}' could not be evaluated:`, error);
        continue;
      }
      if (!alert) continue;
      if (await this.deps.store.fireRule(rule.id, rule.lastFiredAt, alert)) {
        fired.push(alert);
        this.deps.events.publish('drift.alert', {
          deployment: alert.deployment, monitor: alert.deployment, alertId: alert.id, severity: alert.severity, summary: alert.summary,
          ruleId: rule.id, metric: alert.metric, value: alert.value, threshold: alert.threshold,
          columns: alert.evidence.driftedColumns.map((c) => c.column),
        });
      }
    }
    return fired;
  }

  private async check(config: MonitorConfig, rule: AlertRule, now: number): Promise<Alert | null> {
    const since = now - rule.windowMs;
    const { records, truncated } = await this.records(config.deployment, since, now);
    let value: number | null = null;
    const evidence: Alert['evidence'] = { since, until: now, rows: 0, driftedColumns: [], ...(truncated ? { truncated } : {}) };
    const drifted = (report: DriftReport | null): DriftedColumn[] => Object.entries(report?.columns ?? {})
      .filter(([, c]) => c.drift_detected).map(([column, c]) => ({ column, stattest: c.stattest, score: c.score, threshold: c.threshold }));
    if (rule.metric === 'rows') {
      value = records.length === 0 ? 0 : rowCount(this.logColumns(config, records));
      evidence.rows = value;
    } else if (rule.metric === 'dataset_drift_share' || rule.metric === 'prediction_drift_share' || rule.metric === 'column_drift_score') {
      const reference = await this.deps.store.getReference(config.deployment);
      if (!reference) return null;
      const a = this.analyze(config, reference, records);
      evidence.rows = a.rows;
      if (a.mode) evidence.mode = a.mode;
      const report = rule.metric === 'prediction_drift_share' ? a.predictions : a.inputs;
      if (!report) return null;
      evidence.datasetDrift = report.dataset_drift;
      evidence.driftedColumns = drifted(report);
      if (rule.metric === 'column_drift_score') {
        const c = report.columns[rule.column!];
        if (!c || !Number.isFinite(c.score)) return null;
        value = c.score;
        evidence.column = rule.column!;
        evidence.driftedColumns = [{ column: rule.column!, stattest: c.stattest, score: c.score, threshold: c.threshold }, ...evidence.driftedColumns.filter((d) => d.column !== rule.column)];
      } else value = report.share_of_drifted_columns;
    } else {
      const reference = await this.deps.store.getReference(config.deployment);
      const p = this.performanceOf(config, reference, records, await this.labelsOf(records));
      evidence.rows = p.rows;
      evidence.labeledRows = p.labeledRows;
      value = rule.metric === 'label_coverage' ? p.labelCoverage : (p.metrics[rule.metric] ?? p.estimated[rule.metric] ?? null);
    }
    if (value === null || !Number.isFinite(value) || !compare(value, rule.comparison, rule.threshold)) return null;
    const sample = rule.metric === 'rows' || rule.metric === 'label_coverage' ? Infinity : evidence.labeledRows ?? evidence.rows;
    if (sample < MIN_ALERT_ROWS) return null;
    const columns = evidence.driftedColumns.map((c) => c.column);
    const span = rule.windowMs < 120_000 ? `${Math.round(rule.windowMs / 1000)} s` : `${Math.round(rule.windowMs / 60_000)} min`;
    const summary = `${config.deployment}: ${rule.metric}${rule.column ? `(${rule.column})` : ''} = ${round(value)} ${SYMBOL[rule.comparison]} ${rule.threshold} over the last ${span} (${evidence.rows} rows${evidence.labeledRows === undefined ? '' : `, ${evidence.labeledRows} labeled`})${columns.length ? `; drifted: ${columns.join(', ')}` : ''}`;
    return { id: randomUUID(), ruleId: rule.id, deployment: config.deployment, time: now, severity: rule.severity, metric: rule.metric, value, threshold: rule.threshold, comparison: rule.comparison, summary, evidence };
  }

  // ---- webhooks -------------------------------------------------------------------------

  /** Adds a webhook; the secret (generated when not given) is returned only here. */
  async createWebhook(input: { url: string; events?: string[]; secret?: string; description?: string }): Promise<Webhook> {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw invalidParameter(`Webhook url '${input.url}' is not a URL; give an http(s) URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidParameter(`Webhook url must be http(s), got '${url.protocol}'.`);
    const events = [...new Set(input.events?.length ? input.events : ['*'])];
    return this.deps.store.createWebhook({
      id: randomUUID(), url: url.toString(), events, secret: input.secret ?? randomBytes(24).toString('hex'),
      description: input.description ?? '', createdAt: this.now(),
    });
  }

  /** Webhooks without their secrets. */
  async listWebhooks(): Promise<Omit<Webhook, 'secret'>[]> {
    return (await this.deps.store.listWebhooks()).map(({ secret: _s, ...w }) => w);
  }

  deleteWebhook(id: string): Promise<void> {
    return this.deps.store.deleteWebhook(id);
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async deliveries(id: string, limit = 100): Promise<WebhookDelivery[]> {
    if (!(await this.deps.store.getWebhook(id))) throw doesNotExist(`Webhook '${id}' does not exist.`);
    return this.deps.store.listDeliveries(id, limit);
  }
}

/** A reference without its profiles, raw values and calibration curve (what the API returns). */
export function referenceSummary(ref: Reference): Omit<Reference, 'profile' | 'segments' | 'raw' | 'calibration'> & { segmentValues: Record<string, string[]>; calibration: { used: boolean; reason: string } | null } {
  const { profile: _p, segments, raw: _r, calibration, ...summary } = ref;
  return {
    ...summary,
    segmentValues: Object.fromEntries(Object.entries(segments).map(([c, v]) => [c, Object.keys(v)])),
    calibration: calibration ? { used: calibration.used, reason: calibration.reason } : null,
  };
}

function round(v: number): string {
  return Number.isInteger(v) || Math.abs(v) >= 1000 ? String(v) : v.toPrecision(4);
}

function sliceColumn(c: Column, idx: number[]): Column {
  if (c.dtype === 'float' || c.dtype === 'int') return { name: c.name, dtype: c.dtype, values: Float64Array.from(idx, (i) => (c.values as Float64Array)[i]!) };
  return { name: c.name, dtype: c.dtype, values: idx.map((i) => (c.values as (string | null)[])[i]!) };
}

function subset(profile: DatasetProfile, names: string[]): DatasetProfile {
  const out = new DatasetProfile(profile.options);
  out.rows = profile.rows;
  for (const n of names) {
    const c = profile.columns.get(n);
    if (c) out.columns.set(n, c);
  }
  return out;
}

function optionsFor(drift: DriftOptions, names: string[]): DriftOptions {
  const { columns: _c, perColumn, ...rest } = drift;
  const kept = perColumn ? Object.fromEntries(Object.entries(perColumn).filter(([n]) => names.includes(n))) : undefined;
  return { ...rest, ...(kept && Object.keys(kept).length ? { perColumn: kept } : {}) };
}

/** A dataset value as a label cell. */
function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
