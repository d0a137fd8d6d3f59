/**
 * The distributions of profiled columns as the drift statistics see them: CDF walks over two
 * sorted views (KS statistic, Wasserstein and energy integrals), Evidently's binned shares from
 * exact counts or sketches, and value counts with an OTHER bin for frequent items.
 */
import { sturgesEdges } from '../drift/binning.js';
import { Accumulator } from '../drift/special.js';
import type { ColumnType } from '../drift/types.js';
import type { CategoricalProfile, ColumnProfile, NumericProfile } from './column.js';
import type { SortedView } from './kll.js';

const VALUE_PATH_MAX_UNIQUES = 20;

/** Distinct values over both profiles: exact when both hold exact counts, else a HyperLogLog union. */
export function unionDistinct(a: ColumnProfile, b: ColumnProfile): { value: number; exact: boolean } {
  const ea = exactKeys(a);
  const eb = exactKeys(b);
  if (ea && eb) {
    const keys = new Set<number | string>(ea);
    for (const k of eb) keys.add(k);
    return { value: keys.size, exact: true };
  }
  const union = a.distinctSketch().merge(b.distinctSketch());
  return { value: Math.round(union.estimate()), exact: false };
}

function exactKeys(p: ColumnProfile): Iterable<number | string> | null {
  if (p.kind === 'numeric') return p.valueCounts()?.values ?? null;
  return p.valueCounts()?.keys() ?? null;
}

function rankLe(view: SortedView, i: number): number {
  return i === 0 ? 0 : view.cumulative[i - 1]!;
}

/**
 * Walks the distinct values of both views in order, calling `visit(value, Fa, Fb)` with each
 * side's CDF (weight ≤ value over total) at that value.
 */
function walkCdfs(a: SortedView, b: SortedView, visit: (value: number, fa: number, fb: number) => void): void {
  const va = a.values;
  const vb = b.values;
  let i = 0;
  let j = 0;
  while (i < va.length || j < vb.length) {
    const v = j >= vb.length || (i < va.length && va[i]! <= vb[j]!) ? va[i]! : vb[j]!;
    if (i < va.length && va[i] === v) i++;
    if (j < vb.length && vb[j] === v) j++;
    visit(v, rankLe(a, i) / a.total, rankLe(b, j) / b.total);
  }
}

/** Two-sample KS statistic D = sup |F_a − F_b| of two distributions given as sorted views. */
export function ksStatisticOfViews(a: SortedView, b: SortedView): number {
  let max = -Infinity;
  let min = Infinity;
  walkCdfs(a, b, (_v, fa, fb) => {
    const d = fa - fb;
    if (d > max) max = d;
    if (d < min) min = d;
  });
  const minS = Math.min(Math.max(-min, 0), 1);
  return minS > max ? minS : max;
}

/** ∫ |F_a − F_b|^p dx over two sorted views (p = 1: Wasserstein-1; p = 2: the energy integral). */
export function cdfDistanceOfViews(a: SortedView, b: SortedView, p: 1 | 2): number {
  const sum = new Accumulator();
  let prev = NaN;
  let prevDiff = 0;
  let first = true;
  walkCdfs(a, b, (v, fa, fb) => {
    if (!first) sum.add((p === 1 ? Math.abs(prevDiff) : prevDiff * prevDiff) * (v - prev));
    first = false;
    prev = v;
    prevDiff = fa - fb;
  });
  return sum.value;
}

/** Weight of a view strictly below x. */
function weightBelow(view: SortedView, x: number): number {
  const { values, cumulative } = view;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : cumulative[lo - 1]!;
}

/** Counts per bin of `edges` (half-open bins, the last closed), as `np.histogram`. */
export function histogramOfView(view: SortedView, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const out = new Float64Array(bins);
  let below = weightBelow(view, edges[0]!);
  for (let i = 0; i < bins; i++) {
    const upper = i === bins - 1 ? view.total - weightAbove(view, edges[bins]!) : weightBelow(view, edges[i + 1]!);
    out[i] = upper - below;
    below = upper;
  }
  return out;
}

function weightAbove(view: SortedView, x: number): number {
  const { values, cumulative, total } = view;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return total - (lo === 0 ? 0 : cumulative[lo - 1]!);
}

/**
 * Weight of a sketch below x when each retained value's weight is spread evenly over the span
 * from the midpoint with its left neighbour to the midpoint with its right one (the first from
 * the exact minimum, the last to the exact maximum). Bin masses from this piecewise-linear CDF
 * have no empty interior bins, so the log ratios of PSI and KL do not blow up in the tails.
 */
export function spreadWeightBelow(view: SortedView, min: number, max: number, x: number): number {
  const { values, cumulative, total } = view;
  const m = values.length;
  if (!(x > min)) return 0;
  if (x >= max) return total;
  const right = (j: number): number => (j + 1 < m ? (values[j]! + values[j + 1]!) / 2 : max);
  let lo = 0;
  let hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (right(mid) <= x) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= m) return total;
  const a = lo === 0 ? min : (values[lo - 1]! + values[lo]!) / 2;
  const b = right(lo);
  const before = lo === 0 ? 0 : cumulative[lo - 1]!;
  return x <= a ? before : before + ((cumulative[lo]! - before) * (x - a)) / (b - a);
}

/**
 * Counts per bin of `edges` for a numeric profile: exact counts under the cap (`np.histogram`),
 * the sketch's spread weights ({@link spreadWeightBelow}) past it.
 */
export function binCounts(p: NumericProfile, edges: Float64Array): Float64Array {
  const view = p.sortedView();
  if (p.isExact) return histogramOfView(view, edges);
  const bins = edges.length - 1;
  const out = new Float64Array(bins);
  let below = spreadWeightBelow(view, p.min, p.max, edges[0]!);
  for (let i = 0; i < bins; i++) {
    const upper = i === bins - 1 ? view.total : spreadWeightBelow(view, p.min, p.max, edges[i + 1]!);
    out[i] = upper - below;
    below = upper;
  }
  return out;
}

/** Value counts of one side; `other` is the weight frequent items do not attribute to a value. */
export interface CatSide {
  n: number;
  counts: Map<number | string, number>;
  /** Weight not attributed to any key (frequent items' untracked tail). */
  other: number;
  exact: boolean;
}

/** Value counts of a profile: exact counts, frequent items' lower bounds, or a sketch's retained values. */
export function catSide(p: ColumnProfile): CatSide {
  if (p.kind === 'numeric') {
    const view = p.sortedView();
    const counts = new Map<number | string, number>();
    let prev = 0;
    for (let i = 0; i < view.values.length; i++) {
      counts.set(view.values[i]!, view.cumulative[i]! - prev);
      prev = view.cumulative[i]!;
    }
    return { n: p.valid, counts, other: 0, exact: p.isExact };
  }
  const { counts, exact } = (p as CategoricalProfile).counts();
  let tracked = 0;
  for (const c of counts.values()) tracked += c;
  return { n: p.valid, counts: new Map(counts), other: p.valid - tracked, exact };
}

/** Index-aligned bin shares of both sides. */
export interface Binned {
  reference: Float64Array;
  current: Float64Array;
  exact: boolean;
}

/**
 * Evidently's `get_binned_data` on profiles: Sturges bins over both sides for numerical columns
 * with more than 20 reference uniques (bin masses from exact counts, or from a sketch's spread
 * weights, {@link binCounts}), otherwise one bin per value of either side, plus one OTHER bin for
 * the weight frequent items do not attribute to a value. Shares are over the valid counts;
 * `fillZeroes` applies Evidently's rule.
 */
export function binnedSharesOfProfiles(reference: ColumnProfile, current: ColumnProfile, columnType: ColumnType, fillZeroes: boolean): Binned {
  let ref: Float64Array;
  let cur: Float64Array;
  let exact: boolean;
  if (columnType === 'num' && reference.kind === 'numeric' && current.kind === 'numeric' && reference.distinct().value > VALUE_PATH_MAX_UNIQUES) {
    const edges = sturgesEdges(Math.min(reference.min, current.min), Math.max(reference.max, current.max), reference.valid + current.valid, reference.dtype === 'int' && current.dtype === 'int');
    ref = binCounts(reference, edges);
    cur = binCounts(current, edges);
    exact = reference.isExact && current.isExact;
  } else {
    const r = catSide(reference);
    const c = catSide(current);
    const keys = unionOf(r, c);
    const extra = r.other > 0 || c.other > 0 ? 1 : 0;
    ref = new Float64Array(keys.length + extra);
    cur = new Float64Array(keys.length + extra);
    keys.forEach((k, i) => {
      ref[i] = r.counts.get(k) ?? 0;
      cur[i] = c.counts.get(k) ?? 0;
    });
    if (extra) {
      ref[keys.length] = r.other;
      cur[keys.length] = c.other;
    }
    exact = r.exact && c.exact;
  }
  for (let i = 0; i < ref.length; i++) ref[i] = ref[i]! / reference.valid;
  for (let i = 0; i < cur.length; i++) cur[i] = cur[i]! / current.valid;
  if (fillZeroes) {
    fillEmpty(ref);
    fillEmpty(cur);
  }
  return { reference: ref, current: cur, exact };
}

/** Keys of both sides: the first side's, then the second side's new ones. */
export function unionOf(a: CatSide, b: CatSide): (number | string)[] {
  const keys = new Set(a.counts.keys());
  for (const k of b.counts.keys()) keys.add(k);
  return [...keys];
}

function fillEmpty(p: Float64Array): void {
  let min = Infinity;
  for (const x of p) if (x !== 0 && x < min) min = x;
  const fill = min <= 0.0001 ? min / 1000000 : 0.0001;
  for (let i = 0; i < p.length; i++) if (p[i] === 0) p[i] = fill;
}
