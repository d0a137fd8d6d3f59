/**
 * `cramer_von_mises`: two-sample Cramér–von Mises p-value, Evidently's copy of scipy's
 * `cramervonmises_2samp` (exact distribution when both samples have at most 20 values, else the
 * normalised statistic against the one-sample limiting distribution).
 */
import { invalidParameter } from '@capstan/api';
import { besselK, gcd, pyFloorDiv } from '../special.js';
import { forEachDistinct, NUM, numericSides, pAtOrBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

/** U = nx·Σ(r_x,i − i)² + ny·Σ(r_y,j − j)² with midranks in the pooled sample. */
function uStatistic(x: Float64Array, y: Float64Array): number {
  let ux = 0;
  let uy = 0;
  let below = 0;
  let ix = 0;
  let iy = 0;
  forEachDistinct(x, y, (_v, cx, cy) => {
    const rank = below + (cx + cy + 1) / 2;
    for (let k = 0; k < cx; k++) ux += (rank - ++ix) ** 2;
    for (let k = 0; k < cy; k++) uy += (rank - ++iy) ** 2;
    below += cx + cy;
  });
  return x.length * ux + y.length * uy;
}

/** Limiting CDF of the one-sample statistic (Csörgő & Faraway), summed until a term < 1e-7. */
function cdfCvmInf(x: number): number {
  let total = 0;
  let ratio = Math.sqrt(Math.PI);
  for (let k = 0; ; k++) {
    if (k > 0) ratio *= (k - 0.5) / k;
    const u = ratio / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = y ** 2 / (16 * x);
    const z = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    total += z;
    if (!(Math.abs(z) >= 1e-7)) break;
  }
  return total;
}

/** Exact p-value Pr(U ≥ u) by Xiao, Gordon & Yakovlev's frequency tables (Evidently's copy). */
function exactPValue(u: number, m: number, n: number): number {
  const lcm = (m * n) / gcd(m, n);
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = pyFloorDiv(lcm ** 2 * (m + n) * (6 * u - mn * (4 * mn - 1)), 6 * mn ** 2);
  let combinations = 1;
  for (let i = 1; i <= m; i++) combinations = (combinations * (n + i)) / i;
  let gs: Map<number, number>[] = [new Map([[0, 1]])];
  for (let v = 1; v <= m; v++) gs.push(new Map());
  for (let uu = 0; uu <= n; uu++) {
    const next: Map<number, number>[] = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v < gs.length; v++) {
      const merged = new Map(tmp);
      for (const [value, freq] of gs[v]!) merged.set(value, (merged.get(value) ?? 0) + freq);
      const shift = (a * v - b * uu) ** 2;
      tmp = new Map();
      for (const [value, freq] of merged) tmp.set(value + shift, freq);
      next.push(tmp);
    }
    gs = next;
  }
  let sum = 0;
  for (const [value, freq] of gs[m]!) if (value >= zeta) sum += freq;
  return sum / combinations;
}

/**
 * p-value of the two-sample Cramér–von Mises test on two ascending samples.
 * @throws CapstanError INVALID_PARAMETER_VALUE when a side has fewer than two values.
 */
export function cramerVonMisesPValue(x: Float64Array, y: Float64Array, column: string): number {
  const nx = x.length;
  const ny = y.length;
  if (nx <= 1 || ny <= 1) throw invalidParameter(`Stattest 'cramer_von_mises' needs at least two values on each side of column '${column}'`);
  const u = uStatistic(x, y);
  if (Math.max(nx, ny) <= 20) return exactPValue(u, nx, ny);
  const k = nx * ny;
  const N = nx + ny;
  const t = u / (k * N) - (4 * k - 1) / (6 * N);
  const et = (1 + 1 / N) / 6;
  let vt = (N + 1) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k);
  vt = vt / (45 * N ** 2 * 4 * k);
  const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
  if (tn < 0.003) return 1;
  return Math.max(0, 1 - cdfCvmInf(tn));
}

/** Cramér–von Mises test (numerical; drift when p ≤ threshold, default 0.1). */
export const cramerVonMises: StatTest = {
  name: 'cramer_von_mises',
  columnTypes: NUM,
  defaultThreshold: 0.1,
  drifted: pAtOrBelow,
  score(input) {
    const [ref, cur] = numericSides(input, 'cramer_von_mises');
    return cramerVonMisesPValue(ref.sorted(), cur.sorted(), input.column);
  },
};
