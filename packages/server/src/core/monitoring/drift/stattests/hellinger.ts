/**
 * `hellinger`: Hellinger distance √(1 − BC), BC clipped to [0, 1]. Categorical columns use value
 * shares; numerical columns use density histograms on Sturges edges computed from the distinct
 * values of both sides (not from the data), BC = Σ √(h_r·h_c)·bin width (Evidently's
 * `hellinger_distance.py`).
 */
import { histogram, sturgesEdges } from '../binning.js';
import { countsOf, unionDistinctCount, unionKeys } from '../sample.js';
import type { NumericSample } from '../sample.js';
import { atOrAbove, NUM_CAT } from './stattest.js';
import type { StatTest } from './stattest.js';

function distinctCount(a: NumericSample, b: NumericSample): { min: number; max: number; count: number } {
  const [alo, ahi] = a.range();
  const [blo, bhi] = b.range();
  return { min: Math.min(alo, blo), max: Math.max(ahi, bhi), count: unionDistinctCount(a, b) };
}

function density(counts: Float64Array, edges: Float64Array): Float64Array {
  let total = 0;
  for (const c of counts) total += c;
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / (edges[i + 1]! - edges[i]!) / total;
  return out;
}

/** Hellinger distance (numerical and categorical; drift when ≥ threshold, default 0.1). */
export const hellinger: StatTest = {
  name: 'hellinger',
  columnTypes: NUM_CAT,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score({ reference, current, columnType }) {
    let bc = 0;
    if (columnType === 'num' && reference.kind === 'numeric' && current.kind === 'numeric') {
      const { min, max, count } = distinctCount(reference, current);
      const edges = sturgesEdges(min, max, count, reference.integer && current.integer);
      const h1 = density(histogram(reference.values, edges), edges);
      const h2 = density(histogram(current.values, edges), edges);
      const width = (edges[edges.length - 1]! - edges[0]!) / (edges.length - 1);
      for (let i = 0; i < h1.length; i++) bc += Math.sqrt(h1[i]! * h2[i]!) * width;
    } else {
      const rc = countsOf(reference);
      const cc = countsOf(current);
      for (const k of unionKeys(reference, current)) bc += Math.sqrt(((rc.get(k) ?? 0) / reference.size) * ((cc.get(k) ?? 0) / current.size));
    }
    return Math.sqrt(1 - Math.min(Math.max(bc, 0), 1));
  },
};
