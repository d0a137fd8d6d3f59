/**
 * `psi`: population stability index Σ (r − c)·ln(r / c) over Evidently's binned shares with
 * empty bins filled (shares are not renormalised after filling).
 */
import { binnedShares } from '../binning.js';
import { Accumulator } from '../special.js';
import { atOrAbove, NUM_CAT } from './stattest.js';
import type { StatTest } from './stattest.js';

/** PSI of two share vectors over the same bins (zero shares must already be filled). */
export function psiOfShares(r: Float64Array, c: Float64Array): number {
  const sum = new Accumulator();
  for (let i = 0; i < r.length; i++) sum.add((r[i]! - c[i]!) * Math.log(r[i]! / c[i]!));
  return sum.value;
}

/** PSI (numerical and categorical; drift when ≥ threshold, default 0.1). */
export const psi: StatTest = {
  name: 'psi',
  columnTypes: NUM_CAT,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score({ reference, current, columnType }) {
    const { reference: r, current: c } = binnedShares(reference, current, columnType, true);
    return psiOfShares(r, c);
  },
};
