/**
 * `chisquare`: Pearson's chi-square p-value of current counts against reference counts scaled to
 * the current size, over the union of values (scipy `chisquare(f_obs=cur, f_exp=ref·n_cur/n_ref)`).
 * A value seen only in current makes the statistic infinite and p = 0.
 */
import { countsOf, unionKeys } from '../sample.js';
import { chi2Sf } from '../special.js';
import { CAT, pBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

/** Chi-square test (categorical columns; drift when p < threshold, default 0.05). */
export const chisquare: StatTest = {
  name: 'chisquare',
  columnTypes: CAT,
  defaultThreshold: 0.05,
  drifted: pBelow,
  score({ reference, current }) {
    const keys = unionKeys(reference, current);
    const rc = countsOf(reference);
    const cc = countsOf(current);
    const kNorm = current.size / reference.size;
    let stat = 0;
    for (const k of keys) {
      const e = (rc.get(k) ?? 0) * kNorm;
      const o = cc.get(k) ?? 0;
      stat += (o - e) ** 2 / e;
    }
    return chi2Sf(stat, keys.length - 1);
  },
};
