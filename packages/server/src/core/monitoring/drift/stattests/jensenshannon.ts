/**
 * `jensenshannon`: Jensen–Shannon distance (natural log, so at most √ln 2 ≈ 0.833) between the
 * binned shares of both sides, without Evidently's zero filling
 * (scipy `spatial.distance.jensenshannon`).
 */
import { binnedShares } from '../binning.js';
import { Accumulator, compensatedSum } from '../special.js';
import { atOrAbove, NUM_CAT, relEntr } from './stattest.js';
import type { StatTest } from './stattest.js';

/** scipy's `jensenshannon(p, q)` with the natural logarithm. */
export function jensenShannon(p: Float64Array, q: Float64Array): number {
  const ps = compensatedSum(p);
  const qs = compensatedSum(q);
  const left = new Accumulator();
  const right = new Accumulator();
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / ps;
    const qi = q[i]! / qs;
    const m = (pi + qi) / 2;
    left.add(relEntr(pi, m));
    right.add(relEntr(qi, m));
  }
  return Math.sqrt((left.value + right.value) / 2);
}

/** Jensen–Shannon distance (numerical and categorical; drift when ≥ threshold, default 0.1). */
export const jensenshannon: StatTest = {
  name: 'jensenshannon',
  columnTypes: NUM_CAT,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score({ reference, current, columnType }) {
    const { reference: p, current: q } = binnedShares(reference, current, columnType, false);
    return jensenShannon(p, q);
  },
};
