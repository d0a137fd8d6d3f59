/**
 * `anderson`: k-sample Anderson–Darling p-value for k = 2, scipy `anderson_ksamp([ref, cur])`
 * with the midrank statistic. The p-value is interpolated on Scholz & Stephens' table, so it is
 * capped at 0.25 and floored at 0.001.
 */
import { invalidParameter } from '@capstan/api';
import { Accumulator } from '../special.js';
import { forEachDistinct, NUM, numericSides, pBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const SIG = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
const M = 1;
const CRITICAL = B0.map((b0, i) => b0 + B1[i]! / Math.sqrt(M) + B2[i]! / M);
const FIT = quadraticFit(CRITICAL, SIG.map(Math.log));

/** Least-squares quadratic through (x, y), highest power first (`np.polyfit(x, y, 2)`). */
function quadraticFit(x: readonly number[], y: readonly number[]): [number, number, number] {
  const cols = [x.map((v) => v * v), x.map((v) => v), x.map(() => 1)];
  const scale = cols.map((c) => Math.sqrt(c.reduce((s, v) => s + v * v, 0)));
  const a = cols.map((c, j) => c.map((v) => v / scale[j]!));
  const ata = a.map((ci) => a.map((cj) => ci.reduce((s, v, k) => s + v * cj[k]!, 0)));
  const aty = a.map((ci) => ci.reduce((s, v, k) => s + v * y[k]!, 0));
  const sol = solve3(ata, aty);
  return [sol[0]! / scale[0]!, sol[1]! / scale[1]!, sol[2]! / scale[2]!];
}

function solve3(m: number[][], b: number[]): number[] {
  const a = m.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < 3; c++) {
    let piv = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    for (let r = c + 1; r < 3; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 4; k++) a[r]![k] = a[r]![k]! - f * a[c]![k]!;
    }
  }
  const x = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let s = a[r]![3]!;
    for (let k = r + 1; k < 3; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

/**
 * Standardised midrank statistic A2 of two ascending samples.
 * @throws CapstanError INVALID_PARAMETER_VALUE when all values are equal or there are fewer than 3.
 */
export function andersonStatistic(a: Float64Array, b: Float64Array, column: string): number {
  const n = [a.length, b.length];
  const N = n[0]! + n[1]!;
  const inner = [new Accumulator(), new Accumulator()];
  const cum = [0, 0];
  let below = 0;
  let distinct = 0;
  forEachDistinct(a, b, (_v, ca, cb) => {
    distinct++;
    const lj = ca + cb;
    const bj = below + lj / 2;
    const f = [ca, cb];
    for (let i = 0; i < 2; i++) {
      cum[i] = cum[i]! + f[i]!;
      const mij = cum[i]! - f[i]! / 2;
      inner[i]!.add(((lj / N) * (N * mij - bj * n[i]!) ** 2) / (bj * (N - bj) - (N * lj) / 4));
    }
    below += lj;
  });
  if (distinct < 2) throw invalidParameter(`Stattest 'anderson' needs more than one distinct value in column '${column}'`);
  if (N < 3) throw invalidParameter(`Stattest 'anderson' needs at least 3 values in column '${column}'`);
  const a2kn = (inner[0]!.value / n[0]! + inner[1]!.value / n[1]!) * ((N - 1) / N);
  const k = 2;
  const H = 1 / n[0]! + 1 / n[1]!;
  let hsCs = 0;
  const g = new Accumulator();
  for (let i = N - 1, idx = 2; i > 1; i--, idx++) {
    hsCs += 1 / i;
    g.add(hsCs / idx);
  }
  const h = hsCs + 1;
  const gv = g.value;
  const aa = (4 * gv - 6) * (k - 1) + (10 - 6 * gv) * H;
  const bb = (2 * gv - 4) * k ** 2 + 8 * h * k + (2 * gv - 14 * h - 4) * H - 8 * h + 4 * gv - 6;
  const cc = (6 * h + 2 * gv - 2) * k ** 2 + (4 * h - 4 * gv + 6) * k + (2 * h - 6) * H + 4 * h;
  const dd = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (aa * N ** 3 + bb * N ** 2 + cc * N + dd) / ((N - 1) * (N - 2) * (N - 3));
  return (a2kn - (k - 1)) / Math.sqrt(sigmasq);
}

/** p-value of the standardised statistic, interpolated as scipy does. */
export function andersonPValue(a2: number): number {
  if (a2 < Math.min(...CRITICAL)) return Math.max(...SIG);
  if (a2 > Math.max(...CRITICAL)) return Math.min(...SIG);
  return Math.exp((FIT[0] * a2 + FIT[1]) * a2 + FIT[2]);
}

/** Anderson–Darling test (numerical; drift when p < threshold, default 0.1). */
export const anderson: StatTest = {
  name: 'anderson',
  columnTypes: NUM,
  defaultThreshold: 0.1,
  drifted: pBelow,
  score(input) {
    const [ref, cur] = numericSides(input, 'anderson');
    return andersonPValue(andersonStatistic(ref.sorted(), cur.sorted(), input.column));
  },
};
