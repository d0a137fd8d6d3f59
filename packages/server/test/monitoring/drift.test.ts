/**
 * The drift engine's rules: column typing, automatic stattest choice, option precedence, drift
 * decisions, the dataset rule, text columns and errors. Numbers are checked in
 * drift-golden.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import { computeDrift, STATTESTS } from '../../src/core/monitoring/drift/index.js';
import type { Column, DriftOptions } from '../../src/core/monitoring/drift/index.js';
import { inferColumnType } from '../../src/core/monitoring/drift/preprocess.js';
import { numbers } from './golden-data.js';

const num = (name: string, values: ArrayLike<number>, dtype: 'float' | 'int' = 'float'): Column => ({ name, dtype, values: Float64Array.from(values) });
const lab = (name: string, values: (string | null)[], dtype: 'string' | 'bool' = 'string'): Column => ({ name, dtype, values });
const normal = (seed: number, n: number, loc = 0): Float64Array => numbers({ dist: 'normal', seed, n, loc });
const cycle = <T>(values: T[], n: number): T[] => Array.from({ length: n }, (_, i) => values[i % values.length]!);

/** The single column's result of comparing `ref` with `cur`. */
function one(ref: Column, cur: Column, options: DriftOptions = {}) {
  const report = computeDrift([ref], [cur], options);
  return report.columns[ref.name]!;
}

/** Asserts `fn` throws INVALID_PARAMETER_VALUE with a message matching `message`. */
function expectInvalid(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isCapstanError(thrown), String(thrown)).toBe(true);
  if (!isCapstanError(thrown)) return;
  expect(thrown.code).toBe('INVALID_PARAMETER_VALUE');
  expect(thrown.message).toMatch(message);
}

describe('column typing (Evidently infer_column_type)', () => {
  it.each([
    ['float, 2 values → num', num('x', [1, 2, 1]), 'num'],
    ['int, 10 distinct → cat', num('x', cycle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 50), 'int'), 'cat'],
    ['int, 11 distinct → num', num('x', cycle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 'int'), 'num'],
    ['int, NaN is not a value → cat', num('x', [...cycle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 50), NaN], 'int'), 'cat'],
    ['string, half distinct → cat', lab('x', ['a', 'b', 'a', 'b']), 'cat'],
    ['string, more than half distinct → text', lab('x', ['a', 'b', 'c', 'a']), 'text'],
    ['string, nulls do not count → text', lab('x', ['a', 'b', null, null, null]), 'text'],
    ['bool → cat', lab('x', ['true', 'false', 'true'], 'bool'), 'cat'],
  ] as const)('%s', (_name, column, type) => {
    expect(inferColumnType(column)).toBe(type);
  });

  it('types from the current dataset, as Evidently does', () => {
    const ref = num('x', Array.from({ length: 200 }, (_, i) => i % 50), 'int');
    const cur = num('x', Array.from({ length: 200 }, (_, i) => i % 5), 'int');
    expect(one(ref, cur).column_type).toBe('cat');
    expect(one(cur, ref).column_type).toBe('num');
  });
});

describe('automatic stattest (Evidently _get_default_stattest)', () => {
  it.each([
    ['num, n_ref 1000, many values → ks', num('x', normal(1, 1000)), num('x', normal(2, 300)), 'ks', 0.05],
    ['num, n_ref 1001, many values → wasserstein', num('x', normal(1, 1001)), num('x', normal(2, 300)), 'wasserstein', 0.1],
    ['num, 5 values → chisquare', num('x', cycle([1, 2, 3, 4, 5], 500)), num('x', cycle([1, 2, 3], 300)), 'chisquare', 0.05],
    ['num, 3 values → chisquare', num('x', cycle([1.5, 2, 3], 500)), num('x', cycle([1.5, 2], 300)), 'chisquare', 0.05],
    ['num, 2 values → z', num('x', cycle([0.5, 1], 500)), num('x', cycle([0.5, 1], 300)), 'z', 0.05],
    ['num, 1 value → z', num('x', cycle([0.5], 500)), num('x', cycle([0.5], 300)), 'z', 0.05],
    ['num, values counted over both sides → ks', num('x', cycle([1, 2, 3], 500)), num('x', cycle([4, 5, 6], 300)), 'ks', 0.05],
    ['num, ≤ 5 values, n_ref > 1000 → jensenshannon', num('x', cycle([1, 2, 3, 4, 5], 1500)), num('x', cycle([1, 2], 300)), 'jensenshannon', 0.1],
    ['num, 2 values, n_ref > 1000 → jensenshannon', num('x', cycle([0, 1], 1500)), num('x', cycle([0, 1], 300)), 'jensenshannon', 0.1],
    ['cat, 3 values → chisquare', lab('x', cycle(['a', 'b', 'c'], 500)), lab('x', cycle(['a', 'b'], 300)), 'chisquare', 0.05],
    ['cat, 2 values → z', lab('x', cycle(['a', 'b'], 500)), lab('x', cycle(['a', 'b'], 300)), 'z', 0.05],
    ['cat, 2 values only over both sides → z', lab('x', cycle(['a'], 500)), lab('x', cycle(['b'], 300)), 'z', 0.05],
    ['cat, n_ref > 1000 → jensenshannon', lab('x', cycle(['a', 'b'], 1001)), lab('x', cycle(['a', 'b'], 300)), 'jensenshannon', 0.1],
    ['bool → z', lab('x', cycle(['true', 'false'], 500), 'bool'), lab('x', cycle(['true', 'true', 'false'], 300), 'bool'), 'z', 0.05],
  ] as const)('%s', (_name, ref, cur, stattest, threshold) => {
    const result = one(ref, cur);
    expect(result.stattest).toBe(stattest);
    expect(result.threshold).toBe(threshold);
  });

  it('counts the reference size after cleaning (1200 rows, 300 NaN → ks)', () => {
    const values = normal(3, 1200);
    for (let i = 0; i < 300; i++) values[4 * i] = NaN;
    expect(one(num('x', values), num('x', normal(4, 500))).stattest).toBe('ks');
  });

  it('treats ±Infinity as missing', () => {
    const values = normal(3, 1001);
    values[0] = Infinity;
    expect(one(num('x', values), num('x', normal(4, 500))).stattest).toBe('ks');
  });
});

describe('option precedence: per column > per type > all columns > default', () => {
  const ref = [num('a', normal(1, 300)), num('b', normal(2, 300)), lab('c', cycle(['x', 'y', 'z'], 300))];
  const cur = [num('a', normal(3, 200, 0.2)), num('b', normal(4, 200)), lab('c', cycle(['x', 'y'], 200))];

  it('chooses stattests by precedence', () => {
    const report = computeDrift(ref, cur, { stattest: 'psi', byType: { num: { stattest: 'anderson' } }, perColumn: { a: { stattest: 'mannw' } } });
    expect(report.columns.a!.stattest).toBe('mannw');
    expect(report.columns.b!.stattest).toBe('anderson');
    expect(report.columns.c!.stattest).toBe('psi');
  });

  it('chooses thresholds by precedence, independently of where the stattest came from', () => {
    const report = computeDrift(ref, cur, { threshold: 0.3, byType: { num: { threshold: 0.2 } }, perColumn: { a: { threshold: 0.01, stattest: 'ks' } } });
    expect(report.columns.a!.threshold).toBe(0.01);
    expect(report.columns.b!.threshold).toBe(0.2);
    expect(report.columns.c!.threshold).toBe(0.3);
  });

  it('falls back to the chosen test’s default threshold', () => {
    const report = computeDrift(ref, cur, { byType: { cat: { stattest: 'jensenshannon' } } });
    expect(report.columns.c).toMatchObject({ stattest: 'jensenshannon', threshold: 0.1 });
    expect(report.columns.a).toMatchObject({ stattest: 'ks', threshold: 0.05 });
  });

  it('lets perColumn.columnType retype a column', () => {
    const result = one(num('x', cycle([1, 2, 3, 4, 5, 6, 7], 300)), num('x', cycle([1, 2, 3, 4, 5, 6, 8], 300)), { perColumn: { x: { columnType: 'cat' } } });
    expect(result).toMatchObject({ column_type: 'cat', stattest: 'chisquare' });
  });

  it('restricts the report to `columns`', () => {
    expect(Object.keys(computeDrift(ref, cur, { columns: ['c', 'a'] }).columns)).toEqual(['c', 'a']);
  });
});

describe('drift decisions at the threshold', () => {
  const ref = num('x', normal(5, 200));
  const cur = num('x', normal(6, 150, 0.1));
  it.each([
    ['ks', true],
    ['cramer_von_mises', true],
    ['t_test', false],
    ['mannw', false],
    ['anderson', false],
    ['psi', true],
    ['wasserstein', true],
    ['ed', false],
  ])('%s: score equal to threshold → drift %s', (stattest, drift) => {
    const score = one(ref, cur, { stattest }).score;
    expect(one(ref, cur, { stattest, threshold: score }).drift_detected).toBe(drift);
  });

  it('p-value tests drift below, distances above', () => {
    expect(one(ref, cur, { stattest: 'ks', threshold: 0.999 }).drift_detected).toBe(true);
    expect(one(ref, cur, { stattest: 'ks', threshold: 1e-9 }).drift_detected).toBe(false);
    expect(one(ref, cur, { stattest: 'psi', threshold: 1e-9 }).drift_detected).toBe(true);
    expect(one(ref, cur, { stattest: 'psi', threshold: 100 }).drift_detected).toBe(false);
  });
});

describe('dataset drift: share of drifted columns ≥ driftShare', () => {
  const ref = [num('same', normal(7, 400)), num('moved', normal(8, 400))];
  const cur = [num('same', normal(9, 400)), num('moved', normal(10, 400, 2))];

  it('drifts at exactly the share (1 of 2 with the default 0.5)', () => {
    const report = computeDrift(ref, cur);
    expect(report).toMatchObject({ dataset_drift: true, drift_share: 0.5, number_of_columns: 2, number_of_drifted_columns: 1, share_of_drifted_columns: 0.5 });
  });

  it('does not drift below the share', () => {
    expect(computeDrift(ref, cur, { driftShare: 0.51 }).dataset_drift).toBe(false);
  });

  it('drifts with driftShare 0 even when nothing drifts', () => {
    const report = computeDrift([ref[0]!], [cur[0]!], { driftShare: 0 });
    expect(report).toMatchObject({ dataset_drift: true, number_of_drifted_columns: 0 });
  });
});

describe('text columns', () => {
  const text = (seed: number) => lab('t', Array.from({ length: 100 }, (_, i) => `review ${seed}-${i}`));
  const ref = [num('x', normal(1, 100)), text(1)];
  const cur = [num('x', normal(2, 100)), text(2)];

  it('are skipped without a forced stattest', () => {
    const report = computeDrift(ref, cur);
    expect(Object.keys(report.columns)).toEqual(['x']);
    expect(report.number_of_columns).toBe(1);
    expect(report.skipped_columns).toEqual({ t: expect.stringMatching(/text/) });
  });

  it('are tested as categories when a categorical stattest is forced on them', () => {
    expect(computeDrift(ref, cur, { perColumn: { t: { stattest: 'chisquare' } } }).columns.t).toMatchObject({ column_type: 'text', stattest: 'chisquare', score: 0 });
    expect(computeDrift(ref, cur, { byType: { text: { stattest: 'jensenshannon' } } }).columns.t).toMatchObject({ column_type: 'text', stattest: 'jensenshannon' });
  });

  it('can be retyped as categorical', () => {
    expect(computeDrift(ref, cur, { perColumn: { t: { columnType: 'cat' } } }).columns.t).toMatchObject({ column_type: 'cat', stattest: 'chisquare' });
  });

  it('reject numerical stattests', () => {
    expectInvalid(() => computeDrift(ref, cur, { stattest: 'ks' }), /Stattest 'ks' does not apply to text column 't'/);
  });

  it('must have a stattest when listed in `columns`', () => {
    expectInvalid(() => computeDrift(ref, cur, { columns: ['t'] }), /Column 't' is text/);
  });
});

describe('columns in one dataset only', () => {
  it('are skipped and reported', () => {
    const report = computeDrift([num('a', [1, 2, 3]), num('old', [1])], [num('a', [1, 2, 4]), num('new', [1])]);
    expect(Object.keys(report.columns)).toEqual(['a']);
    expect(report.skipped_columns).toEqual({ old: 'only in the reference dataset', new: 'only in the current dataset' });
  });
});

describe('errors', () => {
  const ok = num('x', [1, 2, 3, 4]);
  it.each<[string, () => unknown, RegExp]>([
    ['no values left in reference', () => computeDrift([num('x', [NaN, Infinity, -Infinity])], [ok]), /Column 'x' has no values left in the reference dataset/],
    ['no values left in current', () => computeDrift([lab('s', ['a'])], [lab('s', [null, null])]), /Column 's' has no values left in the current dataset/],
    ['numbers vs strings', () => computeDrift([ok], [lab('x', ['a'])]), /Column 'x' is float in the reference dataset but string in the current dataset/],
    ['strings vs booleans', () => computeDrift([lab('x', ['a'])], [lab('x', ['true'], 'bool')]), /Column 'x' is string in the reference dataset but bool/],
    ['listed column missing in current', () => computeDrift([ok, num('y', [1])], [ok], { columns: ['y'] }), /columns lists column 'y', which is not in the current dataset/],
    ['perColumn names an unknown column', () => computeDrift([ok], [ok], { perColumn: { z: { threshold: 0.1 } } }), /perColumn names column 'z', which is not in the reference dataset/],
    ['unknown stattest', () => computeDrift([ok], [ok], { stattest: 'nope' }), /Unknown stattest 'nope'; available: ks, chisquare/],
    ['unknown stattest in an unused type override', () => computeDrift([ok], [ok], { byType: { cat: { stattest: 'nope' } } }), /Unknown stattest 'nope'/],
    ['numerical stattest on a categorical column', () => computeDrift([lab('c', ['a', 'b', 'a'])], [lab('c', ['a', 'a'])], { stattest: 'wasserstein' }), /'wasserstein' does not apply to cat column 'c'/],
    ['categorical-only stattest on a numerical column', () => computeDrift([ok], [ok], { stattest: 'chisquare' }), /'chisquare' does not apply to num column 'x'; it takes cat, text columns/],
    ['strings typed num', () => computeDrift([lab('c', ['a'])], [lab('c', ['a'])], { perColumn: { c: { columnType: 'num' } } }), /Column 'c' holds string values and cannot be typed 'num'/],
    ['numbers typed text', () => computeDrift([ok], [ok], { perColumn: { x: { columnType: 'text' } } }), /Column 'x' holds numbers and cannot be typed 'text'/],
    ['non-finite threshold', () => computeDrift([ok], [ok], { threshold: NaN }), /threshold must be a finite number/],
    ['driftShare above 1', () => computeDrift([ok], [ok], { driftShare: 1.5 }), /driftShare must be between 0 and 1/],
    ['duplicate column', () => computeDrift([ok, ok], [ok]), /Column 'x' appears twice in the reference dataset/],
    ['nothing in common', () => computeDrift([ok], [num('y', [1])]), /No column to compare/],
    ['anderson on a constant column', () => computeDrift([num('x', [1, 1, 1])], [num('x', [1, 1])], { stattest: 'anderson' }), /'anderson' needs more than one distinct value in column 'x'/],
    ['fisher_exact on three categories', () => computeDrift([lab('c', ['a', 'b', 'a'])], [lab('c', ['c', 'a', 'a', 'c'])], { stattest: 'fisher_exact' }), /'fisher_exact' needs at most two distinct values in column 'c', found 3/],
    ['es with zero IQR', () => computeDrift([num('x', [1, 1, 1, 1, 1, 1, 2])], [num('x', [1, 1, 1, 1, 1])], { stattest: 'es' }), /'es' needs a nonzero interquartile range in column 'x'/],
  ])('%s', (_name, fn, message) => expectInvalid(fn, message));
});

describe('mixed dtypes and degenerate data', () => {
  it('mixes int and float, typing from the current dtype', () => {
    expect(one(num('x', [1.5, 2.5, 3.5], 'float'), num('x', [1, 2, 3], 'int'))).toMatchObject({ column_type: 'cat', stattest: 'chisquare' });
    expect(one(num('x', [1, 2, 3], 'int'), num('x', [1.5, 2.5, 3.5], 'float'))).toMatchObject({ column_type: 'num', stattest: 'ks' });
  });

  it('gives a NaN score and no drift where scipy does (t-test on two constant columns)', () => {
    const result = one(num('x', [2, 2, 2]), num('x', [2, 2]), { stattest: 't_test' });
    expect(result.score).toBeNaN();
    expect(result.drift_detected).toBe(false);
  });

  it('declares the column types of every stattest', () => {
    const types = Object.fromEntries([...STATTESTS].map(([name, t]) => [name, [...t.columnTypes]]));
    expect(types).toMatchObject({ ks: ['num'], chisquare: ['cat', 'text'], psi: ['num', 'cat', 'text'], TVD: ['cat', 'text'] });
  });
});
