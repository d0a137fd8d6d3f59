/**
 * One side (reference or current) of a cleaned column: finite numbers, or non-null labels.
 * Sorting and value counts are computed on first use and kept, so the tests of a column share
 * them.
 */
import { sortedCopy } from './sort.js';

/** A distinct value of a column. */
export type Key = number | string;

/** Finite values of a numeric column. */
export class NumericSample {
  readonly kind = 'numeric';
  private sortedCache: Float64Array | undefined;
  private countsCache: Map<number, number> | undefined;

  /**
   * @param values the values, in any order; never modified, but replaced by their sorted copy.
   * @param integer true when the column's dtype is int (numpy's integer binning rule).
   */
  constructor(
    public values: Float64Array,
    readonly integer: boolean,
  ) {}

  /** Number of values. */
  get size(): number {
    return this.values.length;
  }

  /** The values in ascending order (sorted once; `values` then refers to the sorted copy). */
  sorted(): Float64Array {
    if (!this.sortedCache) {
      this.sortedCache = sortedCopy(this.values);
      this.values = this.sortedCache;
    }
    return this.sortedCache;
  }

  /** Count of each distinct value, keys in ascending order. */
  counts(): Map<number, number> {
    if (this.countsCache) return this.countsCache;
    const s = this.sorted();
    const counts = new Map<number, number>();
    let i = 0;
    while (i < s.length) {
      const v = s[i]!;
      let j = i + 1;
      while (j < s.length && s[j] === v) j++;
      counts.set(v, j - i);
      i = j;
    }
    this.countsCache = counts;
    return counts;
  }

  /** Smallest and largest value. */
  range(): [number, number] {
    if (this.sortedCache) return [this.sortedCache[0]!, this.sortedCache[this.sortedCache.length - 1]!];
    const v = this.values;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return [lo, hi];
  }
}

/** Non-null values of a string or boolean column. */
export class LabelSample {
  readonly kind = 'label';
  private countsCache: Map<string, number> | undefined;

  constructor(readonly values: readonly string[]) {}

  /** Number of values. */
  get size(): number {
    return this.values.length;
  }

  /** Count of each distinct value, in first-seen order. */
  counts(): Map<string, number> {
    if (this.countsCache) return this.countsCache;
    const counts = new Map<string, number>();
    for (const v of this.values) counts.set(v, (counts.get(v) ?? 0) + 1);
    this.countsCache = counts;
    return counts;
  }
}

/** A cleaned side of a column. */
export type Sample = NumericSample | LabelSample;

/** Value counts of a sample, keyed by number or string. */
export function countsOf(sample: Sample): Map<Key, number> {
  return sample.counts() as Map<Key, number>;
}

/**
 * Number of distinct values over the given samples together, counting no further than `limit`
 * (so `distinctUpTo([a, b], 6) > 5` reads "more than 5 uniques" without a full pass when there
 * are many).
 */
export function distinctUpTo(samples: readonly Sample[], limit: number): number {
  const seen = new Set<Key>();
  for (const sample of samples) {
    for (const v of sample.values) {
      seen.add(v);
      if (seen.size >= limit) return limit;
    }
  }
  return seen.size;
}

/** Number of distinct values over two numeric samples together (a merge of their sorted values). */
export function unionDistinctCount(a: NumericSample, b: NumericSample): number {
  const x = a.sorted();
  const y = b.sorted();
  let i = 0;
  let j = 0;
  let count = 0;
  while (i < x.length || j < y.length) {
    const v = j >= y.length || (i < x.length && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    count++;
  }
  return count;
}

/** Union of the distinct values of both samples: reference's first, then those new in current. */
export function unionKeys(reference: Sample, current: Sample): Key[] {
  const keys = new Set<Key>(countsOf(reference).keys());
  for (const k of countsOf(current).keys()) keys.add(k);
  return [...keys];
}
