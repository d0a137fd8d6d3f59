/**
 * `ks`: two-sample Kolmogorov–Smirnov p-value, scipy `ks_2samp(ref, cur)` two-sided with
 * method "auto" (exact when both samples have at most 10 000 values, else `kstwo.sf(D, round(mn/(m+n)))`).
 */
import { ksTwoSampleExact, kstwoSf } from '../kolmogorov.js';
import { gcd, roundHalfEven } from '../special.js';
import { NUM, numericSides, pAtOrBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

const MAX_AUTO_N = 10000;

/** KS statistic D of two ascending samples. */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let max = -Infinity;
  let min = Infinity;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    const diff = i / n1 - j / n2;
    if (diff > max) max = diff;
    if (diff < min) min = diff;
  }
  const minS = Math.min(Math.max(-min, 0), 1);
  return minS > max ? minS : max;
}

/** Two-sided p-value of `ks_2samp` on two ascending samples. */
export function ks2sampPValue(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  const d = ksStatistic(a, b);
  let p = NaN;
  if (Math.max(n1, n2) <= MAX_AUTO_N) p = ksTwoSampleExact(n1, n2, gcd(n1, n2), d);
  if (Number.isNaN(p)) {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    p = kstwoSf(d, roundHalfEven((m * n) / (m + n)));
  }
  return Math.min(Math.max(p, 0), 1);
}

/** Kolmogorov–Smirnov test (numerical columns; drift when p ≤ threshold, default 0.05). */
export const ks: StatTest = {
  name: 'ks',
  columnTypes: NUM,
  defaultThreshold: 0.05,
  drifted: pAtOrBelow,
  score(input) {
    const [ref, cur] = numericSides(input, 'ks');
    return ks2sampPValue(ref.sorted(), cur.sorted());
  },
};
