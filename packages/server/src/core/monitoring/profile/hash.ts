/**
 * 64-bit hashes of doubles and strings, as two 32-bit halves, for the distinct-count sketch.
 * Strings: MurmurHash3 x86_32 over the UTF-16 code units, one seed per half. Doubles: the first
 * half is a cheap full-avalanche mix of the two IEEE-754 words (the "lowbias32" finalizer of
 * C. Wellons' hash prospector), the second MurmurHash3 of the 8 bytes. Equal values hash equally
 * on every (little-endian) platform.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
/** Seed of the first 32-bit half. */
export const SEED_HI = 0x9747b28c;
/** Seed of the second 32-bit half. */
export const SEED_LO = 0x2b7e1516;

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** MurmurHash3 x86_32 of the 8 bytes of a double given as its low and high 32-bit words. */
export function hashWords(lo: number, hi: number, seed: number): number {
  return fmix(mixH(mixH(seed, lo), hi) ^ 8);
}

/** First hash half of a double given as its low and high 32-bit words. */
export function hashDouble(lo: number, hi: number): number {
  let x = lo ^ Math.imul(hi ^ (hi >>> 16), 0x9e3779b1);
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** MurmurHash3 x86_32 of a string's UTF-16 code units (two units per 32-bit block). */
export function hashString(s: string, seed: number): number {
  let h = seed | 0;
  const n = s.length;
  const end = n & ~1;
  for (let i = 0; i < end; i += 2) h = mixH(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (n & 1) h ^= mixK(s.charCodeAt(n - 1));
  return fmix(h ^ (n * 2));
}

/** A 32-bit integer hash of two integers, for deriving sketch seeds. */
export function mixSeed(a: number, b: number): number {
  return hashWords(a | 0, b | 0, 0x5bd1e995);
}
