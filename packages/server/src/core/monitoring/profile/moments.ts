/**
 * Count, mean and central moment sums M2..M4 of a stream of finite numbers, merged with the
 * pairwise formulas of Chan, Golub & LeVeque (1979) extended to M3/M4 by Pébay (2008).
 * Batches are folded in two passes (batch mean, then central sums), which is more accurate than
 * per-value Welford updates and as fast as a plain sum. Merging is exact in real arithmetic; in
 * doubles the result depends on grouping only by rounding (≈1e-15 relative for the mean).
 */

/** Running moments. `m2 / n` is the population variance (numpy `var`, ddof 0). */
export class Moments {
  /** Number of values. */
  n = 0;
  /** Mean. */
  mean = 0;
  /** Σ (x − mean)². */
  m2 = 0;
  /** Σ (x − mean)³. */
  m3 = 0;
  /** Σ (x − mean)⁴. */
  m4 = 0;

  /** Folds `values[from..to)` (finite numbers) in as one batch. */
  addBatch(values: Float64Array, from = 0, to = values.length): void {
    const n = to - from;
    if (n <= 0) return;
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i]!;
    const mean = sum / n;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    for (let i = from; i < to; i++) {
      const d = values[i]! - mean;
      const d2 = d * d;
      s1 += d;
      s2 += d2;
      s3 += d2 * d;
      s4 += d2 * d2;
    }
    const c = s1 / n;
    const batch = new Moments();
    batch.n = n;
    batch.mean = mean + c;
    batch.m2 = s2 - s1 * c;
    batch.m3 = s3 - 3 * c * s2 + 2 * c * c * s1;
    batch.m4 = s4 - 4 * c * s3 + 6 * c * c * s2 - 3 * c * c * c * s1;
    this.merge(batch);
  }

  /**
   * Folds `other` in. The operands are put in a canonical order first, so `a.merge(b)` and
   * `b.merge(a)` give bit-identical results.
   */
  merge(other: Moments): this {
    if (other.n === 0) return this;
    if (this.n === 0) {
      this.copyFrom(other);
      return this;
    }
    const [a, b] = precedes(this, other) ? [this, other] : [other, this];
    const na = a.n;
    const nb = b.n;
    const n = na + nb;
    const d = b.mean - a.mean;
    const dn = d / n;
    const dn2 = dn * dn;
    const mean = a.mean + dn * nb;
    const m2 = a.m2 + b.m2 + d * dn * na * nb;
    const m3 = a.m3 + b.m3 + d * dn2 * na * nb * (na - nb) + 3 * dn * (na * b.m2 - nb * a.m2);
    const m4 = a.m4 + b.m4 + d * dn2 * dn * na * nb * (na * na - na * nb + nb * nb) + 6 * dn2 * (na * na * b.m2 + nb * nb * a.m2) + 4 * dn * (na * b.m3 - nb * a.m3);
    this.n = n;
    this.mean = mean;
    this.m2 = m2;
    this.m3 = m3;
    this.m4 = m4;
    return this;
  }

  /** A copy. */
  clone(): Moments {
    return new Moments().copyFrom(this);
  }

  /** Population variance (ddof 0); NaN when empty. */
  variance(): number {
    return this.n ? this.m2 / this.n : NaN;
  }

  /** Population standard deviation (numpy `std`, ddof 0); NaN when empty. */
  std(): number {
    return Math.sqrt(this.variance());
  }

  /** Sample skewness g1 = √n·M3 / M2^1.5 (scipy `skew`, biased); NaN when M2 = 0. */
  skewness(): number {
    return this.m2 > 0 ? (Math.sqrt(this.n) * this.m3) / this.m2 ** 1.5 : NaN;
  }

  /** Excess kurtosis g2 = n·M4 / M2² − 3 (scipy `kurtosis`, biased); NaN when M2 = 0. */
  kurtosis(): number {
    return this.m2 > 0 ? (this.n * this.m4) / (this.m2 * this.m2) - 3 : NaN;
  }

  /** `[n, mean, m2, m3, m4]`. */
  toArray(): [number, number, number, number, number] {
    return [this.n, this.mean, this.m2, this.m3, this.m4];
  }

  /** Moments from {@link toArray}'s output. */
  static fromArray(a: ArrayLike<number>): Moments {
    const out = new Moments();
    out.n = a[0] ?? 0;
    out.mean = a[1] ?? 0;
    out.m2 = a[2] ?? 0;
    out.m3 = a[3] ?? 0;
    out.m4 = a[4] ?? 0;
    return out;
  }

  private copyFrom(o: Moments): this {
    this.n = o.n;
    this.mean = o.mean;
    this.m2 = o.m2;
    this.m3 = o.m3;
    this.m4 = o.m4;
    return this;
  }
}

function precedes(a: Moments, b: Moments): boolean {
  if (a.n !== b.n) return a.n > b.n;
  if (a.mean !== b.mean) return a.mean < b.mean;
  if (a.m2 !== b.m2) return a.m2 < b.m2;
  if (a.m3 !== b.m3) return a.m3 < b.m3;
  return a.m4 <= b.m4;
}
