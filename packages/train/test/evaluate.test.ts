import { describe, expect, it } from 'vitest';
import {
  accuracy, calibrationCurve, classificationReport, confusionMatrix, evaluate, evaluationArtifacts, logLoss, mae, prCurve, r2, rmse,
  rocAuc, rocAucOvr, train,
} from '../src/index.js';
import { HAS_PYTHON, sklearnReference, syntheticTable } from './support.js';

interface Check { y: number[]; proba?: number[][]; pred?: number[]; [k: string]: unknown }

describe.skipIf(!HAS_PYTHON)('metrics equal scikit-learn on the same predictions', () => {
  const checks = (HAS_PYTHON ? (sklearnReference() as unknown as { metric_checks: Record<string, Check> }).metric_checks : {});
  for (const [name, c] of Object.entries(checks)) {
    it(name, () => {
      if (c.pred) {
        expect(r2(c.y, c.pred)).toBeCloseTo(c.r2 as number, 10);
        expect(rmse(c.y, c.pred)).toBeCloseTo(c.rmse as number, 8);
        expect(mae(c.y, c.pred)).toBeCloseTo(c.mae as number, 8);
        return;
      }
      const C = c.proba![0]!.length;
      const flat = c.proba!.flat();
      const pred = c.proba!.map((row) => row.indexOf(Math.max(...row)));
      expect(accuracy(c.y, pred)).toBeCloseTo(c.accuracy as number, 12);
      expect(logLoss(c.y, flat, C)).toBeCloseTo(c.log_loss as number, 8);
      expect(confusionMatrix(c.y, pred, C)).toEqual(c.confusion_matrix);
      const rep = classificationReport(c.y, pred, C);
      for (const avg of ['macro', 'weighted'] as const) {
        expect(rep[avg].precision).toBeCloseTo(c[`precision_${avg}`] as number, 12);
        expect(rep[avg].recall).toBeCloseTo(c[`recall_${avg}`] as number, 12);
        expect(rep[avg].f1).toBeCloseTo(c[`f1_${avg}`] as number, 12);
      }
      expect(rocAucOvr(c.y, flat, C)).toBeCloseTo(c.roc_auc as number, 10);
      if (C === 2) {
        const p1 = c.proba!.map((r) => r[1]!);
        expect(rocAuc(c.y, p1)).toBeCloseTo(c.roc_auc as number, 10);
        expect(prCurve(c.y, p1).averagePrecision).toBeCloseTo(c.average_precision as number, 10);
        const cal = calibrationCurve(c.y, p1, 10);
        const ref = c.calibration as { fraction_positive: number[]; mean_predicted: number[] };
        expect(cal.fractionPositive.length).toBe(ref.fraction_positive.length);
        cal.fractionPositive.forEach((v, i) => expect(v).toBeCloseTo(ref.fraction_positive[i]!, 10));
        cal.meanPredicted.forEach((v, i) => expect(v).toBeCloseTo(ref.mean_predicted[i]!, 10));
      }
    });
  }
});

describe('evaluate', () => {
  const data = syntheticTable(1200, 21);
  const test = syntheticTable(500, 22);
  const features = ['x0', 'x1', 'x2', 'city', 'plan'];

  it('classifier: metrics, curves, calibration, and permutation importance that ranks the informative columns', () => {
    const model = train({ data, label: 'yMulti', kind: 'logistic_regression', features });
    const e = evaluate(model, test, { permutationRepeats: 3, seed: 1 });
    if (e.task !== 'classification') throw new Error('expected a classification evaluation');
    expect(e.classes).toEqual(['high', 'low', 'mid']);
    expect(e.metrics.accuracy).toBeGreaterThan(0.7);
    expect(e.metrics.roc_auc).toBeGreaterThan(0.85);
    expect(e.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(500);
    expect(e.roc).toHaveLength(3);
    for (const r of e.roc) {
      expect(r.fpr[0]).toBe(0);
      expect(r.tpr.at(-1)).toBe(1);
      expect(r.fpr.at(-1)).toBe(1);
    }
    expect(e.calibration.count.reduce((a, b) => a + b, 0)).toBe(500);
    expect(e.featureImportance.map((f) => f.feature)).toHaveLength(5);
    expect(e.featureImportance[0]!.importance).toBeGreaterThan(0.05);
    const x1 = e.featureImportance.find((f) => f.feature === 'x1')!;
    expect(x1.importance).toBeGreaterThan(0.02);
    const files = evaluationArtifacts(e);
    expect(Object.keys(files).sort()).toEqual([
      'calibration_curve.json', 'calibration_curve.svg', 'confusion_matrix.json', 'confusion_matrix.svg', 'feature_importance.json',
      'feature_importance.svg', 'metrics.json', 'precision_recall_curve.json', 'precision_recall_curve.svg', 'roc_curve.json', 'roc_curve.svg',
    ]);
    for (const [name, content] of Object.entries(files)) if (name.endsWith('.svg')) expect(content).toMatch(/^<svg [^>]*>.*<\/svg>$/s);
  });

  it('regressor: R², RMSE, MAE, scatter, importance', () => {
    const model = train({ data, label: 'yReg', kind: 'gradient_boosting', task: 'regression', features, params: { maxIter: 50 } });
    const e = evaluate(model, test, { permutationRepeats: 2 });
    if (e.task !== 'regression') throw new Error('expected a regression evaluation');
    expect(e.metrics.r2).toBeGreaterThan(0.8);
    expect(e.metrics.rmse).toBeGreaterThan(0);
    expect(e.scatter.actual).toHaveLength(500);
    expect(Object.keys(evaluationArtifacts(e))).toContain('predicted_vs_actual.svg');
  });

  it('rejects a table without the label and labels the model never saw', () => {
    const model = train({ data, label: 'yBin', kind: 'logistic_regression', features });
    expect(() => evaluate(model, { x0: [1] })).toThrow(/no label column 'yBin'/);
    expect(() => evaluate(model, { ...test, yBin: (test.yBin as number[]).map(() => 7) })).toThrow(/never saw/);
  });
});
