/**
 * KLL quantile sketch (Karnin, Lang & Liberty 2016) in the layout of Apache DataSketches: levels
 * of items with weight 2^h, level capacities max(8, k·(2/3)^depth), lazy compaction of the lowest
 * full level when the sketch reaches its total capacity. Two choices for speed: level 0 holds at
 * least k/4 items before it is compacted (fewer, larger compactions for about k/4 more items), and
 * large sketches take updates through KLL's bottom sampler (see `updateMany`). The coins come
 * from a seeded PRNG kept (and serialized) in the sketch: the same updates and merges in the same
 * order give the same sketch, and `a.merge(b)` equals `b.merge(a)`.
 *
 * Rank error, from DataSketches' empirical fit (99% confidence), for a sketch of parameter k:
 * single-sided ε = 2.296 / k^0.9723 (rank, CDF at one point; 1.33% at k = 200, 0.27% at k = 1024)
 * and double-sided 2.446 / k^0.9433 (bin masses; 1.65% at k = 200).
 */
import { invalidParameter } from '@capstan/api';
import { mixSeed } from './hash.js';

/** Default k: DataSketches' default (about 600 retained items, 1.33% rank error). */
export const KLL_DEFAULT_K = 200;
const MIN_WIDTH = 8;
/** Smallest accepted k. */
export const KLL_MIN_K = MIN_WIDTH;
/** Largest accepted k. */
export const KLL_MAX_K = 65535;
/** Level 0 holds at least k/LEVEL0_SHARE items before it is compacted. */
const LEVEL0_SHARE = 4;

/** Normalised single-sided rank error of a KLL sketch with parameter k (99% confidence). */
export function kllRankError(k: number): number {
  return 2.296 / k ** 0.9723;
}

/** Normalised double-sided (bin mass) error of a KLL sketch with parameter k (99% confidence). */
export function kllPmfError(k: number): number {
  return 2.446 / k ** 0.9433;
}

/** A sorted, deduplicated view: distinct retained values and the cumulative weight up to each. */
export interface SortedView {
  values: Float64Array;
  /** cumulative[i] = total weight of values ≤ values[i]. */
  cumulative: Float64Array;
  total: number;
}

/** Quantile sketch over finite doubles. */
export class KllSketch {
  /** Total weight (number of values) summarised. */
  n = 0;
  /** Smallest value seen (exact). */
  min = Infinity;
  /** Largest value seen (exact). */
  max = -Infinity;
  private levels: Float64Array[] = [new Float64Array(0)];
  private sizes: number[] = [0];
  private caps: number[] = [0];
  private totalCap = 0;
  private retained = 0;
  private state: number;
  private view: SortedView | undefined;

  /**
   * @param k accuracy parameter, 8..65535 (retained items ≈ 3k).
   * @param seed seed of the compaction coins.
   * @throws CapstanError INVALID_PARAMETER_VALUE when k is out of range.
   */
  constructor(
    public k: number = KLL_DEFAULT_K,
    seed = 0,
  ) {
    if (!Number.isInteger(k) || k < KLL_MIN_K || k > KLL_MAX_K) throw invalidParameter(`KLL k must be an integer in [${KLL_MIN_K}, ${KLL_MAX_K}], got ${k}`);
    this.state = seed | 0;
    this.recomputeCapacities();
    this.ensure(0, this.totalCap);
  }

  /**
   * A sketch of values given with exact multiplicities (each count split into its binary digits,
   * one item per set bit h at level h), then compacted to size.
   * @param values distinct finite values in ascending order.
   * @param counts positive integer multiplicities, index-aligned with `values`.
   */
  static fromCounts(values: Float64Array, counts: Float64Array, k: number, seed: number): KllSketch {
    const s = new KllSketch(k, seed);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      let c = counts[i]!;
      s.n += c;
      for (let h = 0; c > 0; h++, c = Math.floor(c / 2)) {
        if (c % 2 === 0) continue;
        while (s.levels.length <= h) s.addEmptyLevel();
        s.push(h, v);
      }
    }
    if (values.length) {
      s.min = values[0]!;
      s.max = values[values.length - 1]!;
    }
    s.recomputeCapacities();
    s.compressWhileFull();
    s.ensure(0, s.totalCap);
    return s;
  }

  /** Number of items retained (the sketch's size). */
  get retainedItems(): number {
    return this.retained;
  }

  /**
   * Adds `values[from..to)`, all finite. Once n is large enough that sampling cannot matter
   * (n·ε²/4 ≥ 2), whole groups of w consecutive values (w the largest power of 2 up to n·ε²/4)
   * are sampled first: one value per group, chosen by the seeded coin, enters at level log2 w
   * with weight w, which keeps the normalised rank error it adds below ε/4 (one standard
   * deviation). This is KLL's bottom sampler; it makes large updates several times cheaper.
   */
  updateMany(values: Float64Array, from = 0, to = values.length): void {
    if (to <= from) return;
    let lo = this.min;
    let hi = this.max;
    for (let i = from; i < to; i++) {
      const x = values[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    this.min = lo;
    this.max = hi;
    this.view = undefined;
    const level = samplerLevel(this.n, this.k);
    this.n += to - from;
    if (level > 0) {
      const w = 2 ** level;
      const groups = Math.floor((to - from) / w);
      if (groups > 0) {
        const sample = new Float64Array(groups);
        for (let g = 0; g < groups; g++) sample[g] = values[from + g * w + (this.nextU32() & (w - 1))]!;
        sortPrefix(sample, groups);
        while (this.levels.length <= level + 1) this.addEmptyLevel();
        this.recomputeCapacities();
        this.mergeSortedInto(level, sample);
        this.retained += groups;
        this.compressWhileFull();
        this.ensure(0, this.totalCap);
        from += groups * w;
      }
    }
    this.ensure(0, this.totalCap);
    let level0 = this.levels[0]!;
    let size0 = this.sizes[0]!;
    let retained = this.retained;
    for (let i = from; i < to; i++) {
      if (retained >= this.totalCap) {
        this.sizes[0] = size0;
        this.retained = retained;
        this.compressWhileFull();
        level0 = this.levels[0]!;
        size0 = this.sizes[0]!;
        retained = this.retained;
      }
      level0[size0++] = values[i]!;
      retained++;
    }
    this.sizes[0] = size0;
    this.retained = retained;
    this.trim();
  }

  /**
   * Folds `other` into this sketch (`other` is unchanged). The result has k = min of both k.
   * Merging is commutative exactly (same state either way) and associative within the error bound.
   */
  merge(other: KllSketch): this {
    if (other.n === 0) return this;
    this.view = undefined;
    this.k = Math.min(this.k, other.k);
    while (this.levels.length < other.levels.length) this.addEmptyLevel();
    for (let h = 0; h < other.levels.length; h++) {
      const size = other.sizes[h]!;
      if (!size) continue;
      const src = other.levels[h]!.subarray(0, size);
      if (h === 0) {
        this.ensure(0, this.sizes[0]! + size);
        this.levels[0]!.set(src, this.sizes[0]);
        this.sizes[0] = this.sizes[0]! + size;
      } else {
        this.mergeSortedInto(h, src);
      }
      this.retained += size;
    }
    this.n += other.n;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.state = mixSeed(this.state ^ other.state, (this.state + other.state) | 0) | 0;
    this.recomputeCapacities();
    this.compressWhileFull();
    sortPrefix(this.levels[0]!, this.sizes[0]!);
    this.ensure(0, this.totalCap);
    this.trim();
    return this;
  }

  /** A deep copy. */
  clone(): KllSketch {
    const out = new KllSketch(this.k, this.state);
    out.n = this.n;
    out.min = this.min;
    out.max = this.max;
    out.levels = this.levels.map((l) => l.slice());
    out.sizes = [...this.sizes];
    out.retained = this.retained;
    out.recomputeCapacities();
    return out;
  }

  /** Retained items merged into one ascending list of distinct values with cumulative weights. */
  sortedView(): SortedView {
    if (this.view) return this.view;
    let values = new Float64Array(0);
    let weights = new Float64Array(0);
    for (let h = 0; h < this.levels.length; h++) {
      const size = this.sizes[h]!;
      if (!size) continue;
      const level = this.levels[h]!.slice(0, size);
      if (h === 0) sortPrefix(level, size);
      const w = 2 ** h;
      const mv = new Float64Array(values.length + size);
      const mw = new Float64Array(values.length + size);
      let i = 0;
      let j = 0;
      let o = 0;
      while (i < values.length || j < size) {
        if (j >= size || (i < values.length && values[i]! <= level[j]!)) {
          mv[o] = values[i]!;
          mw[o++] = weights[i++]!;
        } else {
          mv[o] = level[j++]!;
          mw[o++] = w;
        }
      }
      values = mv;
      weights = mw;
    }
    let u = 0;
    let total = 0;
    const cumulative = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      total += weights[i]!;
      if (u > 0 && values[u - 1] === values[i]) {
        cumulative[u - 1] = total;
      } else {
        values[u] = values[i]!;
        cumulative[u++] = total;
      }
    }
    this.view = { values: values.slice(0, u), cumulative: cumulative.slice(0, u), total };
    return this.view;
  }

  /** Estimated number of values ≤ x (or < x when `strict`). Exact while nothing was compacted. */
  rank(x: number, strict = false): number {
    return viewRank(this.sortedView(), x, strict);
  }

  /** Estimated q-quantile, q in [0, 1]: the smallest retained value whose rank reaches q·n. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const { values, cumulative, total } = this.sortedView();
    const target = q * total;
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! >= target) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]!;
  }

  /** Plain-JSON state: parameters, level sizes and all items as little-endian float64 base64. */
  serialize(): SerializedKll {
    const items = new DataView(new ArrayBuffer(this.retained * 8));
    let o = 0;
    for (let h = 0; h < this.levels.length; h++) {
      const level = this.levels[h]!;
      for (let i = 0; i < this.sizes[h]!; i++, o += 8) items.setFloat64(o, level[i]!, true);
    }
    return { k: this.k, n: this.n, min: this.n ? this.min : null, max: this.n ? this.max : null, state: this.state, sizes: [...this.sizes], items: Buffer.from(items.buffer).toString('base64') };
  }

  /**
   * Rebuilds a sketch from {@link serialize}'s output.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the state is inconsistent.
   */
  static deserialize(s: SerializedKll): KllSketch {
    const out = new KllSketch(s.k, s.state);
    const bytes = Buffer.from(s.items, 'base64');
    const total = s.sizes.reduce((a, b) => a + b, 0);
    if (!s.sizes.length || bytes.length !== total * 8 || s.sizes.some((x) => !Number.isInteger(x) || x < 0)) throw invalidParameter('Corrupt KLL sketch');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    out.levels = [];
    out.sizes = [];
    let o = 0;
    let weight = 0;
    for (let h = 0; h < s.sizes.length; h++) {
      const size = s.sizes[h]!;
      const level = new Float64Array(Math.max(size, MIN_WIDTH));
      for (let i = 0; i < size; i++, o += 8) level[i] = view.getFloat64(o, true);
      out.levels.push(level);
      out.sizes.push(size);
      weight += size * 2 ** h;
    }
    if (weight !== s.n) throw invalidParameter('Corrupt KLL sketch');
    out.n = s.n;
    out.min = s.min ?? Infinity;
    out.max = s.max ?? -Infinity;
    out.retained = total;
    out.recomputeCapacities();
    out.ensure(0, out.totalCap);
    return out;
  }

  private nextU32(): number {
    let z = (this.state = (this.state + 0x9e3779b9) | 0);
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  private nextBit(): number {
    return this.nextU32() >>> 31;
  }

  private recomputeCapacities(): void {
    const levels = this.levels.length;
    let total = 0;
    for (let h = 0; h < levels; h++) {
      const cap = h === 0 ? Math.max(levelCapacity(this.k, levels - 1), Math.ceil(this.k / LEVEL0_SHARE)) : levelCapacity(this.k, levels - h - 1);
      this.caps[h] = cap;
      total += cap;
    }
    this.caps.length = levels;
    this.totalCap = total;
  }

  /** Gives back level buffers left much larger than their level by a burst of promotions. */
  private trim(): void {
    for (let h = 0; h < this.levels.length; h++) {
      const want = (h === 0 ? Math.max(this.totalCap, this.sizes[0]!) : Math.max(this.sizes[h]!, this.caps[h]!)) + MIN_WIDTH;
      if (this.levels[h]!.length > 2 * want) this.levels[h] = this.levels[h]!.slice(0, want);
    }
  }

  private addEmptyLevel(): void {
    this.levels.push(new Float64Array(MIN_WIDTH));
    this.sizes.push(0);
  }

  private ensure(h: number, needed: number): void {
    const level = this.levels[h]!;
    if (level.length >= needed) return;
    const grown = new Float64Array(Math.max(needed, level.length * 2));
    grown.set(level.subarray(0, this.sizes[h]));
    this.levels[h] = grown;
  }

  private push(h: number, v: number): void {
    this.ensure(h, this.sizes[h]! + 1);
    this.levels[h]![this.sizes[h]!] = v;
    this.sizes[h] = this.sizes[h]! + 1;
    this.retained++;
  }

  private compressWhileFull(): void {
    while (this.retained >= this.totalCap) {
      let h = 0;
      while (this.sizes[h]! < this.caps[h]!) h++;
      if (h === this.levels.length - 1) {
        this.addEmptyLevel();
        this.recomputeCapacities();
        this.ensure(0, this.totalCap);
      }
      this.compactLevel(h);
    }
  }

  private compactLevel(h: number): void {
    const level = this.levels[h]!;
    const size = this.sizes[h]!;
    if (h === 0) sortPrefix(level, size);
    const odd = size & 1;
    const pairs = (size - odd) >> 1;
    const start = odd + this.nextBit();
    const kept = level[0]!;
    for (let i = 0; i < pairs; i++) level[i] = level[start + 2 * i]!;
    this.mergeSortedInto(h + 1, level, pairs);
    if (odd) level[0] = kept;
    this.sizes[h] = odd;
    this.retained -= pairs;
  }

  private mergeSortedInto(h: number, src: Float64Array, add = src.length): void {
    const size = this.sizes[h]!;
    this.ensure(h, size + add);
    const dst = this.levels[h]!;
    let i = size - 1;
    let j = add - 1;
    let w = size + add - 1;
    while (j >= 0) {
      if (i >= 0 && dst[i]! > src[j]!) dst[w--] = dst[i--]!;
      else dst[w--] = src[j--]!;
    }
    this.sizes[h] = size + add;
  }
}

/** Sorts a[0..size) ascending: quicksort (median of three) down to insertion-sorted runs of 16. */
function sortPrefix(a: Float64Array, size: number): void {
  quicksort(a, 0, size - 1);
}

function quicksort(a: Float64Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > x) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Serialized {@link KllSketch}. */
export interface SerializedKll {
  k: number;
  n: number;
  min: number | null;
  max: number | null;
  state: number;
  sizes: number[];
  items: string;
}

/** Weight of a view's values ≤ x (< x when `strict`). */
export function viewRank(view: SortedView, x: number, strict: boolean): number {
  const { values, cumulative } = view;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? values[mid]! < x : values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : cumulative[lo - 1]!;
}

/** Level the bottom sampler feeds for a sketch of n values: log2 of the largest power of 2 ≤ n·ε²/4. */
function samplerLevel(n: number, k: number): number {
  const e = kllRankError(k);
  const w = (n * e * e) / 4;
  return w < 2 ? 0 : Math.floor(Math.log2(w));
}

/** round(k·(2/3)^depth), at least 8, in exact integer arithmetic (DataSketches `intCapAux`). */
function levelCapacity(k: number, depth: number): number {
  let c = k;
  let d = depth;
  while (d > 0) {
    const step = Math.min(d, 30);
    c = Math.floor((Math.floor((2 * c * 2 ** step) / 3 ** step) + 1) / 2);
    d -= step;
    if (c < MIN_WIDTH) break;
  }
  return Math.max(MIN_WIDTH, c);
}
