import { invalid } from './data.js';

/** Fraction of predictions equal to the truth. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  sameLength(yTrue, yPred);
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / yTrue.length;
}

/** Confusion matrix: `m[t][p]` counts rows of true class t predicted as p. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): number[][] {
  sameLength(yTrue, yPred);
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** Per-class precision, recall, F1 and support, plus macro and weighted averages (scikit-learn's zero_division=0). */
export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): {
  perClass: { precision: number; recall: number; f1: number; support: number }[];
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
} {
  const m = confusionMatrix(yTrue, yPred, nClasses);
  const perClass = m.map((row, k) => {
    const tp = row[k];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = m.reduce((a, r) => a + r[k], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
  const total = perClass.reduce((a, c) => a + c.support, 0);
  const avg = (w: (c: (typeof perClass)[number]) => number) => ({
    precision: perClass.reduce((a, c) => a + w(c) * c.precision, 0),
    recall: perClass.reduce((a, c) => a + w(c) * c.recall, 0),
    f1: perClass.reduce((a, c) => a + w(c) * c.f1, 0),
  });
  return { perClass, macro: avg(() => 1 / nClasses), weighted: avg((c) => c.support / total) };
}

/** Mean negative log-likelihood of the true class; probabilities row-major [rows × classes], clipped to [1e-15, 1]. */
export function logLoss(yTrue: ArrayLike<number>, proba: ArrayLike<number>, nClasses: number): number {
  if (proba.length !== yTrue.length * nClasses) invalid(`probabilities have ${proba.length} values, expected ${yTrue.length} × ${nClasses}`);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    let rowSum = 0;
    for (let k = 0; k < nClasses; k++) rowSum += proba[i * nClasses + k];
    s -= Math.log(Math.min(Math.max(proba[i * nClasses + yTrue[i]] / rowSum, 1e-15), 1));
  }
  return s / yTrue.length;
}

/** Area under the ROC curve for binary labels (1 = positive) and scores; ties get half credit. */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  sameLength(yTrue, score);
  const order = Array.from({ length: yTrue.length }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let pos = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === 1) pos++;
  const neg = yTrue.length - pos;
  if (pos === 0 || neg === 0) invalid('ROC AUC needs both positive and negative rows');
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && score[order[j]] === score[order[i]]) j++;
    const avgRank = (i + j + 1) / 2;
    for (let q = i; q < j; q++) if (yTrue[order[q]] === 1) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** ROC AUC for class indices and probabilities [rows × classes]: binary uses column 1, multiclass the macro one-vs-rest average. */
export function rocAucOvr(yTrue: ArrayLike<number>, proba: ArrayLike<number>, nClasses: number): number {
  const column = (k: number) => Float64Array.from({ length: yTrue.length }, (_, i) => proba[i * nClasses + k]);
  if (nClasses === 2) return rocAuc(yTrue, column(1));
  let s = 0;
  for (let k = 0; k < nClasses; k++) s += rocAuc(Int32Array.from(yTrue, (v) => (v === k ? 1 : 0)), column(k));
  return s / nClasses;
}

/** Coefficient of determination. */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  sameLength(yTrue, yPred);
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i] / yTrue.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    ssRes += (yTrue[i] - yPred[i]) ** 2;
    ssTot += (yTrue[i] - mean) ** 2;
  }
  return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
}

/** Root mean squared error. */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  sameLength(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i] - yPred[i]) ** 2;
  return Math.sqrt(s / yTrue.length);
}

/** Mean absolute error. */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  sameLength(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
  return s / yTrue.length;
}

function sameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) invalid(`got ${a.length} true values but ${b.length} predictions`);
  if (a.length === 0) invalid('metrics need at least one row');
}
