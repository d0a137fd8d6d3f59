/**
 * Rebuilds the arrays of tests/golden/drift-golden.json from their specs, with the same
 * counter-based PRNG as tests/golden/generate.py. Only integer operations and correctly rounded
 * +, −, ×, ÷, √ and floor are used, so the bits match numpy's.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Column } from '../../src/core/monitoring/drift/types.js';

/** How to rebuild one array. */
export interface DataSpec {
  values?: (number | string | null)[];
  labels?: (string | null)[];
  dist?: 'modseq' | 'constant' | 'normal' | 'uniform' | 'pareto' | 'int' | 'categorical';
  seed?: number;
  n?: number;
  loc?: number;
  scale?: number;
  round?: number;
  nan_every?: number;
  inf_every?: number;
  keep_every?: number;
  null_every?: number;
  weights?: number[];
  start?: number;
  a?: number;
  m?: number;
  div?: number;
  mul?: number;
  add?: number;
}

/** A column of a golden report. */
export interface GoldenColumn {
  dtype: 'float' | 'int' | 'string' | 'bool';
  data: DataSpec;
}

function h32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** `count` doubles in [0, 1), as generate.py's `uniforms`. */
export function uniforms(seed: number, count: number): Float64Array {
  const base = h32((seed ^ 0x9e3779b9) >>> 0);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const hi = h32((h32(2 * i) ^ base) >>> 0) >>> 5;
    const lo = h32((h32(2 * i + 1) ^ base) >>> 0) >>> 6;
    out[i] = (hi * 67108864 + lo) / 9007199254740992;
  }
  return out;
}

function decodeNumber(v: number | string | null): number {
  if (v === null || v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return Number(v);
}

/** Rebuilds a numeric array (NaN for missing). */
export function numbers(spec: DataSpec): Float64Array {
  if (spec.values) return Float64Array.from(spec.values, decodeNumber);
  const n = spec.n!;
  const loc = spec.loc ?? 0;
  const scale = spec.scale ?? 1;
  const x = new Float64Array(n);
  switch (spec.dist) {
    case 'modseq': {
      const start = spec.start ?? 0;
      for (let i = 0; i < n; i++) x[i] = (((start + i) * spec.a!) % spec.m!) / spec.div! * (spec.mul ?? 1) + (spec.add ?? 0);
      break;
    }
    case 'constant':
      x.fill(loc);
      break;
    case 'normal': {
      const u = uniforms(spec.seed!, 4 * n);
      const s3 = Math.sqrt(3);
      for (let i = 0; i < n; i++) x[i] = loc + scale * ((u[4 * i]! + u[4 * i + 1]! + u[4 * i + 2]! + u[4 * i + 3]! - 2) * s3);
      break;
    }
    case 'uniform': {
      const u = uniforms(spec.seed!, n);
      for (let i = 0; i < n; i++) x[i] = loc + scale * u[i]!;
      break;
    }
    case 'pareto': {
      const u = uniforms(spec.seed!, n);
      for (let i = 0; i < n; i++) x[i] = loc + scale * (1 / (1 - u[i]!) - 1);
      break;
    }
    case 'int': {
      const u = uniforms(spec.seed!, n);
      for (let i = 0; i < n; i++) x[i] = loc + Math.floor(u[i]! * scale);
      break;
    }
    default:
      throw new Error(`not a numeric spec: ${spec.dist}`);
  }
  if (spec.round !== undefined) {
    const p = 10 ** spec.round;
    for (let i = 0; i < n; i++) x[i] = Math.floor(x[i]! * p + 0.5) / p;
  }
  for (let i = 0; i < n; i++) {
    const k = spec.inf_every;
    if (k && i % k === k - 1) x[i] = Math.floor(i / k) % 2 === 0 ? Infinity : -Infinity;
    if (spec.nan_every && i % spec.nan_every === spec.nan_every - 1) x[i] = NaN;
    if (spec.keep_every && i % spec.keep_every !== 0) x[i] = NaN;
  }
  return x;
}

/** Rebuilds a label array (null for missing). */
export function labels(spec: DataSpec): (string | null)[] {
  if (spec.labels && spec.dist === undefined) return spec.labels;
  const weights = spec.weights!;
  let total = 0;
  for (const w of weights) total += w;
  const cum: number[] = [];
  let acc = 0;
  for (const w of weights) {
    acc += w;
    cum.push(acc / total);
  }
  const u = uniforms(spec.seed!, spec.n!);
  const out: (string | null)[] = [];
  for (let i = 0; i < spec.n!; i++) {
    let k = 0;
    while (k < cum.length && cum[k]! <= u[i]!) k++;
    out.push(spec.null_every && i % spec.null_every === spec.null_every - 1 ? null : spec.labels![k]!);
  }
  return out;
}

/** A drift-engine column from a golden column. */
export function column(name: string, dtype: GoldenColumn['dtype'], data: DataSpec): Column {
  if (dtype === 'float' || dtype === 'int') return { name, dtype, values: numbers(data) };
  return { name, dtype, values: labels(data) };
}

/** The committed golden file. */
export const COMMITTED_GOLDEN = fileURLToPath(new URL('../../../../tests/golden/drift-golden.json', import.meta.url));

/**
 * Where the goldens are read from: `CAPSTAN_DRIFT_GOLDEN` when set (CI regenerates them with
 * scipy and Evidently before the tests and points here), else the committed file.
 */
export const GOLDEN_PATH = process.env.CAPSTAN_DRIFT_GOLDEN || COMMITTED_GOLDEN;

/** The parsed golden file ({@link GOLDEN_PATH} unless another path is given). */
export function loadGolden<T>(path = GOLDEN_PATH): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
