/**
 * `kl_div`: Kullback–Leibler divergence KL(reference ‖ current) of Evidently's filled binned
 * shares, renormalised as scipy `stats.entropy(r, c)` does.
 */
import { binnedShares } from '../binning.js';
import { Accumulator, compensatedSum } from '../special.js';
import { atOrAbove, NUM_CAT, relEntr } from './stattest.js';
import type { StatTest } from './stattest.js';

/** KL(r ‖ c) of two share vectors over the same bins, each renormalised to sum to 1. */
export function klDivOfShares(r: Float64Array, c: Float64Array): number {
  const rs = compensatedSum(r);
  const cs = compensatedSum(c);
  const sum = new Accumulator();
  for (let i = 0; i < r.length; i++) sum.add(relEntr(r[i]! / rs, c[i]! / cs));
  return sum.value;
}

/** KL divergence (numerical and categorical; drift when ≥ threshold, default 0.1). */
export const klDiv: StatTest = {
  name: 'kl_div',
  columnTypes: NUM_CAT,
  defaultThreshold: 0.1,
  drifted: atOrAbove,
  score({ reference, current, columnType }) {
    const { reference: r, current: c } = binnedShares(reference, current, columnType, true);
    return klDivOfShares(r, c);
  },
};
