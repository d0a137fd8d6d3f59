/**
 * Mergeable per-column profiles. A profile keeps exact counts (rows, missing, ±∞), exact moments
 * and extremes, and the distribution in one of two forms:
 * - exact value counts while the column has at most `maxExactValues` distinct values;
 * - past that, sketches: KLL quantiles and a HyperLogLog for numbers, Misra–Gries frequent items
 *   and a HyperLogLog for strings.
 * The sketches are built from the exact counts at the moment the cap is crossed. That gives the
 * same HyperLogLog registers (they depend only on the set of values) and the same frequent-item
 * counters (while a summary holds at most k items it is exact) as building them from the start.
 * Every field merges associatively and commutatively, and the serialized size is bounded by the
 * options, not by the row count.
 */
import { invalidParameter } from '@capstan/api';
import { NumberCounts } from './counts.js';
import { FREQUENT_DEFAULT_K, MisraGries } from './frequent.js';
import type { FrequentItem, SerializedFrequent } from './frequent.js';
import { hashString, mixSeed, SEED_HI } from './hash.js';
import { HLL_DEFAULT_P, HLL_MAX_P, HLL_MIN_P, HyperLogLog } from './hll.js';
import { KLL_DEFAULT_K, KLL_MAX_K, KLL_MIN_K, KllSketch } from './kll.js';
import type { SerializedKll, SortedView } from './kll.js';
import { Moments } from './moments.js';

/** Sizing of a profile's sketches. */
export interface ProfileOptions {
  /** KLL accuracy parameter k (default 200: ≈600 retained values, rank error 1.33%). */
  kllK?: number;
  /** HyperLogLog precision p (default 12: 4096 registers, 1.63% standard error). */
  hllP?: number;
  /** Distinct values counted exactly before switching to sketches (default 1000). */
  maxExactValues?: number;
  /** Misra–Gries counters for string columns (default 1024; keep ≥ maxExactValues). */
  frequentItems?: number;
  /** Seed of the KLL compaction coins (default 0); mixed with the column name. */
  seed?: number;
}

/** {@link ProfileOptions} with every field set. */
export type ResolvedProfileOptions = Required<Omit<ProfileOptions, 'seed'>>;

/** Default distinct-value cap for exact counts. */
export const MAX_EXACT_DEFAULT = 1000;

/**
 * Fills in defaults and checks ranges.
 * @throws CapstanError INVALID_PARAMETER_VALUE when an option is out of range.
 */
export function resolveProfileOptions(options: ProfileOptions = {}): ResolvedProfileOptions {
  const out = {
    kllK: options.kllK ?? KLL_DEFAULT_K,
    hllP: options.hllP ?? HLL_DEFAULT_P,
    maxExactValues: options.maxExactValues ?? MAX_EXACT_DEFAULT,
    frequentItems: options.frequentItems ?? FREQUENT_DEFAULT_K,
  };
  checkInteger('KLL k (kllK)', out.kllK, KLL_MIN_K, KLL_MAX_K);
  checkInteger('HyperLogLog precision (hllP)', out.hllP, HLL_MIN_P, HLL_MAX_P);
  checkInteger('maxExactValues', out.maxExactValues, 0, 1_000_000);
  checkInteger('frequentItems', out.frequentItems, 1, 1_000_000);
  return out;
}

function checkInteger(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw invalidParameter(`${what} must be an integer in [${min}, ${max}], got ${value}`);
}

const CHUNK = 4096;
const SCRATCH = new Float64Array(CHUNK);
const WORDS = new Uint32Array(SCRATCH.buffer);
const F64 = new Float64Array(1);
const F64_WORDS = new Uint32Array(F64.buffer);

/** Profile of a numeric column (`float` or `int`; NaN is missing). */
export class NumericProfile {
  readonly kind = 'numeric';
  /** Rows seen, missing ones included. */
  count = 0;
  /** Missing values (null or NaN). */
  nulls = 0;
  /** +∞ values. */
  posInf = 0;
  /** −∞ values. */
  negInf = 0;
  /** Moments of the finite values; `moments.n` is their number. */
  moments = new Moments();
  /** Smallest finite value (+∞ when none). */
  min = Infinity;
  /** Largest finite value (−∞ when none). */
  max = -Infinity;
  private exact: NumberCounts | null;
  private kll: KllSketch | null = null;
  private hll: HyperLogLog | null = null;

  /** Use {@link createColumnProfile}. */
  constructor(
    readonly name: string,
    public dtype: 'float' | 'int',
    public options: ResolvedProfileOptions,
    public seed: number,
  ) {
    this.exact = new NumberCounts();
  }

  /** Number of finite values (what the drift tests see). */
  get valid(): number {
    return this.moments.n;
  }

  /** True while the distribution is held as exact value counts. */
  get isExact(): boolean {
    return this.exact !== null;
  }

  /** Adds a batch of values. */
  update(values: Float64Array): this {
    const len = values.length;
    this.count += len;
    for (let start = 0; start < len; start += CHUNK) {
      const end = Math.min(len, start + CHUNK);
      let m = 0;
      let lo = this.min;
      let hi = this.max;
      for (let i = start; i < end; i++) {
        const x = values[i]!;
        if (x - x === 0) {
          SCRATCH[m++] = x + 0;
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        } else if (x !== x) this.nulls++;
        else if (x > 0) this.posInf++;
        else this.negInf++;
      }
      this.min = lo + 0;
      this.max = hi + 0;
      if (m === 0) continue;
      this.moments.addBatch(SCRATCH, 0, m);
      let i = 0;
      const exact = this.exact;
      if (exact) {
        const limit = this.options.maxExactValues;
        while (i < m) {
          exact.addWords(SCRATCH[i]!, WORDS[2 * i]!, WORDS[2 * i + 1]!, 1);
          i++;
          if (exact.size > limit) {
            this.toSketches();
            break;
          }
        }
        if (i === m) continue;
      }
      this.kll!.updateMany(SCRATCH, i, m);
      const hll = this.hll!;
      for (; i < m; i++) hll.addWords(WORDS[2 * i]!, WORDS[2 * i + 1]!);
    }
    return this;
  }

  /**
   * Adds `other`'s data (`other` is unchanged). Merging int with float gives float.
   * @throws CapstanError INVALID_PARAMETER_VALUE when `other` is not numeric or its sketches
   *   have another HyperLogLog precision.
   */
  merge(other: ColumnProfile): this {
    if (other.kind !== 'numeric') throw invalidParameter(`Cannot merge numeric and categorical profiles of column '${this.name}'`);
    const options = mergeOptions(this.options, other.options, this.name);
    if (other.dtype !== this.dtype) this.dtype = 'float';
    this.count += other.count;
    this.nulls += other.nulls;
    this.posInf += other.posInf;
    this.negInf += other.negInf;
    this.moments.merge(other.moments);
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.options = options;
    if (this.exact && other.exact && unionFits(this.exact, other.exact, options.maxExactValues)) {
      const union = this.exact.clone();
      const { values, counts } = other.exact.sorted();
      for (let i = 0; i < values.length; i++) union.add(values[i]!, counts[i]!);
      this.exact = union;
    } else {
      const theirs = other.exact ? sketchesOf(other.exact, options, other.seed) : { kll: other.kll!, hll: other.hll! };
      if (this.exact) this.toSketches();
      this.kll!.merge(theirs.kll);
      this.hll!.merge(theirs.hll);
    }
    this.seed = mixSeed(this.seed ^ other.seed, (this.seed + other.seed) | 0);
    return this;
  }

  /** A deep copy. */
  clone(): NumericProfile {
    const out = new NumericProfile(this.name, this.dtype, { ...this.options }, this.seed);
    out.copyCounts(this);
    out.exact = this.exact ? this.exact.clone() : null;
    out.kll = this.kll ? this.kll.clone() : null;
    out.hll = this.hll ? this.hll.clone() : null;
    return out;
  }

  /** Distinct finite values: exact under the cap, else the HyperLogLog estimate. */
  distinct(): { value: number; exact: boolean } {
    return this.exact ? { value: this.exact.size, exact: true } : { value: Math.round(this.hll!.estimate()), exact: false };
  }

  /** A HyperLogLog of the distinct finite values (a copy; built from the exact counts under the cap). */
  distinctSketch(): HyperLogLog {
    return this.exact ? hllOfValues(this.exact.sorted().values, this.options.hllP) : this.hll!.clone();
  }

  /** Exact counts of the distinct finite values, ascending; null once past the cap. */
  valueCounts(): { values: Float64Array; counts: Float64Array } | null {
    return this.exact ? this.exact.sorted() : null;
  }

  /**
   * The distribution of the finite values as an ascending list of distinct values with cumulative
   * weights: exact counts under the cap, the KLL sketch's retained items past it.
   */
  sortedView(): SortedView {
    if (!this.exact) return this.kll!.sortedView();
    const { values, counts } = this.exact.sorted();
    let total = 0;
    for (let i = 0; i < counts.length; i++) counts[i] = total += counts[i]!;
    return { values, cumulative: counts, total };
  }

  /** The KLL sketch's k when the distribution is sketched; undefined while it is exact. */
  get sketchK(): number | undefined {
    return this.kll?.k;
  }

  /** Estimated q-quantile of the finite values (exact under the cap, as the lower value). */
  quantile(q: number): number {
    if (this.valid === 0) return NaN;
    if (!this.exact) return this.kll!.quantile(q);
    const { values, cumulative, total } = this.sortedView();
    const target = q * total;
    let i = 0;
    while (i < values.length - 1 && cumulative[i]! < target) i++;
    return values[i]!;
  }

  /** Plain-JSON state (see docs/streaming-profiles.md for the format). */
  serialize(): SerializedNumericProfile {
    const out: SerializedNumericProfile = {
      kind: 'numeric',
      name: this.name,
      dtype: this.dtype,
      options: { ...this.options },
      seed: this.seed,
      count: this.count,
      nulls: this.nulls,
      posInf: this.posInf,
      negInf: this.negInf,
      moments: encodeF64(this.moments.toArray()),
      min: this.valid ? this.min : null,
      max: this.valid ? this.max : null,
    };
    if (this.exact) {
      const { values, counts } = this.exact.sorted();
      out.exact = { values: encodeF64(values), counts: encodeF64(counts) };
    } else {
      out.kll = this.kll!.serialize();
      out.hll = this.hll!.serialize();
    }
    return out;
  }

  /**
   * Rebuilds a profile from {@link serialize}'s output.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the state is malformed.
   */
  static deserialize(s: SerializedNumericProfile): NumericProfile {
    const out = new NumericProfile(s.name, s.dtype, resolveProfileOptions(s.options), s.seed | 0);
    out.count = s.count;
    out.nulls = s.nulls;
    out.posInf = s.posInf;
    out.negInf = s.negInf;
    out.moments = Moments.fromArray(decodeF64(s.moments));
    out.min = s.min ?? Infinity;
    out.max = s.max ?? -Infinity;
    if (s.exact) {
      const values = decodeF64(s.exact.values);
      const counts = decodeF64(s.exact.counts);
      if (values.length !== counts.length) throw invalidParameter(`Corrupt profile of column '${s.name}'`);
      const exact = new NumberCounts();
      for (let i = 0; i < values.length; i++) exact.add(values[i]!, counts[i]!);
      out.exact = exact;
    } else if (s.kll && s.hll) {
      out.exact = null;
      out.kll = KllSketch.deserialize(s.kll);
      out.hll = HyperLogLog.deserialize(s.hll, out.options.hllP);
    } else {
      throw invalidParameter(`Corrupt profile of column '${s.name}'`);
    }
    return out;
  }

  private copyCounts(o: NumericProfile): void {
    this.count = o.count;
    this.nulls = o.nulls;
    this.posInf = o.posInf;
    this.negInf = o.negInf;
    this.moments = o.moments.clone();
    this.min = o.min;
    this.max = o.max;
  }

  private toSketches(): void {
    const { kll, hll } = sketchesOf(this.exact!, this.options, this.seed);
    this.kll = kll;
    this.hll = hll;
    this.exact = null;
  }
}

/** Profile of a string or boolean column (null is missing). */
export class CategoricalProfile {
  readonly kind = 'categorical';
  /** Rows seen, missing ones included. */
  count = 0;
  /** Missing values. */
  nulls = 0;
  private exact: Map<string, number> | null = new Map();
  private frequent: MisraGries | null = null;
  private hll: HyperLogLog | null = null;

  /** Use {@link createColumnProfile}. */
  constructor(
    readonly name: string,
    public dtype: 'string' | 'bool',
    public options: ResolvedProfileOptions,
    public seed: number,
  ) {}

  /** Number of non-missing values. */
  get valid(): number {
    return this.count - this.nulls;
  }

  /** True while the distribution is held as exact value counts. */
  get isExact(): boolean {
    return this.exact !== null;
  }

  /** Adds a batch of values. */
  update(values: readonly (string | null)[]): this {
    this.count += values.length;
    const limit = this.options.maxExactValues;
    let i = 0;
    const exact = this.exact;
    if (exact) {
      for (; i < values.length; i++) {
        const v = values[i];
        if (v === null || v === undefined) {
          this.nulls++;
          continue;
        }
        exact.set(v, (exact.get(v) ?? 0) + 1);
        if (exact.size > limit) {
          i++;
          this.toSketches();
          break;
        }
      }
      if (i === values.length) return this;
    }
    const frequent = this.frequent!;
    const hll = this.hll!;
    for (; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        this.nulls++;
        continue;
      }
      frequent.add(v);
      hll.addString(v);
    }
    return this;
  }

  /**
   * Adds `other`'s data (`other` is unchanged). Merging bool with string gives string.
   * @throws CapstanError INVALID_PARAMETER_VALUE when `other` is numeric or its sketches have
   *   another HyperLogLog precision.
   */
  merge(other: ColumnProfile): this {
    if (other.kind !== 'categorical') throw invalidParameter(`Cannot merge numeric and categorical profiles of column '${this.name}'`);
    const options = mergeOptions(this.options, other.options, this.name);
    if (other.dtype !== this.dtype) this.dtype = 'string';
    this.count += other.count;
    this.nulls += other.nulls;
    this.options = options;
    if (this.exact && other.exact) {
      const union = new Map(this.exact);
      for (const [v, c] of other.exact) union.set(v, (union.get(v) ?? 0) + c);
      this.exact = union;
      if (union.size > options.maxExactValues) this.toSketches();
    } else {
      const theirs = other.exact ? stringSketchesOf(other.exact, options) : { frequent: other.frequent!, hll: other.hll! };
      if (this.exact) this.toSketches();
      this.frequent!.merge(theirs.frequent);
      this.hll!.merge(theirs.hll);
    }
    this.seed = mixSeed(this.seed ^ other.seed, (this.seed + other.seed) | 0);
    return this;
  }

  /** A deep copy. */
  clone(): CategoricalProfile {
    const out = new CategoricalProfile(this.name, this.dtype, { ...this.options }, this.seed);
    out.count = this.count;
    out.nulls = this.nulls;
    out.exact = this.exact ? new Map(this.exact) : null;
    out.frequent = this.frequent ? this.frequent.clone() : null;
    out.hll = this.hll ? this.hll.clone() : null;
    return out;
  }

  /** Distinct non-missing values: exact under the cap, else the HyperLogLog estimate. */
  distinct(): { value: number; exact: boolean } {
    return this.exact ? { value: this.exact.size, exact: true } : { value: Math.round(this.hll!.estimate()), exact: false };
  }

  /** A HyperLogLog of the distinct values (a copy; built from the exact counts under the cap). */
  distinctSketch(): HyperLogLog {
    return this.exact ? hllOfStrings(this.exact.keys(), this.options.hllP) : this.hll!.clone();
  }

  /** Exact counts of the distinct values; null once past the cap. */
  valueCounts(): ReadonlyMap<string, number> | null {
    return this.exact;
  }

  /**
   * Counts the drift tests use: exact counts under the cap; past it the frequent items' lower
   * bounds, with `offset` the largest possible undercount of any value.
   */
  counts(): { counts: ReadonlyMap<string, number>; exact: boolean; offset: number } {
    if (this.exact) return { counts: this.exact, exact: true, offset: 0 };
    const counts = new Map<string, number>();
    for (const item of this.frequent!.items()) counts.set(item.value, item.lower);
    return { counts, exact: false, offset: this.frequent!.offset };
  }

  /** Most frequent values with bounds on their counts (exact counts under the cap). */
  frequentItems(limit = Infinity): FrequentItem[] {
    const items = this.exact
      ? [...this.exact].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([value, c]) => ({ value, lower: c, upper: c }))
      : this.frequent!.items();
    return items.slice(0, limit);
  }

  /** Plain-JSON state (see docs/streaming-profiles.md for the format). */
  serialize(): SerializedCategoricalProfile {
    const out: SerializedCategoricalProfile = {
      kind: 'categorical',
      name: this.name,
      dtype: this.dtype,
      options: { ...this.options },
      seed: this.seed,
      count: this.count,
      nulls: this.nulls,
    };
    if (this.exact) out.exact = [...this.exact].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    else {
      out.frequent = this.frequent!.serialize();
      out.hll = this.hll!.serialize();
    }
    return out;
  }

  /**
   * Rebuilds a profile from {@link serialize}'s output.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the state is malformed.
   */
  static deserialize(s: SerializedCategoricalProfile): CategoricalProfile {
    const out = new CategoricalProfile(s.name, s.dtype, resolveProfileOptions(s.options), s.seed | 0);
    out.count = s.count;
    out.nulls = s.nulls;
    if (s.exact) out.exact = new Map(s.exact);
    else if (s.frequent && s.hll) {
      out.exact = null;
      out.frequent = MisraGries.deserialize(s.frequent);
      out.hll = HyperLogLog.deserialize(s.hll, out.options.hllP);
    } else {
      throw invalidParameter(`Corrupt profile of column '${s.name}'`);
    }
    return out;
  }

  private toSketches(): void {
    const { frequent, hll } = stringSketchesOf(this.exact!, this.options);
    this.frequent = frequent;
    this.hll = hll;
    this.exact = null;
  }
}

/** A column's profile. */
export type ColumnProfile = NumericProfile | CategoricalProfile;

/** Column dtypes, as in the drift engine's `Column`. */
export type ColumnDtype = 'float' | 'int' | 'string' | 'bool';

/**
 * An empty profile for a column of the given dtype.
 * @param seed seed of the KLL coins; combined with a hash of the name.
 * @throws CapstanError INVALID_PARAMETER_VALUE when an option is out of range.
 */
export function createColumnProfile(name: string, dtype: ColumnDtype, options: ProfileOptions = {}): ColumnProfile {
  const resolved = resolveProfileOptions(options);
  const seed = mixSeed(hashString(name, SEED_HI), options.seed ?? 0) | 0;
  return dtype === 'float' || dtype === 'int' ? new NumericProfile(name, dtype, resolved, seed) : new CategoricalProfile(name, dtype, resolved, seed);
}

/**
 * Rebuilds a column profile from its serialized form.
 * @throws CapstanError INVALID_PARAMETER_VALUE when the state is malformed.
 */
export function deserializeColumnProfile(s: SerializedColumnProfile): ColumnProfile {
  if (s.kind === 'numeric') return NumericProfile.deserialize(s);
  if (s.kind === 'categorical') return CategoricalProfile.deserialize(s);
  throw invalidParameter(`Unknown column profile kind '${(s as { kind?: unknown }).kind}'`);
}

/** Serialized {@link NumericProfile}. Float arrays are little-endian float64 in base64. */
export interface SerializedNumericProfile {
  kind: 'numeric';
  name: string;
  dtype: 'float' | 'int';
  options: ResolvedProfileOptions;
  seed: number;
  count: number;
  nulls: number;
  posInf: number;
  negInf: number;
  /** `[n, mean, M2, M3, M4]`. */
  moments: string;
  min: number | null;
  max: number | null;
  exact?: { values: string; counts: string };
  kll?: SerializedKll;
  hll?: string;
}

/** Serialized {@link CategoricalProfile}. */
export interface SerializedCategoricalProfile {
  kind: 'categorical';
  name: string;
  dtype: 'string' | 'bool';
  options: ResolvedProfileOptions;
  seed: number;
  count: number;
  nulls: number;
  /** `[value, count]` pairs, by value. */
  exact?: [string, number][];
  frequent?: SerializedFrequent;
  hll?: string;
}

/** Serialized {@link ColumnProfile}. */
export type SerializedColumnProfile = SerializedNumericProfile | SerializedCategoricalProfile;

function mergeOptions(a: ResolvedProfileOptions, b: ResolvedProfileOptions, name: string): ResolvedProfileOptions {
  if (a.hllP !== b.hllP) throw invalidParameter(`Cannot merge profiles of column '${name}' with HyperLogLog precisions ${a.hllP} and ${b.hllP}`);
  return {
    kllK: Math.min(a.kllK, b.kllK),
    hllP: a.hllP,
    maxExactValues: Math.min(a.maxExactValues, b.maxExactValues),
    frequentItems: Math.min(a.frequentItems, b.frequentItems),
  };
}

function unionFits(a: NumberCounts, b: NumberCounts, limit: number): boolean {
  if (a.size > limit || b.size > limit) return false;
  let size = a.size;
  const { values } = b.sorted();
  for (let i = 0; i < values.length && size <= limit; i++) if (a.get(values[i]!) === 0) size++;
  return size <= limit;
}

function sketchesOf(exact: NumberCounts, options: ResolvedProfileOptions, seed: number): { kll: KllSketch; hll: HyperLogLog } {
  const { values, counts } = exact.sorted();
  return { kll: KllSketch.fromCounts(values, counts, options.kllK, seed), hll: hllOfValues(values, options.hllP) };
}

function hllOfValues(values: Float64Array, p: number): HyperLogLog {
  const hll = new HyperLogLog(p);
  for (let i = 0; i < values.length; i++) {
    F64[0] = values[i]!;
    hll.addWords(F64_WORDS[0]!, F64_WORDS[1]!);
  }
  return hll;
}

function stringSketchesOf(exact: ReadonlyMap<string, number>, options: ResolvedProfileOptions): { frequent: MisraGries; hll: HyperLogLog } {
  return { frequent: MisraGries.fromCounts(exact, options.frequentItems), hll: hllOfStrings(exact.keys(), options.hllP) };
}

function hllOfStrings(values: Iterable<string>, p: number): HyperLogLog {
  const hll = new HyperLogLog(p);
  for (const v of values) hll.addString(v);
  return hll;
}

/** Little-endian float64 array as base64. */
export function encodeF64(values: ArrayLike<number>): string {
  const view = new DataView(new ArrayBuffer(values.length * 8));
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return Buffer.from(view.buffer).toString('base64');
}

/**
 * Inverse of {@link encodeF64}.
 * @throws CapstanError INVALID_PARAMETER_VALUE when the length is not a multiple of 8 bytes.
 */
export function decodeF64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 8) throw invalidParameter('Corrupt float64 array in a profile');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
