/**
 * Reference-vs-current distributions of one column from two profiles, for charts: numbers as
 * shares over shared equal-width bins (read from the profiles' sorted views, exact under the
 * exact-value cap, from the KLL sketch past it), categories as shares of the most frequent values.
 */
import { CategoricalProfile, NumericProfile, type ColumnProfile } from '../profile/column.js';

/** One side's totals. */
export interface DistributionSide {
  /** Rows profiled, missing values included. */
  rows: number;
  missing: number;
}

/** A column's distribution in the reference and in a window. */
export interface ColumnDistribution {
  column: string;
  kind: 'num' | 'cat';
  reference: DistributionSide;
  current: DistributionSide;
  /** Numbers: `edges.length - 1` bins; shares of the non-missing values per bin. */
  bins?: { edges: number[]; reference: number[]; current: number[] };
  /** Categories: the most frequent values of both sides, then "other"; shares of the non-missing values. */
  categories?: { values: string[]; reference: number[]; current: number[]; other: { reference: number; current: number } };
  /** False when a side is summarised by a sketch (shares then carry its error bound). */
  exact: boolean;
}

/** Bins for numbers, values for categories. */
export const DISTRIBUTION_BINS = 20;
export const DISTRIBUTION_CATEGORIES = 20;

/** Weight of values ≤ x in a sorted view (binary search on the cumulative weights). */
function weightAtMost(view: { values: Float64Array; cumulative: Float64Array }, x: number): number {
  let lo = 0;
  let hi = view.values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (view.values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : view.cumulative[lo - 1]!;
}

function numericShares(p: NumericProfile | null, edges: number[]): number[] {
  if (!p || p.valid === 0) return edges.slice(1).map(() => 0);
  const view = p.sortedView();
  const out: number[] = [];
  let below = 0;
  for (let i = 1; i < edges.length; i++) {
    const upTo = i === edges.length - 1 ? view.total : weightAtMost(view, edges[i]!);
    out.push((upTo - below) / view.total);
    below = upTo;
  }
  return out;
}

function side(p: ColumnProfile | null, rows: number): DistributionSide {
  return { rows, missing: p ? rows - p.valid : rows };
}

/**
 * The distribution of `column` in `reference` and `current` (either may lack it: its side is
 * then all missing). Numeric when either side is numeric.
 */
export function columnDistribution(column: string, reference: { profile: ColumnProfile | null; rows: number }, current: { profile: ColumnProfile | null; rows: number }): ColumnDistribution {
  const r = reference.profile;
  const c = current.profile;
  const base = { column, reference: side(r, reference.rows), current: side(c, current.rows) };
  if (r instanceof NumericProfile || c instanceof NumericProfile) {
    const nums = [r, c].filter((p): p is NumericProfile => p instanceof NumericProfile && p.valid > 0);
    const lo = Math.min(...nums.map((p) => p.quantile(0)));
    const hi = Math.max(...nums.map((p) => p.quantile(1)));
    const edges = nums.length === 0 ? [0, 1] : lo === hi ? [lo - 0.5, hi + 0.5] : Array.from({ length: DISTRIBUTION_BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / DISTRIBUTION_BINS);
    return {
      ...base, kind: 'num',
      bins: { edges, reference: numericShares(r instanceof NumericProfile ? r : null, edges), current: numericShares(c instanceof NumericProfile ? c : null, edges) },
      exact: nums.every((p) => p.isExact),
    };
  }
  const counts = (p: ColumnProfile | null) => (p instanceof CategoricalProfile ? p.counts().counts : new Map<string, number>());
  const rc = counts(r);
  const cc = counts(c);
  const totals = { r: [...rc.values()].reduce((a, b) => a + b, 0), c: [...cc.values()].reduce((a, b) => a + b, 0) };
  const share = (m: ReadonlyMap<string, number>, total: number, v: string) => (total ? (m.get(v) ?? 0) / total : 0);
  const union = [...new Set([...rc.keys(), ...cc.keys()])]
    .sort((a, b) => share(rc, totals.r, b) + share(cc, totals.c, b) - share(rc, totals.r, a) - share(cc, totals.c, a) || (a < b ? -1 : 1))
    .slice(0, DISTRIBUTION_CATEGORIES);
  const reference_ = union.map((v) => share(rc, totals.r, v));
  const current_ = union.map((v) => share(cc, totals.c, v));
  const exact = [r, c].every((p) => !(p instanceof CategoricalProfile) || p.isExact);
  return {
    ...base, kind: 'cat',
    categories: {
      values: union, reference: reference_, current: current_,
      other: { reference: totals.r ? Math.max(0, 1 - reference_.reduce((a, b) => a + b, 0)) : 0, current: totals.c ? Math.max(0, 1 - current_.reduce((a, b) => a + b, 0)) : 0 },
    },
    exact,
  };
}
