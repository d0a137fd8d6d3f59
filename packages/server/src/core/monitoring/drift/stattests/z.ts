/**
 * `z`: two-proportion Z-test (Evidently's `z_stattest.py`). Values equal to the smallest key of
 * the union count as 0, all others as 1; p = 2·(1 − Φ(|z|)), computed as `1 − cdf` like Evidently.
 * Both sides holding one and the same single value give p = 1.
 */
import { countsOf, unionKeys } from '../sample.js';
import type { Key } from '../sample.js';
import { ndtr } from '../special.js';
import { CAT, pBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

/** Python's ordering of numbers, or of strings by code point. */
export function pythonCompare(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  const ia = sa[Symbol.iterator]();
  const ib = sb[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/**
 * Two-sided p-value of the pooled two-proportion z statistic, where `x1` of `n1` and `x2` of `n2`
 * are the counts of the reference category (the proportions compared are of everything else).
 */
export function twoProportionZPValue(x1: number, n1: number, x2: number, n2: number): number {
  const p1 = (n1 - x1) / n1;
  const p2 = (n2 - x2) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const stat = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return 2 * (1 - ndtr(Math.abs(stat)));
}

/** Z-test (categorical columns; drift when p < threshold, default 0.05). */
export const z: StatTest = {
  name: 'z',
  columnTypes: CAT,
  defaultThreshold: 0.05,
  drifted: pBelow,
  score({ reference, current }) {
    const rc = countsOf(reference);
    const cc = countsOf(current);
    if (rc.size === 1 && cc.size === 1 && rc.keys().next().value === cc.keys().next().value) return 1;
    const first = unionKeys(reference, current).sort(pythonCompare)[0]!;
    return twoProportionZPValue(rc.get(first) ?? 0, reference.size, cc.get(first) ?? 0, current.size);
  },
};
