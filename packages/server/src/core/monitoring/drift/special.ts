/**
 * Special functions and distribution tails the stattests need, written to give the same numbers
 * as scipy 1.17 (`special.ndtr`, `chdtrc`, `stdtr`, `kv`) to well within 1e-12 relative.
 * Incomplete gamma, incomplete beta and erfc come from @stdlib (ports of Boost/cephes).
 */
import betainc from '@stdlib/math-base-special-betainc';
import erfc from '@stdlib/math-base-special-erfc';
import gammainc from '@stdlib/math-base-special-gammainc';

/** Double precision machine epsilon (numpy `finfo(float64).eps`). */
export const EPS = 2.220446049250313e-16;

/**
 * Standard normal CDF, branch for branch as cephes `ndtr` computes it (so `1 - ndtr(z)` rounds
 * the way Evidently's Z-test sees it).
 */
export function ndtr(a: number): number {
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * (1 - erfc(x));
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
}

/**
 * Upper tail of the chi-square distribution with `df` degrees of freedom at `x` (scipy
 * `chi2.sf` / `chdtrc`), including scipy's df = 0 convention (NaN at 0, 0 above).
 */
export function chi2Sf(x: number, df: number): number {
  if (Number.isNaN(x) || Number.isNaN(df)) return NaN;
  if (x < 0) return 1;
  if (df === 0) return x > 0 ? 0 : NaN;
  if (x === Infinity) return 0;
  return gammainc(x / 2, df / 2, true, true);
}

/** Two-sided p-value of Student's t statistic `t` with `df` degrees of freedom (`2·t.sf(|t|)`). */
export function studentTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df)) return NaN;
  if (!Number.isFinite(t)) return 0;
  if (t === 0) return 1;
  return betainc(df / (df + t * t), df / 2, 0.5, true, false);
}

/**
 * Modified Bessel function of the second kind K_ν(z), z > 0, by the trapezoidal rule on
 * ∫₀^∞ exp(−z·cosh t)·cosh(νt) dt. The integrand is analytic in |Im t| < π/2, so a step of 0.1
 * is accurate to far below double precision; all terms are positive, so there is no cancellation.
 */
export function besselK(nu: number, z: number): number {
  if (!(z > 0)) return z === 0 ? Infinity : NaN;
  const h = 0.1;
  let sum = 0.5 * Math.exp(-z);
  for (let k = 1; ; k++) {
    const t = k * h;
    const c = Math.cosh(t);
    const term = Math.exp(-z * c) * Math.cosh(nu * t);
    sum += term;
    if (z * c > 750 || term < sum * 1e-18) break;
  }
  return sum * h;
}

/** Σ with Neumaier's compensation over `values[from..to)`. */
export function compensatedSum(values: ArrayLike<number>, from = 0, to = values.length): number {
  let sum = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    const x = values[i]!;
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}

/** Running Neumaier sum, for loops that cannot materialise their terms. */
export class Accumulator {
  private sum = 0;
  private c = 0;

  /** Adds `x`. */
  add(x: number): void {
    const t = this.sum + x;
    this.c += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }

  /** The compensated total. */
  get value(): number {
    return this.sum + this.c;
  }
}

/** Mean and population standard deviation (`np.std`, ddof 0), two-pass and compensated. */
export function meanStd(values: Float64Array): { mean: number; std: number } {
  const { mean, sumSq } = meanAndSquares(values);
  return { mean, std: Math.sqrt(sumSq / values.length) };
}

/** Mean and Σ(x − mean)², both with Neumaier's compensation. */
export function meanAndSquares(values: Float64Array): { mean: number; sumSq: number } {
  const n = values.length;
  const mean = compensatedSum(values) / n;
  let sum = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    const x = d * d;
    const t = sum + x;
    c += sum >= x ? sum - t + x : x - t + sum;
    sum = t;
  }
  return { mean, sumSq: sum + c };
}

/**
 * Python's float floor division `a // b`, which is not always `Math.floor(a / b)`
 * (CPython `float_floor_div`).
 */
export function pyFloorDiv(a: number, b: number): number {
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod) {
    if (b < 0 !== mod < 0) {
      mod += b;
      div -= 1;
    }
  }
  if (div) {
    let floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
    return floordiv;
  }
  const q = a / b;
  return q < 0 || Object.is(q, -0) ? -0 : 0;
}

/** numpy's `round`: to the nearest integer, halves to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
