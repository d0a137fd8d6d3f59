/**
 * Evidently's binning helper (`legacy/calculations/stattests/utils.py::get_binned_data`) and the
 * numpy pieces it rests on: `histogram_bin_edges(bins="sturges")` with `linspace` edges, and
 * `histogram` with explicit edges (half-open bins, the last one closed).
 */
import type { ColumnType } from './types.js';
import { countsOf, distinctUpTo, unionKeys } from './sample.js';
import type { NumericSample, Sample } from './sample.js';

/** Reference uniques above which a numerical column is binned by Sturges instead of by value. */
const VALUE_PATH_MAX_UNIQUES = 20;

/**
 * numpy's Sturges edges for data spanning [min, max] with `count` values. `integer` applies
 * numpy's rule for integer arrays (bin width at least 1). Reproduces numpy's arithmetic
 * exactly: `width = ptp / (log2(N) + 1)`, `bins = ceil((hi − lo) / width)`, `e[i] = i·step + lo`,
 * `e[bins] = hi`.
 */
export function sturgesEdges(min: number, max: number, count: number, integer: boolean): Float64Array {
  let lo = min;
  let hi = max;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  let width = (max - min) / (Math.log2(count) + 1);
  let bins = 1;
  if (width) {
    if (integer && width < 1) width = 1;
    bins = Math.ceil((hi - lo) / width);
  }
  const edges = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + lo;
  edges[bins] = hi;
  return edges;
}

/** Counts of `values` in the bins of `edges` (`np.histogram(values, edges)[0]`). */
export function histogram(values: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  const lo = edges[0]!;
  const hi = edges[bins]!;
  const scale = bins / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!(x >= lo && x <= hi)) continue;
    let k = Math.floor((x - lo) * scale);
    if (k > bins - 1) k = bins - 1;
    if (!(k >= 0)) k = 0;
    while (k > 0 && x < edges[k]!) k--;
    while (k < bins - 1 && x >= edges[k + 1]!) k++;
    counts[k] = counts[k]! + 1;
  }
  return counts;
}

/** Bin shares of both sides, index-aligned. */
export interface Binned {
  reference: Float64Array;
  current: Float64Array;
}

/**
 * Shares of reference and current per bin, as Evidently's `get_binned_data`: Sturges bins over
 * both sides for numerical columns with more than 20 reference uniques, otherwise one bin per
 * distinct value of either side. With `fillZeroes`, empty bins of each side get
 * min(nonzero)/1e6 when that minimum is ≤ 1e-4, else 1e-4 (no renormalisation).
 */
export function binnedShares(reference: Sample, current: Sample, columnType: ColumnType, fillZeroes: boolean): Binned {
  let ref: Float64Array;
  let cur: Float64Array;
  if (columnType === 'num' && reference.kind === 'numeric' && current.kind === 'numeric' && distinctUpTo([reference], VALUE_PATH_MAX_UNIQUES + 1) > VALUE_PATH_MAX_UNIQUES) {
    const edges = combinedSturgesEdges(reference, current);
    ref = histogram(reference.values, edges);
    cur = histogram(current.values, edges);
  } else {
    const keys = unionKeys(reference, current);
    const rc = countsOf(reference);
    const cc = countsOf(current);
    ref = new Float64Array(keys.length);
    cur = new Float64Array(keys.length);
    keys.forEach((k, i) => {
      ref[i] = rc.get(k) ?? 0;
      cur[i] = cc.get(k) ?? 0;
    });
  }
  for (let i = 0; i < ref.length; i++) ref[i] = ref[i]! / reference.size;
  for (let i = 0; i < cur.length; i++) cur[i] = cur[i]! / current.size;
  if (fillZeroes) {
    fillEmpty(ref);
    fillEmpty(cur);
  }
  return { reference: ref, current: cur };
}

/** Sturges edges over the values of both numeric samples together. */
export function combinedSturgesEdges(reference: NumericSample, current: NumericSample): Float64Array {
  const [rlo, rhi] = reference.range();
  const [clo, chi] = current.range();
  return sturgesEdges(Math.min(rlo, clo), Math.max(rhi, chi), reference.size + current.size, reference.integer && current.integer);
}

function fillEmpty(p: Float64Array): void {
  let min = Infinity;
  for (const x of p) if (x !== 0 && x < min) min = x;
  const fill = min <= 0.0001 ? min / 1000000 : 0.0001;
  for (let i = 0; i < p.length; i++) if (p[i] === 0) p[i] = fill;
}
