/**
 * The shape of a drift test, as Evidently's `StatTest`: a name, the column types it accepts when
 * forced, a default threshold, a score and the rule that turns score and threshold into a verdict.
 */
import { invalidParameter } from '@capstan/api';
import type { ColumnType } from '../types.js';
import type { NumericSample, Sample } from '../sample.js';

/** What a test sees: the cleaned sides of one column and the column's type. */
export interface StatTestInput {
  column: string;
  reference: Sample;
  current: Sample;
  columnType: ColumnType;
}

/** A drift test. */
export interface StatTest {
  /** Evidently's name for the test (`ks`, `psi`, ...). */
  readonly name: string;
  /** Column types the test accepts when it is forced (automatic selection does not check this). */
  readonly columnTypes: readonly ColumnType[];
  /** Threshold when none is configured. */
  readonly defaultThreshold: number;
  /** Whether `score` means drift at `threshold` (p-value tests: below; distances: at or above). */
  drifted(score: number, threshold: number): boolean;
  /**
   * The score: a p-value or a distance.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the data cannot be tested this way (the
   *   message names the column and the reason).
   */
  score(input: StatTestInput): number;
}

/** p-value tests drifting when p < threshold. */
export const pBelow = (score: number, threshold: number): boolean => score < threshold;
/** p-value tests drifting when p ≤ threshold (`ks`, `cramer_von_mises`). */
export const pAtOrBelow = (score: number, threshold: number): boolean => score <= threshold;
/** Distances drifting when d ≥ threshold. */
export const atOrAbove = (score: number, threshold: number): boolean => score >= threshold;

/** Numerical and categorical column types. */
export const NUM: readonly ColumnType[] = ['num'];
/** Categorical tests also run on text columns, one category per distinct string. */
export const CAT: readonly ColumnType[] = ['cat', 'text'];
/** Tests for both kinds. */
export const NUM_CAT: readonly ColumnType[] = ['num', 'cat', 'text'];

/**
 * Both sides as numbers.
 * @throws CapstanError INVALID_PARAMETER_VALUE when the column holds strings.
 */
export function numericSides(input: StatTestInput, test: string): [NumericSample, NumericSample] {
  const { reference, current } = input;
  if (reference.kind !== 'numeric' || current.kind !== 'numeric') {
    throw invalidParameter(`Stattest '${test}' needs numbers, but column '${input.column}' holds strings`);
  }
  return [reference, current];
}

/**
 * Calls `visit(value, countA, countB)` for each distinct value of two ascending arrays, in order.
 */
export function forEachDistinct(a: Float64Array, b: Float64Array, visit: (value: number, countA: number, countB: number) => void): void {
  let i = 0;
  let j = 0;
  const na = a.length;
  const nb = b.length;
  while (i < na || j < nb) {
    const v = j >= nb || (i < na && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    let ca = 0;
    let cb = 0;
    while (i < na && a[i] === v) {
      i++;
      ca++;
    }
    while (j < nb && b[j] === v) {
      j++;
      cb++;
    }
    visit(v, ca, cb);
  }
}

/** scipy's `rel_entr(x, y)`: x·ln(x/y), 0 for x = 0, +∞ otherwise. */
export function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}
