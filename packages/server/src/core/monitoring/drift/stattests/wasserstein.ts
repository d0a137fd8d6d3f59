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

/**
 * Wasserstein-1 distance of two ascending samples as ∫₀¹ |Q_a(u) − Q_b(u)| du, which equals
 * scipy's ∫ |F_a − F_b| dx but walks the quantile breakpoints i/n, j/m (exact integers in units of
 * 1/(n·m)) instead of merging values, so its branches are predictable.
 */
export function wasserstein1(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  const total = n * m;
  if (total > Number.MAX_SAFE_INTEGER) return cdfDistanceIntegral(a, b, 1);
  let i = 0;
  let j = 0;
  let pos = 0;
  let sum = 0;
  let c = 0;
  while (pos < total) {
    const ea = (i + 1) * m;
    const eb = (j + 1) * n;
    const e = ea < eb ? ea : eb;
    const term = Math.abs(a[i]! - b[j]!) * (e - pos);
    const t = sum + term;
    c += Math.abs(sum) >= term ? sum - t + term : term - t + sum;
    sum = t;
    pos = e;
    if (ea === e) i++;
    if (eb === e) j++;
  }
  return (sum + c) / total;
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
    return wasserstein1(ref.sorted(), cur.sorted()) / norm;
  },
};
