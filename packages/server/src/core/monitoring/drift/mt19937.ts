/**
 * numpy's legacy random stream (`np.random.seed(n)`, MT19937) and the pieces of
 * `RandomState.permutation` that Evidently's permutation tests draw from, so their p-values
 * reproduce Evidently's.
 */

const N = 624;
const M = 397;

/** MT19937 seeded as `np.random.seed(seed)` (`mt19937_seed`). */
export class Mt19937 {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed: number) {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1]!;
      this.mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  /** Next 32-bit output (`mt19937_next32`). */
  next32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform integer in [0, max] by masked rejection (numpy `random_interval`, max < 2^32). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (this.next32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  /** `RandomState.permutation(n)` into `out` (Fisher–Yates from the end, as `shuffle`). */
  permutation(out: Int32Array): Int32Array {
    for (let i = 0; i < out.length; i++) out[i] = i;
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      mt[i] = (mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
    }
    this.index = 0;
  }
}
