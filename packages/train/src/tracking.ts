import { type CapstanClient, CapstanError, ErrorCode, type WireModelVersion } from '@capstan/client';
import { barChartSvg, confusionMatrixSvg, lineChartSvg, scatterSvg } from './charts.js';
import type { Evaluation } from './evaluate.js';
import { type MlflowModelOptions, mlflowModelFiles } from './mlflow.js';
import type { TabularModel } from './model.js';

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
    if (!(e instanceof CapstanError && e.code === ErrorCode.RESOURCE_ALREADY_EXISTS)) throw e;
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
