/**
 * `wasserstein`: normed Wasserstein-1 distance, scipy `wasserstein_distance(ref, cur)` divided by
 * max(population std of the reference, 0.001).
 */
import { meanStd } from '../special.js';
import { atOrAbove, NUM, numericSides } from './stattest.js';
import type { StatTest } from './stattest.js';

/**
 * ∫ |F_a − F_b|^p dx over two ascending samples (p = 1 or 2), as scipy's `_cdf_distance`
 * before its final root.
 */
export function cdfDistanceIntegral(a: Float64Array, b: Float64Array, p: 1 | 2): number {
  const na = a.length;
  const nb = b.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let c = 0;
  let prev = NaN;
  let prevDiff = 0;
  while (i < na || j < nb) {
    const v = j >= nb || (i < na && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    if (i + j > 0) {
      const term = (p === 1 ? Math.abs(prevDiff) : prevDiff * prevDiff) * (v - prev);
      const t = sum + term;
      c += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
      sum = t;
    }
    while (i < na && a[i] === v) i++;
    while (j < nb && b[j] === v) j++;
    prev = v;
    prevDiff = i / na - j / nb;
  }
  return sum + c;
}

/** Normed Wasserstein distance (numerical; drift when ≥ threshold, default 0.1). */
export const wasserstein: StatTest = {
  name: 'wasserstein',
  columnTypes: NUM,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score(input) {
    const [ref, cur] = numericSides(input, 'wasserstein');
    const norm = Math.max(meanStd(ref.values).std, 0.001);
    return cdfDistanceIntegral(ref.sorted(), cur.sorted(), 1) / norm;
  },
};
