import { type CapstanClient, ErrorCode, isCapstanError, type WireModelVersion } from '@capstan/client';
import { barChartSvg, confusionMatrixSvg, lineChartSvg, scatterSvg } from './charts.js';
import type { Evaluation } from './evaluate.js';
import { type MlflowModelOptions, mlflowModelFiles } from './mlflow.js';
import type { TabularModel } from './model.js';
import type { Study, StudyHooks } from './search.js';
import { invalid } from './data.js';

/** Options of {@link logModel}. */
export interface LogModelOptions extends MlflowModelOptions {
  runId: string;
  /** Artifact folder under the run (default 'model'). */
  artifactPath?: string;
  /** Register a version of this registered model (created if missing). */
  registeredModelName?: string;
  /** Extra metrics to log with the model (e.g. test scores). */
  metrics?: Record<string, number>;
  /** Log the hyperparameters as run params (default true). */
  logParams?: boolean;
  /** Tags for the new model version. */
  versionTags?: Record<string, string>;
}

/**
 * Logs a trained model to a run as an MLflow model directory (onnx flavor) under `artifactPath`,
 * with its hyperparameters and metrics, and registers a model version from `runs:/<run>/<path>`
 * when `registeredModelName` is given. Returns the new version, if any.
 */
export async function logModel(client: CapstanClient, model: TabularModel, options: LogModelOptions): Promise<WireModelVersion | undefined> {
  const artifactPath = options.artifactPath ?? 'model';
  const files = mlflowModelFiles(model, { ...options, artifactPath, runId: options.runId });
  for (const [name, content] of Object.entries(files)) {
    await client.uploadRunArtifact(options.runId, `${artifactPath}/${name}`, content, {
      contentType: name.endsWith('.json') ? 'application/json' : name === 'model.onnx' ? 'application/octet-stream' : 'text/plain',
    });
  }
  const params: Record<string, string> = {};
  if (options.logParams ?? true) {
    params.model_kind = model.kind;
    params.task = model.task;
    for (const [k, v] of Object.entries(model.params)) params[k] = String(v);
  }
  const timestamp = Date.now();
  await client.runs.logBatch(options.runId, {
    params,
    metrics: [
      { key: 'training_time_ms', value: model.trainingMs, timestamp, step: 0 },
      ...Object.entries(options.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp, step: 0 })),
    ],
    tags: {
      'mlflow.log-model.history': JSON.stringify([{ run_id: options.runId, artifact_path: artifactPath, utc_time_created: new Date(timestamp).toISOString(), flavors: { onnx: {}, python_function: {} } }]),
    },
  });
  if (!options.registeredModelName) return undefined;
  try {
    await client.registeredModels.create(options.registeredModelName);
  } catch (e) {
    if (!(isCapstanError(e) && e.code === ErrorCode.RESOURCE_ALREADY_EXISTS)) throw e;
  }
  return client.modelVersions.create(options.registeredModelName, `runs:/${options.runId}/${artifactPath}`, {
    run_id: options.runId,
    ...(options.versionTags ? { tags: options.versionTags } : {}),
  });
}

/** The artifact files (path → content) of an evaluation: metrics and curves as JSON, charts as SVG. */
export function evaluationArtifacts(e: Evaluation): Record<string, string> {
  const files: Record<string, string> = { 'metrics.json': JSON.stringify(e.metrics, null, 2) };
  if (e.featureImportance.length) {
    files['feature_importance.json'] = JSON.stringify(e.featureImportance, null, 2);
    const top = e.featureImportance.slice(0, 25);
    files['feature_importance.svg'] = barChartSvg({ title: 'Permutation importance', labels: top.map((f) => f.feature), values: top.map((f) => f.importance), errors: top.map((f) => f.std) });
  }
  if (e.task === 'regression') {
    files['predicted_vs_actual.json'] = JSON.stringify(e.scatter);
    files['predicted_vs_actual.svg'] = scatterSvg({ title: 'Predicted vs actual', xLabel: 'actual', yLabel: 'predicted', x: e.scatter.actual, y: e.scatter.predicted });
    return files;
  }
  files['confusion_matrix.json'] = JSON.stringify({ labels: e.classes, matrix: e.confusionMatrix });
  files['confusion_matrix.svg'] = confusionMatrixSvg(e.confusionMatrix, e.classes);
  if (e.roc.length) {
    files['roc_curve.json'] = JSON.stringify(e.roc);
    files['roc_curve.svg'] = lineChartSvg({ title: 'ROC curve', xLabel: 'false positive rate', yLabel: 'true positive rate', diagonal: true, series: e.roc.map((c) => ({ name: `${c.label} (AUC ${c.auc.toFixed(3)})`, x: c.fpr, y: c.tpr })) });
    files['precision_recall_curve.json'] = JSON.stringify(e.pr);
    files['precision_recall_curve.svg'] = lineChartSvg({ title: 'Precision-recall curve', xLabel: 'recall', yLabel: 'precision', series: e.pr.map((c) => ({ name: `${c.label} (AP ${c.averagePrecision.toFixed(3)})`, x: c.recall, y: c.precision })) });
  }
  files['calibration_curve.json'] = JSON.stringify(e.calibration);
  files['calibration_curve.svg'] = lineChartSvg({ title: 'Calibration', xLabel: 'mean predicted probability', yLabel: 'observed frequency', diagonal: true, markers: true, series: [{ name: e.calibration.description, x: e.calibration.meanPredicted, y: e.calibration.fractionPositive }] });
  return files;
}

/**
 * Logs an evaluation to a run: every metric as `<prefix><name>` (default prefix 'test_') and the
 * {@link evaluationArtifacts} under `artifactDir` (default 'evaluation').
 */
export async function logEvaluation(client: CapstanClient, runId: string, e: Evaluation, options: { prefix?: string; artifactDir?: string; step?: number } = {}): Promise<void> {
  const prefix = options.prefix ?? 'test_';
  const timestamp = Date.now();
  const metrics = Object.entries(e.metrics).filter(([, v]) => Number.isFinite(v)).map(([k, value]) => ({ key: `${prefix}${k}`, value, timestamp, step: options.step ?? 0 }));
  await client.runs.logBatch(runId, { metrics });
  const dir = options.artifactDir ?? 'evaluation';
  for (const [name, content] of Object.entries(evaluationArtifacts(e))) {
    await client.uploadRunArtifact(runId, `${dir}/${name}`, content, { contentType: name.endsWith('.svg') ? 'image/svg+xml' : 'application/json' });
  }
}

/** Options of {@link trackStudy}. */
export interface TrackStudyOptions {
  experimentId: string;
  /** Parent run; created (named after the study) when omitted. */
  parentRunId?: string;
  /** Metric name for trial values (default 'value'); intermediate values log as `<metric>` by step too. */
  metric?: string;
}

/**
 * Tracking for a {@link Study}: each trial becomes a child run (tag `mlflow.parentRunId`) with its
 * params, intermediate values (by step), final value and state; at the end the best trial's run
 * gets the tag `capstan.best_trial=true` and the parent run gets `best_value`, `best.<param>`
 * params and the tag `capstan.best_trial_run_id`. Pass the returned hooks as `new Study({ hooks })`.
 */
export function trackStudy(client: CapstanClient, options: TrackStudyOptions): StudyHooks & { parentRunId(): Promise<string>; runIdOf(trialNumber: number): string | undefined } {
  const metric = options.metric ?? 'value';
  const runs = new Map<number, string>();
  let parent: Promise<string> | undefined;
  const parentRun = (study: Study): Promise<string> => {
    parent ??= options.parentRunId
      ? Promise.resolve(options.parentRunId)
      : client.runs.create(options.experimentId, { run_name: study.name, tags: { 'capstan.study': study.name, 'capstan.direction': study.direction } }).then((r) => r.info.run_id);
    return parent;
  };
  let lastStudy: Study | undefined;
  return {
    parentRunId: () => {
      if (!lastStudy && !options.parentRunId) invalid('the study has not started yet');
      return parentRun(lastStudy!);
    },
    runIdOf: (n) => runs.get(n),
    async onTrialStart(study, trial) {
      lastStudy = study;
      const parentId = await parentRun(study);
      const run = await client.runs.create(options.experimentId, {
        run_name: `${study.name}-trial-${trial.number}`,
        tags: { 'mlflow.parentRunId': parentId, 'capstan.trial_number': String(trial.number) },
      });
      runs.set(trial.number, run.info.run_id);
    },
    async onReport(_study, trial, value, step) {
      const runId = runs.get(trial.number);
      if (runId && Number.isFinite(value)) await client.runs.logMetric(runId, metric, value, { step });
    },
    async onTrialEnd(_study, trial) {
      const runId = runs.get(trial.number);
      if (!runId) return;
      const timestamp = Date.now();
      const last = trial.intermediate.size ? Math.max(...trial.intermediate.keys()) + 1 : 0;
      await client.runs.logBatch(runId, {
        params: Object.fromEntries(Object.entries(trial.params).map(([k, v]) => [k, String(v)])),
        metrics: trial.state === 'complete' && Number.isFinite(trial.value) ? [{ key: metric, value: trial.value!, timestamp, step: last }] : [],
        tags: { 'capstan.trial_state': trial.state, ...(trial.error ? { 'capstan.trial_error': trial.error.slice(0, 5000) } : {}) },
      });
      await client.runs.update(runId, { status: trial.state === 'failed' ? 'FAILED' : trial.state === 'pruned' ? 'KILLED' : 'FINISHED', end_time: timestamp });
    },
    async onStudyEnd(study) {
      if (study.completeTrials.length === 0 || !parent) return;
      const best = study.bestTrial;
      const bestRun = runs.get(best.number)!;
      const parentId = await parent;
      await client.runs.setTag(bestRun, 'capstan.best_trial', 'true');
      await client.runs.logBatch(parentId, {
        params: Object.fromEntries(Object.entries(best.params).map(([k, v]) => [`best.${k}`, String(v)])),
        metrics: [{ key: `best_${metric}`, value: best.value!, timestamp: Date.now(), step: 0 }],
        tags: { 'capstan.best_trial_run_id': bestRun, 'capstan.best_trial_number': String(best.number), 'capstan.n_trials': String(study.trials.length) },
      });
      if (!options.parentRunId) await client.runs.update(parentId, { status: 'FINISHED', end_time: Date.now() });
    },
  };
}
