import { type Cell, type Columns, type TableLike, invalid, regressionTarget, toColumns } from './data.js';
import { accuracy, classificationReport, confusionMatrix, logLoss, mae, r2, rmse, rocAuc, rocAucOvr } from './metrics.js';
import { type TabularModel, argmaxRows } from './model.js';
import { Rng } from './rng.js';

/** A ROC curve: false/true positive rates at decreasing thresholds (first point is (0,0) at +∞). */
export interface RocCurve { label: string; fpr: number[]; tpr: number[]; thresholds: number[]; auc: number }
/** A precision-recall curve at decreasing thresholds, with average precision (scikit-learn's step definition). */
export interface PrCurve { label: string; precision: number[]; recall: number[]; thresholds: number[]; averagePrecision: number }
/** Reliability diagram: per non-empty uniform bin, mean predicted probability vs observed frequency. */
export interface CalibrationCurve { meanPredicted: number[]; fractionPositive: number[]; count: number[]; description: string }
/** Permutation importance of one input column: mean and std of the score drop over repeats. */
export interface FeatureImportance { feature: string; importance: number; std: number }

/** Everything {@link evaluate} computes for a classifier. */
export interface ClassificationEvaluation {
  task: 'classification';
  classes: string[];
  metrics: Record<string, number>;
  confusionMatrix: number[][];
  roc: RocCurve[];
  pr: PrCurve[];
  calibration: CalibrationCurve;
  featureImportance: FeatureImportance[];
}

/** Everything {@link evaluate} computes for a regressor. */
export interface RegressionEvaluation {
  task: 'regression';
  metrics: Record<string, number>;
  /** Up to 2,000 (actual, predicted) pairs for a scatter chart. */
  scatter: { actual: number[]; predicted: number[] };
  featureImportance: FeatureImportance[];
}

export type Evaluation = ClassificationEvaluation | RegressionEvaluation;

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Permutation-importance repeats per column (default 5, scikit-learn's; 0 skips it). */
  permutationRepeats?: number;
  /** Calibration bins (default 10). */
  calibrationBins?: number;
  seed?: number;
}

/**
 * Evaluates a model on a labeled table: metrics (classification: accuracy, precision/recall/F1
 * macro and weighted, log loss, ROC AUC (one-vs-rest macro for multiclass); regression: R², RMSE,
 * MAE), confusion matrix, ROC and precision-recall curves per class, calibration, and permutation
 * feature importance over input columns (score: accuracy or R²).
 */
export function evaluate(model: TabularModel, table: TableLike, options: EvaluateOptions = {}): Evaluation {
  const { columns, rows } = toColumns(table);
  const labelCol = columns[model.label];
  if (!labelCol) invalid(`the evaluation table has no label column '${model.label}'`);
  const repeats = options.permutationRepeats ?? 5;
  const rng = new Rng(options.seed ?? 0);
  if (model.task === 'regression') {
    const y = regressionTarget(model.label, labelCol);
    const pred = model.rawScores(model.features(columns)).scores;
    const step = Math.max(1, Math.ceil(rows / 2000));
    const idx = Array.from({ length: Math.ceil(rows / step) }, (_, i) => i * step);
    return {
      task: 'regression',
      metrics: { r2: r2(y, pred), rmse: rmse(y, pred), mae: mae(y, pred) },
      scatter: { actual: idx.map((i) => y[i]!), predicted: idx.map((i) => pred[i]!) },
      featureImportance: permutationImportance(model, columns, rows, (c) => r2(y, model.rawScores(model.features(c)).scores), repeats, rng),
    };
  }
  const classes = model.classes!;
  const y = classIndices(model, labelCol);
  const C = classes.length;
  const proba = model.predictProba(columns);
  const pred = argmaxRows(proba, C);
  const report = classificationReport(y, pred, C);
  const metrics: Record<string, number> = {
    accuracy: accuracy(y, pred),
    precision_macro: report.macro.precision, recall_macro: report.macro.recall, f1_macro: report.macro.f1,
    precision_weighted: report.weighted.precision, recall_weighted: report.weighted.recall, f1_weighted: report.weighted.f1,
    log_loss: logLoss(y, proba, C),
  };
  const present = new Set(y);
  if (present.size === C) metrics.roc_auc = rocAucOvr(y, proba, C);
  const curveClasses = C === 2 ? [1] : Array.from({ length: C }, (_, k) => k).filter((k) => present.has(k));
  const col = (k: number) => Float64Array.from({ length: rows }, (_, i) => proba[i * C + k]!);
  const bin = (k: number) => Int32Array.from(y, (v) => (v === k ? 1 : 0));
  const roc = present.size < 2 ? [] : curveClasses.map((k) => rocCurve(bin(k), col(k), String(classes[k])));
  const pr = present.size < 2 ? [] : curveClasses.map((k) => prCurve(bin(k), col(k), String(classes[k])));
  if (C === 2) metrics.average_precision = pr[0]?.averagePrecision ?? NaN;
  const calibration = C === 2
    ? calibrationCurve(bin(1), col(1), options.calibrationBins ?? 10, `P(${String(classes[1])}) vs observed frequency`)
    : calibrationCurve(Int32Array.from(y, (v, i) => (v === pred[i] ? 1 : 0)), Float64Array.from({ length: rows }, (_, i) => proba[i * C + pred[i]!]!), options.calibrationBins ?? 10, 'top-class confidence vs accuracy');
  return {
    task: 'classification', classes: classes.map(String), metrics, confusionMatrix: confusionMatrix(y, pred, C), roc, pr, calibration,
    featureImportance: permutationImportance(model, columns, rows, (c) => accuracy(y, model.predictIndex(c)), repeats, rng),
  };
}

function classIndices(model: TabularModel, labelCol: ArrayLike<Cell>): Int32Array {
  const classes = model.classes!;
  const index = new Map<string, number>(classes.map((c, k) => [String(c), k]));
  return Int32Array.from({ length: labelCol.length }, (_, i) => {
    const k = index.get(String(labelCol[i]));
    if (k === undefined) invalid(`row ${i} has label ${JSON.stringify(labelCol[i])}, which the model never saw; known classes: ${classes.join(', ')}`);
    return k;
  });
}

/** Mean/std drop of `score` when each input column is shuffled (scikit-learn permutation_importance). */
export function permutationImportance(model: TabularModel, columns: Columns, rows: number, score: (c: Columns) => number, repeats: number, rng: Rng): FeatureImportance[] {
  if (repeats <= 0) return [];
  const base = score(columns);
  return model.inputs.map(({ name }) => {
    const drops: number[] = [];
    const original = Array.from(columns[name]!);
    for (let r = 0; r < repeats; r++) {
      const shuffled = rng.shuffle(original.slice());
      drops.push(base - score({ ...columns, [name]: shuffled }));
    }
    const mean = drops.reduce((a, b) => a + b, 0) / repeats;
    const std = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / repeats);
    return { feature: name, importance: mean, std };
  }).sort((a, b) => b.importance - a.importance);
}

function sortedByScore(y: ArrayLike<number>, score: ArrayLike<number>): number[] {
  return Array.from({ length: y.length }, (_, i) => i).sort((a, b) => score[b]! - score[a]!);
}

/** ROC curve of binary labels (1 positive) against scores. */
export function rocCurve(y: ArrayLike<number>, score: ArrayLike<number>, label = '1'): RocCurve {
  const order = sortedByScore(y, score);
  let P = 0;
  for (let i = 0; i < y.length; i++) P += y[i] === 1 ? 1 : 0;
  const N = y.length - P;
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let q = 0; q < order.length; q++) {
    if (y[order[q]!] === 1) tp++;
    else fp++;
    if (q === order.length - 1 || score[order[q + 1]!] !== score[order[q]!]) {
      fpr.push(N ? fp / N : 0);
      tpr.push(P ? tp / P : 0);
      thresholds.push(score[order[q]!]!);
    }
  }
  return { label, fpr, tpr, thresholds, auc: rocAuc(y, score) };
}

/** Precision-recall curve and average precision of binary labels against scores. */
export function prCurve(y: ArrayLike<number>, score: ArrayLike<number>, label = '1'): PrCurve {
  const order = sortedByScore(y, score);
  let P = 0;
  for (let i = 0; i < y.length; i++) P += y[i] === 1 ? 1 : 0;
  const precision: number[] = [];
  const recall: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let q = 0; q < order.length; q++) {
    if (y[order[q]!] === 1) tp++;
    if (q === order.length - 1 || score[order[q + 1]!] !== score[order[q]!]) {
      const p = tp / (q + 1);
      const r = P ? tp / P : 0;
      ap += (r - lastRecall) * p;
      lastRecall = r;
      precision.push(p);
      recall.push(r);
      thresholds.push(score[order[q]!]!);
    }
  }
  return { label, precision, recall, thresholds, averagePrecision: ap };
}

/** Calibration (reliability) curve with uniform bins over [0, 1] (scikit-learn calibration_curve). */
export function calibrationCurve(y: ArrayLike<number>, prob: ArrayLike<number>, bins = 10, description = ''): CalibrationCurve {
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    const b = Math.min(bins - 1, Math.floor(prob[i]! * bins));
    sumP[b] += prob[i]!;
    sumY[b] += y[i]!;
    count[b]++;
  }
  const out: CalibrationCurve = { meanPredicted: [], fractionPositive: [], count: [], description };
  for (let b = 0; b < bins; b++) {
    if (!count[b]) continue;
    out.meanPredicted.push(sumP[b]! / count[b]!);
    out.fractionPositive.push(sumY[b]! / count[b]!);
    out.count.push(count[b]!);
  }
  return out;
}

