/**
 * Performance metrics, isotonic calibration and CBPE against scikit-learn (computed here by the
 * repository's Python venv) and against hand-computed values.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyIsotonic, cbpeEstimate, classificationMetrics, fitCalibration, fitIsotonic, regressionMetrics, rocAucOf } from '../../../src/core/monitoring/deployments/metrics.js';
import { seededRandom } from '../../support/random.js';

const PYTHON = fileURLToPath(new URL('../../../../../.venv/bin/python', import.meta.url));
const hasSklearn = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0;

function python<T>(script: string, input: unknown): T {
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
}

const rng = seededRandom;

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

const close = (a: number | null | undefined, b: number, tol = 1e-12) => expect(Math.abs((a ?? Number.NaN) - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('realised metrics', () => {
  it('hand-computed: a 6-row binary case and a constant-target regression', () => {
    const m = classificationMetrics(['yes', 'yes', 'no', 'no', 'yes', 'no'], ['yes', 'no', 'no', 'yes', 'yes', 'no'], [0.9, 0.4, 0.2, 0.6, 0.7, 0.1], 'yes');
    // TP 2, FN 1, FP 1, TN 2; AUC: positives {0.9, 0.4, 0.7} vs negatives {0.2, 0.6, 0.1}: 8 of 9 pairs ordered
    expect(m).toEqual({ accuracy: 4 / 6, precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, roc_auc: 8 / 9 });
    expect(classificationMetrics(['no', 'no'], ['no', 'no'], [0.1, 0.2], 'yes')).toEqual({ accuracy: 1, precision: 0, recall: 0, f1: 0, roc_auc: null });
    expect(regressionMetrics([2, 2, 2], [2, 2, 2])).toEqual({ mae: 0, rmse: 0, r2: 1 });
    expect(regressionMetrics([2, 2], [1, 3])).toEqual({ mae: 1, rmse: 1, r2: 0 });
    expect(rocAucOf([0.5, 0.5, 0.5], [true, false, true])).toBe(0.5);
  });

  (hasSklearn ? it : it.skip)('equal scikit-learn on 2,000 rows with ties (accuracy, precision, recall, F1, ROC AUC, MAE, RMSE, R²)', () => {
    const random = rng(3);
    const n = 2000;
    const score = Array.from({ length: n }, () => Math.round(random() * 50) / 50);
    const label = score.map((s) => (random() < s ? 'yes' : 'no'));
    const pred = score.map((s) => (s + (random() - 0.5) * 0.3 > 0.5 ? 'yes' : 'no'));
    const y = Array.from({ length: n }, () => normal(random) * 3 + 1);
    const yhat = y.map((v) => v + normal(random));
    const want = python<Record<string, number>>(`
import json, sys
from sklearn import metrics as m
d = json.load(sys.stdin)
print(json.dumps(dict(
  accuracy=m.accuracy_score(d['label'], d['pred']), precision=m.precision_score(d['label'], d['pred'], pos_label='yes'),
  recall=m.recall_score(d['label'], d['pred'], pos_label='yes'), f1=m.f1_score(d['label'], d['pred'], pos_label='yes'),
  roc_auc=m.roc_auc_score([l == 'yes' for l in d['label']], d['score']),
  mae=m.mean_absolute_error(d['y'], d['yhat']), rmse=m.root_mean_squared_error(d['y'], d['yhat']), r2=m.r2_score(d['y'], d['yhat']))))
`, { label, pred, score, y, yhat });
    const c = classificationMetrics(label, pred, score, 'yes');
    const r = regressionMetrics(y, yhat);
    for (const k of ['accuracy', 'precision', 'recall', 'f1', 'roc_auc'] as const) close(c[k], want[k]!, 1e-12);
    for (const k of ['mae', 'rmse', 'r2'] as const) close(r[k], want[k]!, 1e-10);
  });
});

describe('isotonic calibration and CBPE', () => {
  (hasSklearn ? it : it.skip)("isotonic fit equals scikit-learn's IsotonicRegression(out_of_bounds='clip') with ties and out-of-range points", () => {
    const random = rng(11);
    const x = Array.from({ length: 600 }, () => Math.round(random() * 100) / 100);
    const y = x.map((v) => (random() < v ** 2 ? 1 : 0));
    const grid = [-0.5, 0, 0.001, 0.123, 0.5, 0.505, 0.77, 0.999, 1, 1.5];
    const want = python<number[]>(`
import json, sys
from sklearn.isotonic import IsotonicRegression
d = json.load(sys.stdin)
print(json.dumps(IsotonicRegression(out_of_bounds='clip').fit(d['x'], d['y']).predict(d['grid']).tolist()))
`, { x, y, grid });
    const model = fitIsotonic(x, y);
    grid.forEach((g, i) => close(applyIsotonic(model, g), want[i]!, 1e-12));
  });

  it('hand-computed CBPE on four rows without calibration', () => {
    const e = cbpeEstimate([true, true, false, false], [0.9, 0.8, 0.3, 0.1], null);
    // E[TP] = 1.7, E[FP] = 0.3, E[FN] = 0.4, E[TN] = 1.6
    close(e.estimated_accuracy, 3.3 / 4);
    close(e.estimated_precision, 1.7 / 2);
    close(e.estimated_recall, 1.7 / 2.1);
    close(e.estimated_f1, 1.7 / (1.7 + 0.35));
    // tps 0.9, 1.7, 2.0, 2.1; fps 0.1, 0.3, 1.0, 1.9 (trapezoids by hand)
    const tpr = [0, 0.9, 1.7, 2.0, 2.1].map((v) => v / 2.1);
    const fpr = [0, 0.1, 0.3, 1.0, 1.9].map((v) => v / 1.9);
    let auc = 0;
    for (let k = 1; k < 5; k++) auc += (fpr[k]! - fpr[k - 1]!) * (tpr[k]! + tpr[k - 1]!) / 2;
    close(e.estimated_roc_auc, auc, 1e-9);
  });

  (hasSklearn ? it : it.skip)('CBPE ROC AUC equals the weighted ROC AUC of scikit-learn (each row a positive of weight p and a negative of weight 1 − p)', () => {
    const random = rng(5);
    const s = Array.from({ length: 300 }, () => Math.round(random() * 40) / 40);
    const want = python<number>(`
import json, sys
from sklearn.metrics import roc_auc_score
s = json.load(sys.stdin)
print(json.dumps(roc_auc_score([1] * len(s) + [0] * len(s), s + s, sample_weight=s + [1 - v for v in s])))
`, s);
    close(cbpeEstimate(s.map((v) => v > 0.5), s, null).estimated_roc_auc, want, 1e-4);
  });

  it("applies NannyML's needs-calibration rule: miscalibrated scores are calibrated, a perfect ranking is not", () => {
    const random = rng(8);
    const p = Array.from({ length: 3000 }, () => random());
    const y = p.map((v) => (random() < v ? 1 : 0));
    const cal = fitCalibration(y, p.map((v) => v ** 3));
    expect(cal.used, cal.reason).toBe(true);
    const perfect = fitCalibration([0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0], [0.1, 0.2, 0.8, 0.9, 0.15, 0.7, 0.3, 0.95, 0.85, 0.05, 0.25, 0.75, 0.65, 0.35, 0.6, 0.4, 0.99, 0.55, 0.45, 0.01, 0.88, 0.12]);
    expect(perfect.used).toBe(false);
    expect(perfect.reason).toMatch(/ROC AUC 1\.0000 > 0\.999/);
  });

  it('CBPE with calibration fitted on a labeled reference estimates the realised accuracy of a shifted, unlabeled window', () => {
    const random = rng(21);
    const draw = (n: number, shift: number) => {
      const p = Array.from({ length: n }, () => Math.min(1, Math.max(0, random() * 0.8 + shift)));
      return { p, y: p.map((v) => (random() < v ? 1 : 0)), score: p.map((v) => v ** 2) };
    };
    const ref = draw(5000, 0.1);
    const cur = draw(5000, 0.2);
    const calibration = fitCalibration(ref.y, ref.score);
    expect(calibration.used).toBe(true);
    const predicted = cur.score.map((s) => s >= 0.5);
    const est = cbpeEstimate(predicted, cur.score, calibration);
    const realised = classificationMetrics(cur.y.map(String), predicted.map((b) => (b ? '1' : '0')), cur.score, '1');
    expect(Math.abs(est.estimated_accuracy! - realised.accuracy!)).toBeLessThan(0.02);
    expect(Math.abs(est.estimated_f1! - realised.f1!)).toBeLessThan(0.03);
    expect(Math.abs(est.estimated_roc_auc! - realised.roc_auc!)).toBeLessThan(0.03);
    const naive = cbpeEstimate(predicted, cur.score, null);
    expect(Math.abs(naive.estimated_accuracy! - realised.accuracy!)).toBeGreaterThan(0.05);
  });
});
