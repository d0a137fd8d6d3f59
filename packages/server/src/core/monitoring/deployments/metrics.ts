/**
 * Realised performance (scikit-learn's definitions) and NannyML's confidence-based performance
 * estimation (CBPE) for binary classifiers, with isotonic calibration.
 */
import type { Calibration, Metrics } from './model.js';

/**
 * Binary classification metrics, one-vs-rest for `positive`: accuracy over all classes;
 * precision, recall and F1 of the positive class (0 when undefined, as scikit-learn's
 * `zero_division` default); ROC AUC from `scores` (null without both classes or scores).
 */
export function classificationMetrics(labels: readonly string[], predictions: readonly string[], scores: readonly (number | null)[] | null, positive: string): Metrics {
  const n = labels.length;
  if (n === 0) return { accuracy: null, precision: null, recall: null, f1: null, roc_auc: null };
  let correct = 0, tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i] === positive;
    const p = predictions[i] === positive;
    if (labels[i] === predictions[i]) correct++;
    if (y && p) tp++;
    else if (!y && p) fp++;
    else if (y && !p) fn++;
  }
  let rocAuc: number | null = null;
  if (scores && scores.every((s) => typeof s === 'number' && Number.isFinite(s))) {
    rocAuc = rocAucOf(scores as number[], labels.map((l) => l === positive));
  }
  return {
    accuracy: correct / n,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    f1: 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    roc_auc: rocAuc,
  };
}

/** ROC AUC by the Mann-Whitney rank sum with average ranks for ties (equals scikit-learn's); null with one class. */
export function rocAucOf(scores: readonly number[], positive: readonly boolean[]): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (positive[order[k]!]) { nPos++; rankSum += rank; }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** MAE, RMSE and R² (scikit-learn's: R² is 1 for a perfect fit of constant targets, 0 otherwise). */
export function regressionMetrics(labels: readonly number[], predictions: readonly number[]): Metrics {
  const n = labels.length;
  if (n === 0) return { mae: null, rmse: null, r2: null };
  let abs = 0, sq = 0, mean = 0;
  for (let i = 0; i < n; i++) mean += labels[i]!;
  mean /= n;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const e = labels[i]! - predictions[i]!;
    abs += Math.abs(e);
    sq += e * e;
    tot += (labels[i]! - mean) ** 2;
  }
  return { mae: abs / n, rmse: Math.sqrt(sq / n), r2: tot === 0 ? (sq === 0 ? 1 : 0) : 1 - sq / tot };
}

/**
 * Isotonic (increasing) regression of `y` on `x` with out-of-bounds clipping, as scikit-learn's
 * `IsotonicRegression(out_of_bounds="clip")`: equal x are pooled, PAV, then linear interpolation.
 */
export function fitIsotonic(x: readonly number[], y: readonly number[]): { x: number[]; y: number[] } {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  for (const i of order) {
    if (ux.length && ux[ux.length - 1] === x[i]) {
      const k = ux.length - 1;
      uy[k] = (uy[k]! * uw[k]! + y[i]!) / (uw[k]! + 1);
      uw[k]! += 1;
    } else {
      ux.push(x[i]!);
      uy.push(y[i]!);
      uw.push(1);
    }
  }
  const values: number[] = [];
  const weights: number[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < ux.length; i++) {
    values.push(uy[i]!);
    weights.push(uw[i]!);
    sizes.push(1);
    while (values.length > 1 && values[values.length - 2]! > values[values.length - 1]!) {
      const v = values.pop()!, w = weights.pop()!, s = sizes.pop()!;
      const k = values.length - 1;
      values[k] = (values[k]! * weights[k]! + v * w) / (weights[k]! + w);
      weights[k]! += w;
      sizes[k]! += s;
    }
  }
  const fitted: number[] = [];
  values.forEach((v, b) => { for (let s = 0; s < sizes[b]!; s++) fitted.push(v); });
  return { x: ux, y: fitted };
}

/** Applies a fitted isotonic step function (linear between thresholds, clipped outside). */
export function applyIsotonic(model: { x: readonly number[]; y: readonly number[] }, v: number): number {
  const { x, y } = model;
  if (x.length === 0) return v;
  if (v <= x[0]!) return y[0]!;
  if (v >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0, hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= v) lo = mid;
    else hi = mid;
  }
  const t = (v - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}

/** Expected calibration error over `bins` equal-count bins of sorted scores (NannyML's). */
export function expectedCalibrationError(labels: readonly number[], scores: readonly number[], bins = 10): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * n) / bins), to = Math.floor(((b + 1) * n) / bins);
    if (to <= from) continue;
    let sy = 0, sp = 0;
    for (let k = from; k < to; k++) { sy += labels[order[k]!]!; sp += scores[order[k]!]!; }
    ece += Math.abs(sy - sp) / n;
  }
  return ece;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fits the CBPE calibrator on labeled reference scores and applies NannyML's needs-calibration
 * rule: none when the reference ROC AUC is above 0.999; otherwise the isotonic fit is used only
 * if the mean ECE over 10 stratified 90/10 splits (seeded, 10 bins) is lower after calibration.
 */
export function fitCalibration(labels: readonly number[], scores: readonly number[]): Calibration {
  const auc = rocAucOf(scores, labels.map((l) => l === 1));
  const full = fitIsotonic(scores, labels);
  if (auc === null) return { used: false, reason: 'the labeled reference has one class only', ...full };
  if (auc > 0.999) return { used: false, reason: `reference ROC AUC ${auc.toFixed(4)} > 0.999`, ...full };
  const random = mulberry32(42);
  const byClass = [0, 1].map((c) => labels.flatMap((l, i) => (l === c ? [i] : [])));
  let before = 0, after = 0;
  const splits = 10;
  for (let s = 0; s < splits; s++) {
    const test = new Set<number>();
    for (const idx of byClass) {
      const shuffled = [...idx];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      for (const i of shuffled.slice(0, Math.max(1, Math.round(idx.length * 0.1)))) test.add(i);
    }
    const trainIdx = labels.map((_, i) => i).filter((i) => !test.has(i));
    const model = fitIsotonic(trainIdx.map((i) => scores[i]!), trainIdx.map((i) => labels[i]!));
    const testIdx = [...test];
    const y = testIdx.map((i) => labels[i]!);
    before += expectedCalibrationError(y, testIdx.map((i) => scores[i]!));
    after += expectedCalibrationError(y, testIdx.map((i) => applyIsotonic(model, scores[i]!)));
  }
  const used = after < before;
  return { used, reason: `mean ECE over ${splits} splits ${(before / splits).toFixed(4)} before, ${(after / splits).toFixed(4)} after calibration`, ...full };
}

/**
 * CBPE estimates from predicted classes and P(positive) scores: the expected confusion matrix from
 * calibrated probabilities, and ROC AUC from the uncalibrated ranking (NannyML's, 5 dp rounding).
 */
export function cbpeEstimate(predictedPositive: readonly boolean[], scores: readonly number[], calibration: Calibration | null): Metrics {
  const n = scores.length;
  if (n === 0) return { estimated_accuracy: null, estimated_precision: null, estimated_recall: null, estimated_f1: null, estimated_roc_auc: null };
  const p = scores.map((s) => (calibration?.used ? applyIsotonic(calibration, s) : s));
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < n; i++) {
    if (predictedPositive[i]) { tp += p[i]!; fp += 1 - p[i]!; } else { fn += p[i]!; tn += 1 - p[i]!; }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const tps: number[] = [0];
  const fps: number[] = [0];
  let cum = 0;
  for (let k = 0; k < n; k++) {
    cum += p[order[k]!]!;
    if (k + 1 < n && scores[order[k + 1]!] === scores[order[k]!]) continue;
    const t = Math.round(cum * 1e5) / 1e5;
    tps.push(t);
    fps.push(Math.round((k + 1 - cum) * 1e5) / 1e5);
  }
  const tMax = tps[tps.length - 1]!, fMax = fps[fps.length - 1]!;
  let auc: number | null = null;
  if (tMax > 0 && fMax > 0) {
    auc = 0;
    for (let k = 1; k < tps.length; k++) auc += ((fps[k]! - fps[k - 1]!) / fMax) * ((tps[k]! + tps[k - 1]!) / tMax / 2);
  }
  return {
    estimated_accuracy: (tp + tn) / n,
    estimated_precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    estimated_recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    estimated_f1: tp + 0.5 * (fp + fn) === 0 ? 0 : tp / (tp + 0.5 * (fp + fn)),
    estimated_roc_auc: auc,
  };
}
