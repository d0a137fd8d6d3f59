/**
 * `mannw`: Mann–Whitney U p-value with alternative "less" (one-sided, as Evidently calls scipy's
 * `mannwhitneyu(ref, cur, alternative="less")`): exact null distribution when a side has at most
 * 8 values and there are no ties, else the normal approximation with tie and continuity
 * corrections.
 */
import { ndtr } from '../special.js';
import { forEachDistinct, NUM, numericSides, pBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

/**
 * Pr(U ≥ k) under the null for sizes n1, n2 with no ties, as scipy's `_MWU.sf`. The frequencies
 * are the coefficients of the Gaussian binomial ∏ (1 − q^(n2+i)) / (1 − q^i), i = 1..min(n1, n2).
 */
function exactSf(k: number, n1: number, n2: number): number {
  const small = Math.min(n1, n2);
  const large = Math.max(n1, n2);
  const kc = small * large - k;
  const kk = k < kc ? k : kc;
  const freq = new Float64Array(kk + 1);
  freq[0] = 1;
  for (let i = 1; i <= small; i++) for (let u = i; u <= kk; u++) freq[u] = freq[u]! + freq[u - i]!;
  for (let i = 1; i <= small; i++) for (let u = kk; u >= large + i; u--) freq[u] = freq[u]! - freq[u - large - i]!;
  let total = 1;
  for (let i = 1; i <= small; i++) total = (total * (large + i)) / i;
  let cdf = 0;
  for (let u = 0; u <= kk; u++) cdf += freq[u]! / total;
  return k < kc ? 1 - cdf + freq[kk]! / total : cdf;
}

/** p-value of `mannwhitneyu(a, b, alternative="less")` on two ascending samples. */
export function mannWhitneyLessPValue(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let r1 = 0;
  let below = 0;
  let tieTerm = 0;
  let ties = false;
  forEachDistinct(a, b, (_v, ca, cb) => {
    const t = ca + cb;
    r1 += ca * (below + (t + 1) / 2);
    below += t;
    if (t > 1) {
      ties = true;
      tieTerm += t ** 3 - t;
    }
  });
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u = n1 * n2 - u1;
  let p: number;
  if (!(n1 > 8 && n2 > 8) && !ties) {
    p = exactSf(u, n1, n2);
  } else {
    const n = n1 + n2;
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    p = ndtr(-(u - (n1 * n2) / 2 - 0.5) / s);
  }
  return Math.min(Math.max(p, 0), 1);
}

/** Mann–Whitney U test (numerical; drift when p < threshold, default 0.05). */
export const mannWhitney: StatTest = {
  name: 'mannw',
  columnTypes: NUM,
  defaultThreshold: 0.05,
  drifted: pBelow,
  score(input) {
    const [ref, cur] = numericSides(input, 'mannw');
    return mannWhitneyLessPValue(ref.sorted(), cur.sorted());
  },
};
