/**
 * `TVD`: total variation distance ½·Σ|r − c| of value shares, with Evidently's permutation
 * p-value: 1000 reshuffles of the pooled values drawn from numpy's legacy stream seeded 0, p =
 * share of reshuffles whose distance is at least the observed one. Distances are compared in
 * exact integer arithmetic; Evidently compares floats summed in hash order, so a reshuffle whose
 * distance ties the observed one can count differently there (a difference of k/1000).
 * Costs 1000 passes over the data.
 */
import { Mt19937 } from '../mt19937.js';
import { countsOf, unionKeys } from '../sample.js';
import { CAT, pBelow } from './stattest.js';
import type { StatTest } from './stattest.js';

const ITERATIONS = 1000;

/** 2·n1·n2·TVD, an integer: Σ |a_k·n2 − b_k·n1|. */
function scaledTvd(a: Int32Array | Float64Array, b: Int32Array | Float64Array, n1: number, n2: number): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += Math.abs(a[k]! * n2 - b[k]! * n1);
  return s;
}

/** TVD test (categorical; drift when p < threshold, default 0.1). */
export const tvd: StatTest = {
  name: 'TVD',
  columnTypes: CAT,
  defaultThreshold: 0.1,
  drifted: pBelow,
  score({ reference, current }) {
    const keys = unionKeys(reference, current);
    const index = new Map(keys.map((k, i) => [k, i]));
    const n1 = reference.size;
    const n2 = current.size;
    const pooled = new Int32Array(n1 + n2);
    let i = 0;
    for (const v of reference.values) pooled[i++] = index.get(v)!;
    for (const v of current.values) pooled[i++] = index.get(v)!;
    const totals = new Float64Array(keys.length);
    for (const k of pooled) totals[k]!++;
    const refCounts = new Float64Array(keys.length);
    for (let j = 0; j < n1; j++) refCounts[pooled[j]!]!++;
    const observed = scaledTvd(refCounts, subtract(totals, refCounts), n1, n2);
    const rng = new Mt19937(0);
    const perm = new Int32Array(n1 + n2);
    const a = new Float64Array(keys.length);
    const b = new Float64Array(keys.length);
    let atLeast = 0;
    for (let it = 0; it < ITERATIONS; it++) {
      rng.permutation(perm);
      a.fill(0);
      for (let j = 0; j < n1; j++) a[pooled[perm[j]!]!]!++;
      for (let k = 0; k < keys.length; k++) b[k] = totals[k]! - a[k]!;
      if (observed <= scaledTvd(a, b, n1, n2)) atLeast++;
    }
    return atLeast / ITERATIONS;
  },
};

function subtract(x: Float64Array, y: Float64Array): Float64Array {
  return x.map((v, k) => v - y[k]!);
}
