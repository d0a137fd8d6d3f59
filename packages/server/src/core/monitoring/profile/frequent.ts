/**
 * Misra–Gries frequent items with k counters, mergeable as in Agarwal et al. ("Mergeable
 * summaries", 2012). For every item, `count ≤ true count ≤ count + offset`, and
 * `offset ≤ n/(k+1)` after any sequence of updates and merges: each decrement removes at least
 * k+1 units of weight, and there are only n of them. Every item with a true count above
 * n/(k+1) is therefore kept.
 */
import { invalidParameter } from '@capstan/api';

/** Default number of counters. */
export const FREQUENT_DEFAULT_K = 1024;

/** One frequent item with bounds on its true count. */
export interface FrequentItem {
  value: string;
  /** Lower bound (the counter). */
  lower: number;
  /** Upper bound (counter + offset). */
  upper: number;
}

/** Misra–Gries summary over strings. */
export class MisraGries {
  /** Total weight added. */
  n = 0;
  /** Largest possible undercount of any item (sum of all decrements). */
  offset = 0;
  private counters = new Map<string, number>();

  /**
   * @param k number of counters, at least 1.
   * @throws CapstanError INVALID_PARAMETER_VALUE when k is not a positive integer.
   */
  constructor(public k: number = FREQUENT_DEFAULT_K) {
    if (!Number.isInteger(k) || k < 1) throw invalidParameter(`Frequent items k must be a positive integer, got ${k}`);
  }

  /** A summary of exact counts (itself exact when there are at most k of them). */
  static fromCounts(counts: ReadonlyMap<string, number>, k: number): MisraGries {
    const out = new MisraGries(k);
    for (const [v, c] of counts) {
      out.counters.set(v, c);
      out.n += c;
    }
    out.reduce();
    return out;
  }

  /** Number of counters in use. */
  get size(): number {
    return this.counters.size;
  }

  /** Adds one occurrence of `value`. */
  add(value: string): void {
    this.n++;
    const c = this.counters.get(value);
    if (c !== undefined) {
      this.counters.set(value, c + 1);
      return;
    }
    if (this.counters.size < this.k) {
      this.counters.set(value, 1);
      return;
    }
    this.offset++;
    for (const [v, x] of this.counters) {
      if (x === 1) this.counters.delete(v);
      else this.counters.set(v, x - 1);
    }
  }

  /** Folds `other` in (`other` unchanged): counters add, then the (k+1)-th largest is subtracted. */
  merge(other: MisraGries): this {
    this.k = Math.min(this.k, other.k);
    for (const [v, c] of other.counters) this.counters.set(v, (this.counters.get(v) ?? 0) + c);
    this.n += other.n;
    this.offset += other.offset;
    this.reduce();
    return this;
  }

  /** A copy. */
  clone(): MisraGries {
    const out = new MisraGries(this.k);
    out.n = this.n;
    out.offset = this.offset;
    out.counters = new Map(this.counters);
    return out;
  }

  /** Lower bound on the count of `value`. */
  lower(value: string): number {
    return this.counters.get(value) ?? 0;
  }

  /** Kept items by decreasing count, ties by value (code unit order). */
  items(): FrequentItem[] {
    return [...this.counters].sort(byCountThenValue).map(([value, lower]) => ({ value, lower, upper: lower + this.offset }));
  }

  /** `[k, n, offset, [value, count]...]` in {@link items} order. */
  serialize(): SerializedFrequent {
    return { k: this.k, n: this.n, offset: this.offset, items: [...this.counters].sort(byCountThenValue) };
  }

  /**
   * Rebuilds a summary from {@link serialize}'s output.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the state is inconsistent.
   */
  static deserialize(s: SerializedFrequent): MisraGries {
    const out = new MisraGries(s.k);
    out.n = s.n;
    out.offset = s.offset;
    for (const [v, c] of s.items) out.counters.set(v, c);
    if (out.counters.size > out.k || s.items.some(([v, c]) => typeof v !== 'string' || !(c > 0))) throw invalidParameter('Corrupt frequent-items summary');
    return out;
  }

  private reduce(): void {
    if (this.counters.size <= this.k) return;
    const sorted = [...this.counters.values()].sort((a, b) => b - a);
    const cut = sorted[this.k]!;
    this.offset += cut;
    for (const [v, c] of this.counters) {
      if (c <= cut) this.counters.delete(v);
      else this.counters.set(v, c - cut);
    }
  }
}

/** Serialized {@link MisraGries}. */
export interface SerializedFrequent {
  k: number;
  n: number;
  offset: number;
  items: [string, number][];
}

function byCountThenValue(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}
