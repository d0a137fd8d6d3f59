/**
 * `fisher_exact`: two-sided Fisher exact test on the 2×2 table (current, reference) × (value,
 * other value), scipy `fisher_exact` (the hypergeometric probabilities of all tables no more
 * likely than the observed one, with scipy's 1e-14 relative tie margin). Evidently also
 * requires both sides to have the same size; we do not.
 */
import { invalidParameter } from '@capstan/api';
import { countsOf, unionKeys } from '../sample.js';
import { CAT, pBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);
const LN_2PI = Math.log(2 * Math.PI);

/** ln(n!) − ((n + ½)·ln n − n + ½·ln 2π), Loader's Stirling remainder. */
function stirlerr(n: number): number {
  if (n <= 15) {
    let f = 1;
    for (let i = 2; i <= n; i++) f *= i;
    return Math.log(f) - (n + 0.5) * Math.log(n) + n - HALF_LN_2PI;
  }
  const nn = n * n;
  const s0 = 1 / 12;
  const s1 = 1 / 360;
  const s2 = 1 / 1260;
  const s3 = 1 / 1680;
  const s4 = 1 / 1188;
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/** Loader's deviance term x·ln(x/np) + np − x, by series near x = np. */
function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
  }
  return x * Math.log(x / np) + np - x;
}

/** Binomial probability by Loader's saddle-point method (R's `dbinom_raw`). */
function dbinomRaw(x: number, n: number, p: number, q: number): number {
  if (p === 0) return x === 0 ? 1 : 0;
  if (q === 0) return x === n ? 1 : 0;
  if (x === 0) {
    if (n === 0) return 1;
    return Math.exp(p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q));
  }
  if (x === n) return Math.exp(q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p));
  if (x < 0 || x > n) return 0;
  const lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
  const lf = LN_2PI + Math.log(x) + Math.log1p(-x / n);
  return Math.exp(lc - 0.5 * lf);
}

/** Hypergeometric distribution: `draws` from `total` objects of which `good` are good. */
class Hypergeom {
  private readonly lo: number;
  private readonly hi: number;
  private readonly mode: number;

  constructor(
    private readonly total: number,
    private readonly good: number,
    private readonly draws: number,
  ) {
    this.lo = Math.max(0, draws - (total - good));
    this.hi = Math.min(good, draws);
    this.mode = Math.floor(((draws + 1) * (good + 1)) / (total + 2));
  }

  /** Pr(X = x) (R's `dhyper`). */
  pmf(x: number): number {
    if (x < this.lo || x > this.hi) return 0;
    if (this.draws === 0) return x === 0 ? 1 : 0;
    const p = this.draws / this.total;
    const q = (this.total - this.draws) / this.total;
    const bad = this.total - this.good;
    return (dbinomRaw(x, this.good, p, q) * dbinomRaw(this.draws - x, bad, p, q)) / dbinomRaw(this.draws, this.total, p, q);
  }

  /** Pr(X ≤ k). */
  cdf(k: number): number {
    if (k < this.lo) return 0;
    if (k >= this.hi) return 1;
    return k <= this.mode ? this.tail(k, -1) : 1 - this.tail(k + 1, 1);
  }

  /** Pr(X > k). */
  sf(k: number): number {
    if (k < this.lo) return 1;
    if (k >= this.hi) return 0;
    return k + 1 >= this.mode ? this.tail(k + 1, 1) : 1 - this.tail(k, -1);
  }

  /** Σ pmf from `x` away from the mode (direction `dir`), stepping the pmf by its ratio recurrence. */
  private tail(x: number, dir: 1 | -1): number {
    const { total: M, good: K, draws: n } = this;
    let term = this.pmf(x);
    let sum = 0;
    while (x >= this.lo && x <= this.hi) {
      sum += term;
      if (term === 0 || term < sum * 1e-17) break;
      term = dir === 1 ? (term * ((K - x) * (n - x))) / ((x + 1) * (M - K - n + x + 1)) : (term * (x * (M - K - n + x))) / ((K - x + 1) * (n - x + 1));
      x += dir;
    }
    return sum;
  }
}

/** scipy's `_binary_search_for_binom_tst`: i in [lo, hi] with a(i) ≤ d < a(i + 1). */
function binarySearch(a: (x: number) => number, d: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const midval = a(mid);
    if (midval < d) lo = mid + 1;
    else if (midval > d) hi = mid - 1;
    else return mid;
  }
  return a(lo) <= d ? lo : lo - 1;
}

/** Two-sided p-value of Fisher's exact test on [[a, b], [c, d]] (scipy `fisher_exact`). */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  if (a + b === 0 || c + d === 0 || a + c === 0 || b + d === 0) return 1;
  const n1 = a + b;
  const n2 = c + d;
  const n = a + c;
  const h = new Hypergeom(n1 + n2, n1, n);
  const mode = Math.trunc(((n + 1) * (n1 + 1)) / (n1 + n2 + 2));
  const pexact = h.pmf(a);
  const pmode = h.pmf(mode);
  const gamma = 1 + 1e-14;
  if (Math.abs(pexact - pmode) / Math.max(pexact, pmode) <= 1e-14) return 1;
  let p: number;
  if (a < mode) {
    const plower = h.cdf(a);
    if (h.pmf(n) > pexact * gamma) return plower;
    const guess = binarySearch((x) => -h.pmf(x), -pexact * gamma, mode, n);
    p = plower + h.sf(guess);
  } else {
    const pupper = h.sf(a - 1);
    if (h.pmf(0) > pexact * gamma) return pupper;
    const guess = binarySearch((x) => h.pmf(x), pexact * gamma, 0, mode);
    p = pupper + h.cdf(guess);
  }
  return Math.min(p, 1);
}

/** Fisher's exact test (binary categorical; drift when p < threshold, default 0.1). */
export const fisherExactTest: StatTest = {
  name: 'fisher_exact',
  columnTypes: CAT,
  defaultThreshold: 0.1,
  drifted: pBelow,
  score({ column, reference, current }) {
    const keys = unionKeys(reference, current);
    if (keys.length > 2) throw invalidParameter(`Stattest 'fisher_exact' needs at most two distinct values in column '${column}', found ${keys.length}`);
    const first = keys[0]!;
    const curOne = countsOf(current).get(first) ?? 0;
    const refOne = countsOf(reference).get(first) ?? 0;
    return fisherExact(curOne, current.size - curOne, refOne, reference.size - refOne);
  },
};
