/**
 * `es`: Epps–Singleton test on the empirical characteristic function at t = 0.4 and 0.8 scaled
 * by the pooled semi-IQR (scipy `epps_singleton_2samp`), with scipy's small-sample correction.
 */
import { invalidParameter } from '@capstan/api';
import { chi2Sf, EPS } from '../special.js';
import { NUM, numericSides, pBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

const T = [0.4, 0.8];

/** numpy's linear-interpolation percentile of an ascending array. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = pos - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) out[k++] = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
  return out;
}

/** Mean vector and biased covariance of the four ECF features of `x`. */
function features(x: Float64Array, ts: number[]): { mean: number[]; cov: number[][] } {
  const n = x.length;
  const g = (i: number, f: number): number => (f < 2 ? Math.cos(ts[f]! * x[i]!) : Math.sin(ts[f - 2]! * x[i]!));
  const mean = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) for (let f = 0; f < 4; f++) mean[f] = mean[f]! + g(i, f);
  for (let f = 0; f < 4; f++) mean[f] = mean[f]! / n;
  const cov = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  for (let i = 0; i < n; i++) {
    const d = [0, 1, 2, 3].map((f) => g(i, f) - mean[f]!);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) cov[r]![c] = cov[r]![c]! + d[r]! * d[c]!;
  }
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) cov[r]![c] = ((cov[r]![c]! / (n - 1)) * (n - 1)) / n;
  return { mean, cov };
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. */
function symmetricEigen(a0: number[][]): { values: number[]; vectors: number[][] } {
  const n = a0.length;
  const a = a0.map((r) => [...r]);
  const v: number[][] = a.map((_, i) => a.map((__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((r, i) => r[i]!), vectors: v };
}

/**
 * p-value of the Epps–Singleton test on two ascending samples; NaN when a side has fewer than 5
 * values (scipy returns NaN there).
 * @throws CapstanError INVALID_PARAMETER_VALUE when the pooled IQR is zero (Evidently raises).
 */
export function eppsSingletonPValue(x: Float64Array, y: Float64Array, column: string): number {
  const nx = x.length;
  const ny = y.length;
  if (nx < 5 || ny < 5) return NaN;
  const pooled = mergeSorted(x, y);
  const iqr = percentile(pooled, 75) - percentile(pooled, 25);
  if (iqr === 0) throw invalidParameter(`Stattest 'es' needs a nonzero interquartile range in column '${column}'`);
  const sigma = iqr / 2;
  const ts = T.map((t) => t / sigma);
  const fx = features(x, ts);
  const fy = features(y, ts);
  const n = nx + ny;
  const cov = fx.cov.map((row, r) => row.map((v, c) => (n / nx) * v + (n / ny) * fy.cov[r]![c]!));
  const { values, vectors } = symmetricEigen(cov);
  const smax = Math.max(...values.map(Math.abs));
  const cutoff = 4 * EPS * smax;
  const inv = values.map((l) => (Math.abs(l) > cutoff ? 1 / l : 0));
  const invAbs = inv.map(Math.abs);
  const rank = invAbs.filter((s) => s > Math.max(...invAbs) * 4 * EPS).length;
  const diff = fx.mean.map((m, f) => m - fy.mean[f]!);
  let w = 0;
  for (let k = 0; k < 4; k++) {
    let proj = 0;
    for (let f = 0; f < 4; f++) proj += vectors[f]![k]! * diff[f]!;
    w += inv[k]! * proj * proj;
  }
  w *= n;
  if (Math.max(nx, ny) < 25) w *= 1 / (1 + n ** -0.45 + 10.1 * (nx ** -1.7 + ny ** -1.7));
  return chi2Sf(w, rank);
}

/** Epps–Singleton test (numerical; drift when p < threshold, default 0.05). */
export const eppsSingleton: StatTest = {
  name: 'es',
  columnTypes: NUM,
  defaultThreshold: 0.05,
  drifted: pBelow,
  score(input) {
    const [ref, cur] = numericSides(input, 'es');
    return eppsSingletonPValue(ref.sorted(), cur.sorted(), input.column);
  },
};
