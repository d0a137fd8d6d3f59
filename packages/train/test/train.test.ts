import { CapstanError, ErrorCode } from '@capstan/client';
import { describe, expect, it } from 'vitest';
import { fitLogistic, HYPERPARAMETERS, Rng, train, transform, type ModelKind } from '../src/index.js';
import { syntheticTable } from './support.js';

const data = syntheticTable(400, 9);
const features = ['x0', 'x1', 'x2', 'city', 'plan'];

function invalidError(fn: () => unknown): CapstanError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CapstanError);
    expect((e as CapstanError).code).toBe(ErrorCode.INVALID_PARAMETER_VALUE);
    return e as CapstanError;
  }
  throw new Error('expected an error');
}

describe('bad input fails before training with a message that says what to fix', () => {
  it('non-numeric value in a numeric column', () => {
    const x1 = [...(data.x1 as number[])] as (number | string)[];
    x1[7] = 'oops';
    expect(invalidError(() => train({ data: { ...data, x1 }, label: 'yBin', kind: 'random_forest', features })).message)
      .toMatch(/column 'x1' is numeric but row 7 holds "oops"; clean it or declare the column categorical/);
    const declared = train({ data: { ...data, x1 }, label: 'yBin', kind: 'random_forest', features, preprocessing: { categorical: ['x1'] }, params: { nEstimators: 2 } });
    expect(declared.inputs.find((c) => c.name === 'x1')?.type).toBe('categorical');
    const m = train({ data, label: 'yBin', kind: 'logistic_regression', features });
    expect(invalidError(() => m.predict({ ...data, x1 })).message).toMatch(/column 'x1' is numeric but row 7/);
  });
  it('all-null column', () => {
    expect(invalidError(() => train({ data: { ...data, x2: (data.x2 as unknown[]).map(() => null) }, label: 'yBin', kind: 'gradient_boosting', features })).message)
      .toMatch(/column 'x2' has no values \(all null\)/);
  });
  it('label with one class, missing labels, and non-numeric regression targets', () => {
    expect(invalidError(() => train({ data: { ...data, yBin: (data.yBin as number[]).map(() => 1) }, label: 'yBin', kind: 'logistic_regression', features })).message)
      .toMatch(/label column 'yBin' has 1 class; a classifier needs at least two/);
    const y = [...(data.yBin as (number | null)[])];
    y[3] = null;
    expect(invalidError(() => train({ data: { ...data, yBin: y }, label: 'yBin', kind: 'logistic_regression', features })).message).toMatch(/missing a value in row 3/);
    expect(invalidError(() => train({ data, label: 'yMulti', kind: 'ridge', features })).message).toMatch(/column 'yMulti' is numeric but row 0/);
  });
  it('unknown or ill-typed hyperparameters, unknown kinds and columns', () => {
    expect(invalidError(() => train({ data, label: 'yBin', kind: 'gradient_boosting', features, params: { learning_rate: 0.1 } })).message)
      .toMatch(/unknown hyperparameter 'learning_rate' for gradient_boosting; known: learningRate/);
    expect(invalidError(() => train({ data, label: 'yBin', kind: 'random_forest', features, params: { nEstimators: 2.5 } })).message).toMatch(/positive integer/);
    expect(invalidError(() => train({ data, label: 'yBin', kind: 'random_forest', features, params: { bootstrap: 'yes' } })).message).toMatch(/true or false/);
    expect(invalidError(() => train({ data, label: 'yBin', kind: 'svm' as ModelKind, features })).message).toMatch(/unknown model kind 'svm'/);
    expect(invalidError(() => train({ data, label: 'nope', kind: 'ridge', features })).message).toMatch(/label column 'nope' is not in the data/);
    expect(invalidError(() => train({ data, label: 'yBin', kind: 'ridge', features: ['x9'] , task: 'regression' })).message).toMatch(/feature column 'x9' is not in the data/);
    expect(invalidError(() => train({ data, label: 'yBin', kind: 'linear_regression', task: 'classification' })).message).toMatch(/is a regressor/);
    expect(invalidError(() => train({ data: { a: [1, 2], b: [1] }, label: 'a', kind: 'ridge' })).message).toMatch(/has 1 values but other columns have 2/);
  });
});

describe('trainers', () => {
  it('accept row records and string labels, and are reproducible by seed', () => {
    const rows = Array.from({ length: 400 }, (_, i) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v[i]])));
    for (const kind of Object.keys(HYPERPARAMETERS) as ModelKind[]) {
      const task = kind === 'linear_regression' || kind === 'ridge' ? 'regression' : 'classification';
      const label = task === 'regression' ? 'yReg' : 'yMulti';
      const params: Record<string, number> = kind === 'random_forest' ? { nEstimators: 10 } : kind === 'gradient_boosting' ? { maxIter: 10 } : {};
      const a = train({ data: rows, label, kind, task, features, seed: 4, params });
      const b = train({ data, label, kind, task, features, seed: 4, params });
      expect(Array.from(a.predict(data) as ArrayLike<unknown>)).toEqual(Array.from(b.predict(data) as ArrayLike<unknown>));
    }
    const f1 = train({ data, label: 'yBin', kind: 'random_forest', features, seed: 1, params: { nEstimators: 5 } });
    const f2 = train({ data, label: 'yBin', kind: 'random_forest', features, seed: 2, params: { nEstimators: 5 } });
    expect(Array.from(f1.predictProba(data))).not.toEqual(Array.from(f2.predictProba(data)));
  });

  it('preprocessing: imputation strategies, scaling, one-hot with unknown and missing categories as zeros', () => {
    const table = { a: [1, null, 3, 3, 10], c: ['x', 'y', null, 'x', 'z'], y: [0, 1, 0, 1, 0] };
    for (const [impute, fill] of [['mean', 17 / 4], ['median', 3], ['most_frequent', 3]] as const) {
      const m = train({ data: table, label: 'y', kind: 'random_forest', preprocessing: { impute }, params: { nEstimators: 1 } });
      expect(m.preprocessor.numeric[0]!.fill).toBeCloseTo(fill, 5);
    }
    const m = train({ data: table, label: 'y', kind: 'logistic_regression' });
    expect(m.preprocessor.featureNames).toEqual(['a', 'c=x', 'c=y', 'c=z']);
    const X = transform(m.preprocessor, { a: [null, 1], c: ['unknown', null] }, 2);
    expect(Array.from(X.data.slice(1, 4))).toEqual([0, 0, 0]);
    expect(Array.from(X.data.slice(5, 8))).toEqual([0, 0, 0]);
    const scaled = transform(m.preprocessor, table, 5);
    const col = [0, 1, 2, 3, 4].map((i) => scaled.data[i * 4]!);
    expect(col.reduce((s, v) => s + v, 0) / 5).toBeCloseTo(0, 5);
    expect(Math.sqrt(col.reduce((s, v) => s + v * v, 0) / 5)).toBeCloseTo(1, 5);
  });

  it('gradient boosting early stopping (scikit-learn auto: on above 10,000 rows) stops when validation loss stalls', () => {
    const big = syntheticTable(12_000, 31);
    const auto = train({ data: big, label: 'yBin', kind: 'gradient_boosting', features, params: { maxIter: 400, learningRate: 0.5 } });
    const e = auto.estimator;
    if (e.type !== 'boosting') throw new Error('expected boosting');
    expect(e.model.iterations).toBeLessThan(400);
    expect(e.model.trees).toHaveLength(e.model.iterations);
    const losses = e.model.validationLoss!;
    expect(losses).toHaveLength(e.model.iterations + 1);
    const reference = losses[losses.length - 11]!;
    expect(losses.slice(-10).every((l) => l >= reference - 1e-7)).toBe(true);
    expect(losses.slice(0, -10).some((l, i) => i > 0 && l < losses[0]!)).toBe(true);
    const off = train({ data: big, label: 'yBin', kind: 'gradient_boosting', features, params: { maxIter: 40, earlyStopping: false } });
    expect(off.estimator.type === 'boosting' && off.estimator.model.iterations).toBe(40);
    const small = train({ data, label: 'yBin', kind: 'gradient_boosting', features, params: { maxIter: 30 } });
    expect(small.estimator.type === 'boosting' && small.estimator.model.validationLoss).toBeUndefined();
    expect(() => train({ data, label: 'yBin', kind: 'gradient_boosting', features, params: { earlyStopping: 'yes' } })).toThrow(/earlyStopping must be 'auto', true or false/);
    expect(() => train({ data, label: 'yBin', kind: 'gradient_boosting', features, params: { validationFraction: 1.5 } })).toThrow(/validationFraction must be in \(0, 1\)/);
  });

  it('gradient boosting reports validation loss per iteration and stops when onIteration returns false', () => {
    const valid = syntheticTable(300, 77);
    const seen: [number, number | undefined][] = [];
    const m = train({
      data, validation: valid, label: 'yMulti', kind: 'gradient_boosting', features, params: { maxIter: 50 },
      onIteration: (i, loss) => { seen.push([i, loss]); return i < 12; },
    });
    expect(seen.map(([i]) => i)).toEqual(Array.from({ length: 12 }, (_, k) => k + 1));
    expect(seen.every(([, l]) => typeof l === 'number' && l > 0)).toBe(true);
    expect(seen[11]![1]!).toBeLessThan(seen[0]![1]!);
    expect(m.estimator.type === 'boosting' && m.estimator.model.iterations).toBe(12);
    expect(m.estimator.type === 'boosting' && m.estimator.model.trees.length).toBe(36);
    expect(() => train({ data, validation: { ...valid, yMulti: (valid.yMulti as string[]).map(() => 'other') }, label: 'yMulti', kind: 'gradient_boosting', features }))
      .toThrow(/validation row 0 has label "other", which is not a training class/);
  });

  it('logistic regression reaches the optimum (gradient ≈ 0) on separable-ish data', () => {
    const rng = new Rng(3);
    const n = 500;
    const X = new Float32Array(n * 3);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 3; j++) X[i * 3 + j] = rng.normal();
      y[i] = X[i * 3]! - 2 * X[i * 3 + 1]! + rng.normal() > 0 ? 1 : 0;
    }
    const m = fitLogistic({ data: X, rows: n, cols: 3 }, y, 2);
    expect(m.coef[0]).toBeGreaterThan(0.5);
    expect(m.coef[1]).toBeLessThan(-1);
    expect(Math.abs(m.coef[2]!)).toBeLessThan(0.3);
    expect(m.iterations).toBeLessThan(200);
  });
});
