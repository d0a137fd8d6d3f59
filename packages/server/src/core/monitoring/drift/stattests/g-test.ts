/**
 * `g_test`: log-likelihood ratio (G) test of current counts against reference counts, scipy
 * `power_divergence(lambda_="log-likelihood")` over the union of values. Evidently passes the raw
 * reference counts as expected frequencies, which scipy rejects unless both sides have the same
 * size; we scale them to the current size (identical when the sizes are equal).
 */
import { countsOf, unionKeys } from '../sample.js';
import { chi2Sf } from '../special.js';
import { CAT, pBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

/** G-test (categorical; drift when p < threshold, default 0.1). */
export const gTest: StatTest = {
  name: 'g_test',
  columnTypes: CAT,
  defaultThreshold: 0.1,
  drifted: pBelow,
  score({ reference, current }) {
    const keys = unionKeys(reference, current);
    const rc = countsOf(reference);
    const cc = countsOf(current);
    const kNorm = current.size / reference.size;
    let stat = 0;
    for (const k of keys) {
      const o = cc.get(k) ?? 0;
      const e = (rc.get(k) ?? 0) * kNorm;
      if (o !== 0) stat += 2 * o * Math.log(o / e);
    }
    return chi2Sf(stat, keys.length - 1);
  },
};
