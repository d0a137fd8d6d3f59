/**
 * Exact value counts kept while a column has few distinct values. Numbers live in an
 * open-addressing table of typed arrays (hashing the double's bits), which is several times
 * faster than a `Map` on the update path; strings use a `Map`.
 */

/** Counts of distinct finite doubles (−0 counts as 0). The table doubles when half full. */
export class NumberCounts {
  private keys = new Float64Array(16);
  private counts = new Float64Array(16);
  private mask = 15;
  /** Number of distinct values. */
  size = 0;
  private readonly scratch = new Float64Array(1);
  private readonly words = new Uint32Array(this.scratch.buffer);

  /** Adds `count` occurrences of `x` (finite, not −0) whose IEEE words are `lo`, `hi`. */
  addWords(x: number, lo: number, hi: number, count: number): void {
    let i = slotOf(lo, hi) & this.mask;
    const keys = this.keys;
    const counts = this.counts;
    for (;;) {
      const c = counts[i]!;
      if (c === 0) {
        keys[i] = x;
        counts[i] = count;
        if (++this.size * 2 > this.mask) this.grow();
        return;
      }
      if (keys[i] === x) {
        counts[i] = c + count;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Adds `count` occurrences of the finite number `x`. */
  add(x: number, count = 1): void {
    this.scratch[0] = x + 0;
    this.addWords(x + 0, this.words[0]!, this.words[1]!, count);
  }

  /** Count of `x` (0 when absent). */
  get(x: number): number {
    this.scratch[0] = x + 0;
    let i = slotOf(this.words[0]!, this.words[1]!) & this.mask;
    for (;;) {
      const c = this.counts[i]!;
      if (c === 0) return 0;
      if (this.keys[i] === x) return c;
      i = (i + 1) & this.mask;
    }
  }

  /** Distinct values in ascending order and their counts. */
  sorted(): { values: Float64Array; counts: Float64Array } {
    const values = new Float64Array(this.size);
    let j = 0;
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]! > 0) values[j++] = this.keys[i]!;
    values.sort();
    const counts = new Float64Array(this.size);
    for (let i = 0; i < values.length; i++) counts[i] = this.get(values[i]!);
    return { values, counts };
  }

  /** A copy. */
  clone(): NumberCounts {
    const out = new NumberCounts();
    out.keys = this.keys.slice();
    out.counts = this.counts.slice();
    out.mask = this.mask;
    out.size = this.size;
    return out;
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    this.keys = new Float64Array(keys.length * 2);
    this.counts = new Float64Array(keys.length * 2);
    this.mask = keys.length * 2 - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (counts[i]! > 0) this.add(keys[i]!, counts[i]!);
  }
}

function slotOf(lo: number, hi: number): number {
  let h = lo ^ Math.imul(hi, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
