/**
 * HyperLogLog distinct-count sketch (Flajolet et al. 2007) with 2^p six-bit registers over a
 * 64-bit hash, and Ertl's improved estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017), which needs no bias tables and no small/large-range switch.
 * Relative standard error ≈ 1.04/√m, m = 2^p: 1.63% at the default p = 12 (4 KiB of registers).
 * Registers merge by maximum, so merging is exact, associative and commutative.
 */
import { invalidParameter } from '@capstan/api';
import { hashDouble, hashString, hashWords, SEED_HI, SEED_LO } from './hash.js';

/** Default precision: 4096 registers. */
export const HLL_DEFAULT_P = 12;
/** Smallest accepted precision. */
export const HLL_MIN_P = 4;
/** Largest accepted precision (register indexes are serialized in 16 bits). */
export const HLL_MAX_P = 16;

/** Relative standard error of the estimate for precision p (1.04/√2^p). */
export function hllRelativeError(p: number): number {
  return 1.04 / Math.sqrt(2 ** p);
}

/** HyperLogLog over (hi, lo) 32-bit hash halves. */
export class HyperLogLog {
  /** Register values, one per bucket. */
  readonly registers: Uint8Array;

  /**
   * @param p precision, 4..16 (2^p registers).
   * @throws CapstanError INVALID_PARAMETER_VALUE when p is out of range.
   */
  constructor(readonly p: number = HLL_DEFAULT_P) {
    if (!Number.isInteger(p) || p < HLL_MIN_P || p > HLL_MAX_P) throw invalidParameter(`HyperLogLog precision must be an integer in [${HLL_MIN_P}, ${HLL_MAX_P}], got ${p}`);
    this.registers = new Uint8Array(1 << p);
  }

  /** Adds one hashed value: `hi` chooses the register (top p bits) and, with `lo`, the rank. */
  add(hi: number, lo: number): void {
    const p = this.p;
    const w = hi << p;
    const rank = w !== 0 ? Math.clz32(w) + 1 : 33 - p + Math.clz32(lo);
    const i = hi >>> (32 - p);
    if (rank > this.registers[i]!) this.registers[i] = rank;
  }

  /**
   * Adds a double given by its IEEE-754 words (canonical: −0 as 0). The second hash half only
   * matters when the first one's rank bits are all zero, so it is computed only then.
   */
  addWords(lo: number, hi: number): void {
    const p = this.p;
    const h = hashDouble(lo, hi);
    const w = h << p;
    const rank = w !== 0 ? Math.clz32(w) + 1 : 33 - p + Math.clz32(hashWords(lo, hi, SEED_LO));
    const i = h >>> (32 - p);
    if (rank > this.registers[i]!) this.registers[i] = rank;
  }

  /** Adds a string (hashed over its UTF-16 code units). */
  addString(s: string): void {
    const p = this.p;
    const h = hashString(s, SEED_HI);
    const w = h << p;
    const rank = w !== 0 ? Math.clz32(w) + 1 : 33 - p + Math.clz32(hashString(s, SEED_LO));
    const i = h >>> (32 - p);
    if (rank > this.registers[i]!) this.registers[i] = rank;
  }

  /**
   * Folds `other` into this sketch (register-wise maximum).
   * @throws CapstanError INVALID_PARAMETER_VALUE when the precisions differ.
   */
  merge(other: HyperLogLog): this {
    if (other.p !== this.p) throw invalidParameter(`Cannot merge HyperLogLog sketches of precision ${this.p} and ${other.p}`);
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
    return this;
  }

  /** A copy. */
  clone(): HyperLogLog {
    const out = new HyperLogLog(this.p);
    out.registers.set(this.registers);
    return out;
  }

  /** Estimated number of distinct values added (Ertl's improved raw estimator). */
  estimate(): number {
    const m = this.registers.length;
    const q = 64 - this.p;
    const hist = new Float64Array(q + 2);
    for (const r of this.registers) hist[r] = hist[r]! + 1;
    let z = m * tau((m - hist[q + 1]!) / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + hist[k]!);
    z += m * sigma(hist[0]! / m);
    return (m * m) / (2 * Math.LN2 * z);
  }

  /** Compact base64: six bits per register, or (index, value) triples when that is shorter. */
  serialize(): string {
    const regs = this.registers;
    let nonzero = 0;
    for (const r of regs) if (r) nonzero++;
    const denseBytes = (regs.length * 6) / 8;
    if (nonzero * 3 < denseBytes) {
      const out = new Uint8Array(nonzero * 3);
      let j = 0;
      for (let i = 0; i < regs.length; i++) {
        const r = regs[i]!;
        if (!r) continue;
        out[j++] = i >>> 8;
        out[j++] = i & 0xff;
        out[j++] = r;
      }
      return `s${Buffer.from(out).toString('base64')}`;
    }
    const out = new Uint8Array(denseBytes);
    for (let i = 0; i < regs.length; i += 4) {
      const v = regs[i]! | (regs[i + 1]! << 6) | (regs[i + 2]! << 12) | (regs[i + 3]! << 18);
      const o = (i / 4) * 3;
      out[o] = v & 0xff;
      out[o + 1] = (v >>> 8) & 0xff;
      out[o + 2] = v >>> 16;
    }
    return `d${Buffer.from(out).toString('base64')}`;
  }

  /**
   * Rebuilds a sketch from {@link serialize}'s output.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the text is not a sketch of precision p.
   */
  static deserialize(text: string, p: number): HyperLogLog {
    const out = new HyperLogLog(p);
    const regs = out.registers;
    const bytes = Buffer.from(text.slice(1), 'base64');
    const max = 65 - p;
    if (text[0] === 's' && bytes.length % 3 === 0) {
      for (let j = 0; j < bytes.length; j += 3) {
        const i = (bytes[j]! << 8) | bytes[j + 1]!;
        const r = bytes[j + 2]!;
        if (i >= regs.length || r > max) throw invalidParameter('Corrupt HyperLogLog sketch');
        regs[i] = r;
      }
      return out;
    }
    if (text[0] !== 'd' || bytes.length !== (regs.length * 6) / 8) throw invalidParameter('Corrupt HyperLogLog sketch');
    for (let i = 0; i < regs.length; i += 4) {
      const o = (i / 4) * 3;
      const v = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16);
      for (let t = 0; t < 4; t++) {
        const r = (v >>> (6 * t)) & 63;
        if (r > max) throw invalidParameter('Corrupt HyperLogLog sketch');
        regs[i + t] = r;
      }
    }
    return out;
  }
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const prev = z;
    z += x * y;
    y += y;
    if (z === prev) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const prev = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === prev) return z / 3;
  }
}
