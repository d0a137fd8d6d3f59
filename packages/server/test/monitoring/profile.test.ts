/**
 * Streaming profiles: sketches against exact answers, merge algebra, serialization and size.
 * The bounds tested here are the ones documented in docs/streaming-profiles.md.
 */
import { describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import type { Column } from '../../src/core/monitoring/drift/types.js';
import {
  CategoricalProfile,
  createColumnProfile,
  DatasetProfile,
  deserializeColumnProfile,
  hllRelativeError,
  HyperLogLog,
  KllSketch,
  kllRankError,
  MisraGries,
  Moments,
  NumericProfile,
  TimeBucketedProfiles,
} from '../../src/core/monitoring/profile/index.js';
import type { ColumnProfile } from '../../src/core/monitoring/profile/index.js';

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normals(seed: number, n: number, mu = 0, sd = 1): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mu + sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return out;
}

/** Draws from a Zipf(s) law over `m` labels by inverse CDF. */
function zipfLabels(seed: number, n: number, m: number, s = 1.1): string[] {
  const cum = new Float64Array(m);
  let acc = 0;
  for (let i = 0; i < m; i++) cum[i] = acc += 1 / (i + 1) ** s;
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = r() * acc;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out.push(`item-${lo}`);
  }
  return out;
}

function concat(...parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Largest |estimated − true| / n of the sketch's CDF over all its retained values. */
function maxRankError(view: { values: Float64Array; cumulative: Float64Array }, sorted: Float64Array): number {
  const n = sorted.length;
  let worst = 0;
  for (let i = 0; i < view.values.length; i++) {
    const x = view.values[i]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    worst = Math.max(worst, Math.abs(view.cumulative[i]! - lo) / n);
  }
  return worst;
}

function numeric(values: Float64Array, options = {}, name = 'x', dtype: 'float' | 'int' = 'float'): NumericProfile {
  const p = createColumnProfile(name, dtype, options) as NumericProfile;
  for (let i = 0; i < values.length; i += 10_000) p.update(values.subarray(i, i + 10_000));
  return p;
}

function categorical(values: (string | null)[], options = {}, name = 'c'): CategoricalProfile {
  return (createColumnProfile(name, 'string', options) as CategoricalProfile).update(values);
}

function merged(...parts: ColumnProfile[]): ColumnProfile {
  const out = parts[0]!.clone();
  for (const p of parts.slice(1)) out.merge(p);
  return out;
}

function expectInvalid(fn: () => unknown, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isCapstanError(thrown), String(thrown)).toBe(true);
  if (!isCapstanError(thrown)) return;
  expect(thrown.code).toBe('INVALID_PARAMETER_VALUE');
  if (message) expect(thrown.message).toMatch(message);
}

function expectClose(a: number, b: number, rel = 1e-12): void {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.max(Math.abs(a), Math.abs(b), 1e-300));
}

function expectMomentsClose(a: Moments, b: Moments): void {
  expect(a.n).toBe(b.n);
  expectClose(a.mean, b.mean, 1e-12);
  expectClose(a.m2, b.m2, 1e-12);
  expect(Math.abs(a.m3 - b.m3)).toBeLessThanOrEqual(1e-10 * b.m2 ** 1.5 + 1e-300);
  expectClose(a.m4, b.m4, 1e-10);
}

describe('Moments', () => {
  const x = normals(1, 100_000, 3, 2);

  it('match a two-pass computation (mean, variance, skewness, kurtosis)', () => {
    const m = new Moments();
    for (let i = 0; i < x.length; i += 777) m.addBatch(x, i, Math.min(x.length, i + 777));
    let mean = 0;
    for (const v of x) mean += v;
    mean /= x.length;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    for (const v of x) {
      const d = v - mean;
      s2 += d * d;
      s3 += d * d * d;
      s4 += d * d * d * d;
    }
    expectClose(m.mean, mean, 1e-13);
    expectClose(m.m2, s2, 1e-12);
    expectClose(m.m3, s3, 1e-9);
    expectClose(m.m4, s4, 1e-11);
    expectClose(m.std(), Math.sqrt(s2 / x.length), 1e-12);
    expectClose(m.skewness(), (Math.sqrt(x.length) * s3) / s2 ** 1.5, 1e-9);
    expectClose(m.kurtosis(), (x.length * s4) / (s2 * s2) - 3, 1e-9);
  });

  it('merge commutatively, bit for bit, and associatively up to rounding', () => {
    const parts = [x.subarray(0, 1000), x.subarray(1000, 50_000), x.subarray(50_000)].map((p) => {
      const m = new Moments();
      m.addBatch(p);
      return m;
    });
    const [a, b, c] = parts as [Moments, Moments, Moments];
    expect(a.clone().merge(b).toArray()).toEqual(b.clone().merge(a).toArray());
    expectMomentsClose(a.clone().merge(b).merge(c), a.clone().merge(b.clone().merge(c)));
    const whole = new Moments();
    whole.addBatch(x);
    expectMomentsClose(a.clone().merge(b).merge(c), whole);
  });
});

describe('KLL sketch: rank error within ε = 2.296/k^0.9723', () => {
  const n = 1_000_000;
  const r = rng(7);
  const distributions: [string, () => Float64Array][] = [
    ['normal', () => normals(11, n)],
    ['uniform', () => Float64Array.from({ length: n }, r)],
    ['lognormal', () => normals(12, n).map(Math.exp)],
    ['Cauchy (heavy tails)', () => Float64Array.from({ length: n }, () => Math.tan(Math.PI * (r() - 0.5)))],
    ['sorted input', () => Float64Array.from({ length: n }, (_, i) => i)],
    ['reverse-sorted input', () => Float64Array.from({ length: n }, (_, i) => n - i)],
    ['ties: 2000 distinct values', () => normals(13, n).map((v) => Math.round(v * 300))],
    ['bimodal', () => normals(14, n).map((v, i) => (i % 3 ? v : v * 0.1 + 8))],
  ];
  it.each(distributions)('%s, n = 1e6, k = 200', (_name, make) => {
    const data = make();
    const sketch = new KllSketch(200, 42);
    for (let i = 0; i < n; i += 4096) sketch.updateMany(data, i, Math.min(n, i + 4096));
    expect(sketch.n).toBe(n);
    expect(sketch.retainedItems).toBeLessThan(3 * 200 + 200);
    expect(maxRankError(sketch.sortedView(), data.slice().sort())).toBeLessThanOrEqual(kllRankError(200));
  });

  it('k = 1024 (ε = 0.27%) and k = 64 (ε = 4.0%)', () => {
    const data = normals(15, n);
    const sorted = data.slice().sort();
    for (const k of [1024, 64]) {
      const sketch = new KllSketch(k, 1);
      sketch.updateMany(data);
      expect(maxRankError(sketch.sortedView(), sorted)).toBeLessThanOrEqual(kllRankError(k));
    }
  });

  it('merged from 100 bucket sketches of 10,000 values', () => {
    const data = normals(16, n, 5, 3);
    const merged = new KllSketch(200, 0);
    for (let b = 0; b < 100; b++) {
      const bucket = new KllSketch(200, b);
      bucket.updateMany(data, b * 10_000, (b + 1) * 10_000);
      merged.merge(bucket);
    }
    expect(merged.n).toBe(n);
    expect(maxRankError(merged.sortedView(), data.slice().sort())).toBeLessThanOrEqual(kllRankError(200));
  });

  it('is exact while nothing is compacted (n ≤ k), and keeps exact extremes', () => {
    const data = normals(17, 200);
    const sketch = new KllSketch(200, 0);
    sketch.updateMany(data);
    const sorted = data.slice().sort();
    expect(maxRankError(sketch.sortedView(), sorted)).toBe(0);
    expect(sketch.quantile(0.5)).toBe(sorted[99]);
    sketch.updateMany(normals(18, 100_000));
    expect(sketch.quantile(0)).toBe(Math.min(sorted[0]!, ...normals(18, 100_000)));
    expect(sketch.rank(Infinity)).toBe(100_200);
  });

  it('is reproducible: same updates, same sketch', () => {
    const data = normals(18, 200_000);
    const a = new KllSketch(200, 9);
    const b = new KllSketch(200, 9);
    a.updateMany(data);
    b.updateMany(data);
    expect(a.serialize()).toEqual(b.serialize());
  });
});

describe('HyperLogLog: error within 3σ, σ = 1.04/√4096 = 1.63%', () => {
  const sigma = hllRelativeError(12);
  it.each([100, 1000, 10_000, 100_000, 1_000_000])('%i distinct doubles', (n) => {
    const p = numeric(Float64Array.from({ length: n }, (_, i) => i * 0.37 + 1), { maxExactValues: 0 });
    const est = p.distinct();
    expect(est.exact).toBe(false);
    expect(Math.abs(est.value / n - 1)).toBeLessThanOrEqual(3 * sigma);
  });

  it.each([1000, 100_000])('%i distinct strings', (n) => {
    const p = categorical(Array.from({ length: n }, (_, i) => `user-${i}@example.com`), { maxExactValues: 0 });
    expect(Math.abs(p.distinct().value / n - 1)).toBeLessThanOrEqual(3 * sigma);
  });

  it('round-trips dense and sparse encodings; rejects a precision mismatch', () => {
    const small = new HyperLogLog(12);
    small.addString('a');
    small.addString('b');
    expect(small.serialize()[0]).toBe('s');
    expect(HyperLogLog.deserialize(small.serialize(), 12).registers).toEqual(small.registers);
    const big = numeric(normals(2, 100_000), { maxExactValues: 0 }).distinctSketch();
    expect(big.serialize()[0]).toBe('d');
    expect(HyperLogLog.deserialize(big.serialize(), 12).registers).toEqual(big.registers);
    expectInvalid(() => new HyperLogLog(12).merge(new HyperLogLog(10)), /precision/);
    expectInvalid(() => HyperLogLog.deserialize('dAAAA', 12), /Corrupt/);
  });
});

describe('Misra–Gries frequent items: count ≤ true ≤ count + offset, offset ≤ n/(k+1)', () => {
  const n = 200_000;
  const stream = zipfLabels(3, n, 50_000);
  const truth = new Map<string, number>();
  for (const v of stream) truth.set(v, (truth.get(v) ?? 0) + 1);

  function check(fi: MisraGries, k: number): void {
    expect(fi.n).toBe(n);
    expect(fi.offset).toBeLessThanOrEqual(n / (k + 1));
    const kept = new Map(fi.items().map((i) => [i.value, i]));
    expect(kept.size).toBeLessThanOrEqual(k);
    for (const [value, count] of truth) {
      const item = kept.get(value);
      if (count > n / (k + 1)) expect(item, `${value} (${count}) must be kept`).toBeDefined();
      const lower = item?.lower ?? 0;
      expect(lower).toBeLessThanOrEqual(count);
      expect(count).toBeLessThanOrEqual(lower + fi.offset);
    }
  }

  it.each([16, 1024])('one stream, k = %i', (k) => {
    const fi = new MisraGries(k);
    for (const v of stream) fi.add(v);
    check(fi, k);
  });

  it.each([16, 1024])('merged from 8 streams, k = %i', (k) => {
    const fi = new MisraGries(k);
    for (let part = 0; part < 8; part++) {
      const piece = new MisraGries(k);
      for (let i = part * (n / 8); i < (part + 1) * (n / 8); i++) piece.add(stream[i]!);
      fi.merge(piece);
    }
    check(fi, k);
  });

  it('is exact in a profile under the cap, and a profile past the cap keeps the guarantee', () => {
    const few = categorical(stream.slice(0, 5000).map((v) => (v.length > 7 ? 'rare' : v)));
    expect(few.isExact).toBe(true);
    const top = few.frequentItems(1)[0]!;
    expect(top.lower).toBe(top.upper);
    const many = categorical(stream);
    expect(many.isExact).toBe(false);
    for (const item of many.frequentItems()) {
      expect(item.lower).toBeLessThanOrEqual(truth.get(item.value)!);
      expect(truth.get(item.value)!).toBeLessThanOrEqual(item.upper);
      expect(item.upper - item.lower).toBeLessThanOrEqual(n / 1025);
    }
  });
});

describe('ColumnProfile: merge of parts = profile of the concatenation', () => {
  const specials = Float64Array.from([NaN, Infinity, -Infinity, NaN, -0, 0]);

  it('numeric under the cap: counts, extremes and value counts exactly; moments to 1e-12', () => {
    const parts = [1, 2, 3].map((s) => concat(normals(s, 20_000).map((v) => Math.round(v * 40) / 4), specials));
    const whole = numeric(concat(...parts));
    const sum = merged(...parts.map((p) => numeric(p))) as NumericProfile;
    expect(whole.isExact && sum.isExact).toBe(true);
    for (const key of ['count', 'nulls', 'posInf', 'negInf', 'min', 'max'] as const) expect(sum[key]).toBe(whole[key]);
    expect(sum.nulls).toBe(6);
    expect(sum.valueCounts()).toEqual(whole.valueCounts());
    expect(sum.serialize().exact).toEqual(whole.serialize().exact);
    expectMomentsClose(sum.moments, whole.moments);
  });

  it('numeric past the cap: counts and HyperLogLog registers exactly; KLL within ε', () => {
    const parts = [4, 5, 6].map((s, i) => concat(normals(s, 150_000, i, 1 + i), specials));
    const all = concat(...parts);
    const whole = numeric(all);
    const sum = merged(...parts.map((p) => numeric(p))) as NumericProfile;
    expect(whole.isExact || sum.isExact).toBe(false);
    for (const key of ['count', 'nulls', 'posInf', 'negInf', 'min', 'max'] as const) expect(sum[key]).toBe(whole[key]);
    expect(sum.distinctSketch().registers).toEqual(whole.distinctSketch().registers);
    expectMomentsClose(sum.moments, whole.moments);
    const finite = all.filter(Number.isFinite).sort();
    expect(maxRankError(sum.sortedView(), finite)).toBeLessThanOrEqual(kllRankError(200));
    expect(maxRankError(whole.sortedView(), finite)).toBeLessThanOrEqual(kllRankError(200));
  });

  it('numeric parts under the cap whose union is past it switch to sketches, like the concatenation', () => {
    const a = Float64Array.from({ length: 5000 }, (_, i) => i % 600);
    const b = Float64Array.from({ length: 5000 }, (_, i) => 500 + (i % 600));
    const sum = merged(numeric(a), numeric(b)) as NumericProfile;
    const whole = numeric(concat(a, b));
    expect(sum.isExact).toBe(false);
    expect(whole.isExact).toBe(false);
    expect(sum.distinctSketch().registers).toEqual(whole.distinctSketch().registers);
    expect(sum.distinct().value).toBeGreaterThan(1050);
    expect(maxRankError(sum.sortedView(), concat(a, b).sort())).toBeLessThanOrEqual(kllRankError(200));
  });

  it('categorical under and past the cap: value counts / registers exactly', () => {
    const labels = zipfLabels(8, 30_000, 400);
    const withNulls = labels.map((v, i) => (i % 97 === 0 ? null : v));
    const parts = [withNulls.slice(0, 7000), withNulls.slice(7000, 20_000), withNulls.slice(20_000)];
    const whole = categorical(withNulls);
    const sum = merged(...parts.map((p) => categorical(p))) as CategoricalProfile;
    expect(sum.isExact).toBe(true);
    expect(sum.count).toBe(whole.count);
    expect(sum.nulls).toBe(whole.nulls);
    expect(new Map(sum.valueCounts())).toEqual(new Map(whole.valueCounts()));

    const wide = zipfLabels(9, 60_000, 20_000);
    const wideParts = [wide.slice(0, 20_000), wide.slice(20_000)];
    const wideWhole = categorical(wide);
    const wideSum = merged(...wideParts.map((p) => categorical(p))) as CategoricalProfile;
    expect(wideSum.isExact).toBe(false);
    expect(wideSum.distinctSketch().registers).toEqual(wideWhole.distinctSketch().registers);
  });

  it('int and float merge to float; bool and string to string; numeric and categorical do not merge', () => {
    const i = numeric(Float64Array.of(1, 2), {}, 'x', 'int');
    expect(i.clone().merge(numeric(Float64Array.of(0.5))).dtype).toBe('float');
    const b = (createColumnProfile('c', 'bool') as CategoricalProfile).update(['true', 'false']);
    expect(b.clone().merge(categorical(['x'])).dtype).toBe('string');
    expectInvalid(() => i.merge(b), /numeric and categorical/);
    expectInvalid(() => b.merge(i), /numeric and categorical/);
    expectInvalid(() => numeric(Float64Array.of(1), { hllP: 10 }).merge(numeric(Float64Array.of(2))), /precisions/);
  });
});

describe('merge algebra', () => {
  const cases: [string, () => ColumnProfile[]][] = [
    ['numeric, exact + exact', () => [1, 2, 3].map((s) => numeric(normals(s, 3000).map((v) => Math.round(v * 10))))],
    ['numeric, exact + sketched', () => [numeric(Float64Array.from({ length: 3000 }, (_, i) => i % 50)), numeric(normals(2, 50_000)), numeric(normals(3, 20_000, 1))]],
    ['numeric, sketched + sketched', () => [4, 5, 6].map((s) => numeric(normals(s, 80_000, s)))],
    ['categorical, exact + sketched', () => [categorical(zipfLabels(1, 5000, 30)), categorical(zipfLabels(2, 40_000, 9000)), categorical(zipfLabels(3, 3000, 50))]],
  ];

  it.each(cases)('%s: commutative bit for bit', (_name, make) => {
    const [a, b] = make() as [ColumnProfile, ColumnProfile];
    expect(a.clone().merge(b).serialize()).toEqual(b.clone().merge(a).serialize());
  });

  it.each(cases)('%s: associative (counts, extremes, registers exactly; moments to 1e-12; KLL within ε)', (_name, make) => {
    const [a, b, c] = make() as [ColumnProfile, ColumnProfile, ColumnProfile];
    const left = a.clone().merge(b).merge(c);
    const right = a.clone().merge(b.clone().merge(c));
    expect(left.count).toBe(right.count);
    expect(left.nulls).toBe(right.nulls);
    expect(left.isExact).toBe(right.isExact);
    expect(left.distinctSketch().registers).toEqual(right.distinctSketch().registers);
    if (left.kind === 'numeric' && right.kind === 'numeric') {
      expect(left.min).toBe(right.min);
      expect(left.max).toBe(right.max);
      expectMomentsClose(left.moments, right.moments);
      if (left.isExact) expect(left.valueCounts()).toEqual(right.valueCounts());
      for (const q of [0.01, 0.1, 0.5, 0.9, 0.99]) {
        const x = left.quantile(q);
        expect(Math.abs(rankOf(right, x) - rankOf(left, x)) / left.valid).toBeLessThanOrEqual(2 * kllRankError(200));
      }
    } else if (left.kind === 'categorical' && right.kind === 'categorical') {
      expect(new Map(left.valueCounts() ?? [])).toEqual(new Map(right.valueCounts() ?? []));
    }
  });
});

function rankOf(p: NumericProfile, x: number): number {
  const { values, cumulative } = p.sortedView();
  let i = 0;
  while (i < values.length && values[i]! <= x) i++;
  return i === 0 ? 0 : cumulative[i - 1]!;
}

describe('serialization', () => {
  const profiles: [string, () => ColumnProfile][] = [
    ['empty numeric', () => createColumnProfile('e', 'float')],
    ['empty categorical', () => createColumnProfile('e', 'bool')],
    ['numeric, exact, with NaN and ±∞', () => numeric(concat(Float64Array.of(NaN, Infinity, -Infinity, -0), normals(1, 5000).map(Math.round)))],
    ['numeric, sketched', () => numeric(normals(2, 300_000))],
    ['int, sketched with k = 1024', () => numeric(normals(3, 100_000).map((v) => Math.round(v * 1000)), { kllK: 1024 }, 'i', 'int')],
    ['categorical, exact', () => categorical(['a', null, 'b', 'a', 'é', ''])],
    ['categorical, sketched', () => categorical(zipfLabels(4, 50_000, 10_000))],
  ];

  it.each(profiles)('%s: round trip through JSON', (_name, make) => {
    const p = make();
    const json = JSON.parse(JSON.stringify(p.serialize()));
    const back = deserializeColumnProfile(json);
    expect(back.serialize()).toEqual(p.serialize());
    expect(back.count).toBe(p.count);
    expect(back.distinct()).toEqual(p.distinct());
  });

  it('a restored profile continues exactly like the original (coin state included)', () => {
    const p = numeric(normals(5, 200_000));
    const back = deserializeColumnProfile(JSON.parse(JSON.stringify(p.serialize()))) as NumericProfile;
    const more = normals(6, 300_000);
    p.update(more);
    back.update(more);
    expect(back.serialize()).toEqual(p.serialize());
  });

  it('dataset and time-bucketed profiles round trip; a bad version or state is rejected', () => {
    const d = DatasetProfile.of([
      { name: 'x', dtype: 'float', values: normals(7, 10_000) },
      { name: 'c', dtype: 'string', values: zipfLabels(5, 10_000, 20) },
    ]);
    expect(DatasetProfile.deserialize(JSON.parse(JSON.stringify(d.serialize()))).serialize()).toEqual(d.serialize());
    const t = new TimeBucketedProfiles({ bucketMs: 60_000 });
    t.add(0, [{ name: 'x', dtype: 'float', values: normals(8, 100) }]).add(61_000, [{ name: 'x', dtype: 'float', values: normals(9, 100) }]);
    expect(TimeBucketedProfiles.deserialize(JSON.parse(JSON.stringify(t.serialize()))).serialize()).toEqual(t.serialize());
    expectInvalid(() => DatasetProfile.deserialize({ ...d.serialize(), version: 99 }), /version/);
    const bad = structuredClone(d.serialize());
    const x = bad.columns.find((c) => c.name === 'x')!;
    if (x.kind === 'numeric') delete x.kll;
    expectInvalid(() => DatasetProfile.deserialize(bad), /Corrupt/);
  });
});

describe('serialized size does not grow with the rows', () => {
  const bytes = (p: ColumnProfile) => JSON.stringify(p.serialize()).length;
  it('float column: 1e3 and 1e6 rows both ≤ 24 KiB (k = 200, p = 12, cap 1000)', () => {
    const sizes = [1e3, 1e5, 1e6].map((n) => bytes(numeric(normals(1, n))));
    for (const s of sizes) expect(s).toBeLessThanOrEqual(24 * 1024);
    expect(Math.abs(sizes[2]! - sizes[1]!) / sizes[1]!).toBeLessThan(0.2);
  });

  it('low-cardinality int column: 1e3 and 1e6 rows serialize to the same size, but for digits of counts', () => {
    const make = (n: number) => numeric(Float64Array.from({ length: n }, (_, i) => (i * 7) % 13), {}, 'i', 'int');
    expect(Math.abs(bytes(make(1e6)) - bytes(make(1e3)))).toBeLessThanOrEqual(8);
  });

  it('string column with 20,000 labels: 1e4 and 1e6 rows ≤ 4 KiB (HLL) + k labels', () => {
    const make = (n: number) => categorical(Array.from({ length: n }, (_, i) => `label-${(i * 7919) % 20_000}`));
    const bound = 4096 * 1.4 + 1024 * (12 + 14) + 1024;
    expect(bytes(make(1e4))).toBeLessThanOrEqual(bound);
    expect(bytes(make(1e6))).toBeLessThanOrEqual(bound);
  });
});

describe('DatasetProfile and TimeBucketedProfiles', () => {
  const batch = (seed: number, n: number): Column[] => [
    { name: 'x', dtype: 'float', values: normals(seed, n) },
    { name: 'k', dtype: 'int', values: Float64Array.from({ length: n }, (_, i) => (i + seed) % 7) },
    { name: 'c', dtype: 'string', values: zipfLabels(seed, n, 30) },
  ];

  it('checks batches', () => {
    const d = new DatasetProfile();
    expectInvalid(() => d.update([{ name: 'x', dtype: 'float', values: new Float64Array(2) }, { name: 'y', dtype: 'float', values: new Float64Array(3) }]), /3 values, expected 2/);
    expectInvalid(() => d.update([{ name: 'x', dtype: 'float', values: new Float64Array(2) }, { name: 'x', dtype: 'float', values: new Float64Array(2) }]), /twice/);
    d.update([{ name: 'x', dtype: 'float', values: new Float64Array(2) }]);
    expectInvalid(() => d.update([{ name: 'x', dtype: 'string', values: ['a', 'b'] }]), /numeric in the profile/);
    expectInvalid(() => new DatasetProfile({ kllK: 3 }), /KLL k \(kllK\)/);
    expectInvalid(() => new DatasetProfile({ maxExactValues: -1 }), /maxExactValues/);
  });

  it('window(from, to) merges the buckets overlapping [from, to), widened to whole buckets', () => {
    const hour = 3_600_000;
    const t = new TimeBucketedProfiles();
    const rowsAt: [number, number][] = [
      [0, 100],
      [hour - 1, 50],
      [hour, 70],
      [2 * hour + 5, 30],
      [5 * hour, 10],
      [-1, 5],
    ];
    rowsAt.forEach(([ts, n], i) => t.add(ts, batch(i + 1, n)));
    expect(t.starts()).toEqual([-hour, 0, hour, 2 * hour, 5 * hour]);
    expect(t.window(0, hour).rows).toBe(150);
    expect(t.window(30 * 60_000, hour + 1).rows).toBe(220);
    expect(t.window(-Infinity, Infinity).rows).toBe(265);
    expect(t.window(3 * hour, 5 * hour).rows).toBe(0);
    const w = t.window(0, 3 * hour);
    const expected = new DatasetProfile();
    for (const start of [0, hour, 2 * hour]) expected.merge(t.get(start)!);
    expect(w.serialize()).toEqual(expected.serialize());
    expect(w.columns.get('x')!.count).toBe(250);
    expect(t.prune(hour)).toBe(2);
    expect(t.starts()).toEqual([hour, 2 * hour, 5 * hour]);
    expectInvalid(() => t.window(2, 1), /Invalid window/);
    expectInvalid(() => t.add(NaN, batch(1, 1)), /Timestamp/);
    expectInvalid(() => new TimeBucketedProfiles({ bucketMs: 0 }), /bucketMs/);
  });

  it('a window equals the profile of its rows (counts exactly, sketches within bounds)', () => {
    const t = new TimeBucketedProfiles({ bucketMs: 1000 });
    const whole = new DatasetProfile();
    for (let s = 0; s < 24; s++) {
      const b = batch(s + 10, 20_000);
      t.add(s * 1000 + 500, b);
      whole.update(b);
    }
    const w = t.window(0, 24_000);
    expect(w.rows).toBe(whole.rows);
    for (const name of ['x', 'k', 'c']) {
      const a = w.columns.get(name)!;
      const b = whole.columns.get(name)!;
      expect(a.count).toBe(b.count);
      expect(a.distinctSketch().registers).toEqual(b.distinctSketch().registers);
    }
    expect((w.columns.get('k') as NumericProfile).valueCounts()).toEqual((whole.columns.get('k') as NumericProfile).valueCounts());
    expect(new Map((w.columns.get('c') as CategoricalProfile).valueCounts())).toEqual(new Map((whole.columns.get('c') as CategoricalProfile).valueCounts()));
    const xs = concat(...Array.from({ length: 24 }, (_, s) => normals(s + 10, 20_000))).sort();
    expect(maxRankError((w.columns.get('x') as NumericProfile).sortedView(), xs)).toBeLessThanOrEqual(kllRankError(200));
  });
});
