/** `t_test`: Student's two-sample t-test with pooled variance, two-sided (scipy `ttest_ind`). */
import { meanAndSquares, studentTwoSided } from '../special.js';
import { NUM, numericSides, pBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

function meanVar(values: Float64Array): { mean: number; variance: number } {
  const n = values.length;
  const { mean, sumSq } = meanAndSquares(values);
  return { mean, variance: n === 1 ? 0 : (sumSq / n) * (n / (n - 1)) };
}

/** Two-sided p-value of the pooled-variance t statistic. */
export function tTestPValue(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  const x = meanVar(a);
  const y = meanVar(b);
  const df = n1 + n2 - 2;
  const svar = ((n1 - 1) * x.variance + (n2 - 1) * y.variance) / df;
  const denom = Math.sqrt(svar * (1 / n1 + 1 / n2));
  return studentTwoSided((x.mean - y.mean) / denom, df);
}

/** t-test (numerical; drift when p < threshold, default 0.05). NaN (0/0) for two equal constant sides. */
export const tTest: StatTest = {
  name: 't_test',
  columnTypes: NUM,
  defaultThreshold: 0.05,
  drifted: pBelow,
  score(input) {
    const [ref, cur] = numericSides(input, 't_test');
    return tTestPValue(ref.values, cur.values);
  },
};
