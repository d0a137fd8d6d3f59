/**
 * Drift from profiles against the exact engine: identical (to the golden tolerance) while both
 * sides hold exact counts, within the bounds of docs/streaming-profiles.md once sketches are used.
 */
import { describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import { binnedShares } from '../../src/core/monitoring/drift/binning.js';
import { computeDrift } from '../../src/core/monitoring/drift/index.js';
import type { Column, ColumnType, DriftOptions } from '../../src/core/monitoring/drift/index.js';
import { NumericSample } from '../../src/core/monitoring/drift/sample.js';
import { jensenShannon } from '../../src/core/monitoring/drift/stattests/jensenshannon.js';
import { ksStatistic } from '../../src/core/monitoring/drift/stattests/ks.js';
import { cdfDistanceIntegral } from '../../src/core/monitoring/drift/stattests/wasserstein.js';
import { binnedSharesOfProfiles, cdfDistanceOfViews, ksStatisticOfViews } from '../../src/core/monitoring/profile/distribution.js';
import { ksPValue } from '../../src/core/monitoring/profile/stattests.js';
import { DatasetProfile, driftFromProfiles, kllPmfError, kllRankError, PROFILE_STATTESTS } from '../../src/core/monitoring/profile/index.js';
import type { CategoricalProfile, NumericProfile, ProfileOptions } from '../../src/core/monitoring/profile/index.js';
import { column, loadGolden } from './golden-data.js';
import type { DataSpec, GoldenColumn } from './golden-data.js';

interface StattestCase {
  name: string;
  stattest: string;
  column_type: ColumnType;
  dtype: GoldenColumn['dtype'];
  reference: DataSpec;
  current: DataSpec;
  expected?: number | 'nan';
  drift?: boolean;
  error?: string;
}

interface ReportCase {
  name: string;
  reference: Record<string, GoldenColumn>;
  current: Record<string, GoldenColumn>;
  options: DriftOptions;
  expected: { columns: Record<string, { stattest: string; score: number; threshold: number }>; number_of_drifted_columns: number };
}

interface Golden {
  tolerance: { relative: number; absolute: number };
  stattests: StattestCase[];
  reports: ReportCase[];
}

const golden = loadGolden<Golden>();
const { relative, absolute } = golden.tolerance;
const EXACT: ProfileOptions = { maxExactValues: 1_000_000 };

function relError(actual: number, expected: number): number {
  if (Number.isNaN(expected)) return Number.isNaN(actual) ? 0 : Infinity;
  if (actual === expected) return 0;
  const diff = Math.abs(actual - expected);
  return diff <= absolute ? 0 : diff / Math.abs(expected);
}

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

function zipfLabels(seed: number, n: number, m: number, s = 1.1, offset = 0): string[] {
  const cum = new Float64Array(m);
  let acc = 0;
  for (let i = 0; i < m; i++) cum[i] = acc += 1 / (i + 1) ** s;
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const u = r() * acc;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return `v${(lo + offset) % m}`;
  });
}

/** A profile of `columns`, fed in batches of 10,000 rows. */
function profileOf(columns: Column[], options: ProfileOptions = {}): DatasetProfile {
  const p = new DatasetProfile(options);
  const n = columns[0]!.values.length;
  for (let i = 0; i < n; i += 10_000) p.update(columns.map((c) => ({ ...c, values: c.values.slice(i, i + 10_000) }) as Column));
  return p;
}

function expectInvalid(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isCapstanError(thrown), String(thrown)).toBe(true);
  if (isCapstanError(thrown)) {
    expect(thrown.code).toBe('INVALID_PARAMETER_VALUE');
    expect(thrown.message).toMatch(message);
  }
}

describe('exact counts reproduce the exact engine: golden stattests (Evidently 0.7.21 / scipy 1.17.1)', () => {
  const supported = golden.stattests.filter((c) => PROFILE_STATTESTS.has(c.stattest) && c.error === undefined);
  const unsupported = [...new Set(golden.stattests.map((c) => c.stattest).filter((s) => !PROFILE_STATTESTS.has(s)))];

  it.each(supported.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const ref = DatasetProfile.of([column('x', c.dtype, c.reference)], EXACT);
    const cur = DatasetProfile.of([column('x', c.dtype, c.current)], EXACT);
    const result = driftFromProfiles(ref, cur, { perColumn: { x: { stattest: c.stattest, columnType: c.column_type } } }).columns.x!;
    const expected = c.expected === 'nan' ? NaN : c.expected!;
    expect(result.exact).toBe(true);
    expect(relError(result.score, expected), `score ${result.score} vs ${expected}`).toBeLessThanOrEqual(relative);
    if (!Number.isNaN(expected)) expect(result.drift_detected).toBe(c.drift);
  });

  it.each(unsupported)('%s needs raw values and is refused', (stattest) => {
    const p = DatasetProfile.of([{ name: 'x', dtype: 'float', values: normals(1, 10) }]);
    expectInvalid(() => driftFromProfiles(p, p, { stattest }), /needs raw values|Unknown stattest/);
  });
});

describe('exact counts reproduce the exact engine: golden reports', () => {
  const build = (cols: Record<string, GoldenColumn>) => Object.entries(cols).map(([name, col]) => column(name, col.dtype, col.data));
  it.each(golden.reports.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const usesRawOnly = JSON.stringify(c.options).match(/"stattest":"(anderson|cramer_von_mises|mannw|es|g_test|fisher_exact|TVD)"/);
    const run = () => driftFromProfiles(DatasetProfile.of(build(c.reference), EXACT), DatasetProfile.of(build(c.current), EXACT), c.options);
    if (usesRawOnly) {
      expectInvalid(run, /needs raw values/);
      return;
    }
    const report = run();
    const exact = computeDrift(build(c.reference), build(c.current), c.options);
    expect(Object.keys(report.columns).sort()).toEqual(Object.keys(c.expected.columns).sort());
    for (const [name, want] of Object.entries(c.expected.columns)) {
      const got = report.columns[name]!;
      expect(got.stattest, name).toBe(want.stattest);
      expect(got.threshold, name).toBe(want.threshold);
      expect(got.exact, name).toBe(true);
      expect(relError(got.score, want.score), `${name}: ${got.score} vs ${want.score}`).toBeLessThanOrEqual(relative);
      expect(got.drift_detected, name).toBe(exact.columns[name]!.drift_detected);
    }
    expect(report.number_of_drifted_columns).toBe(c.expected.number_of_drifted_columns);
    expect(report.skipped_columns).toEqual(exact.skipped_columns);
  });
});

describe('default options: small data stays exact, and every score equals the exact engine', () => {
  const ref: Column[] = [
    { name: 'num', dtype: 'float', values: normals(1, 800) },
    { name: 'wide', dtype: 'float', values: normals(2, 5000).map((v) => Math.round(v * 100)) },
    { name: 'few', dtype: 'int', values: Float64Array.from({ length: 5000 }, (_, i) => (i * 7) % 4) },
    { name: 'cat', dtype: 'string', values: zipfLabels(1, 3000, 40) },
    { name: 'flag', dtype: 'bool', values: Array.from({ length: 3000 }, (_, i) => (i % 3 ? 'true' : 'false')) },
    { name: 'text', dtype: 'string', values: Array.from({ length: 3000 }, (_, i) => `free text ${i}`) },
  ].map((c) => ({ ...c, values: c.values.slice(0, 800) }) as Column);
  const cur: Column[] = [
    { name: 'num', dtype: 'float', values: normals(3, 600, 0.3) },
    { name: 'wide', dtype: 'float', values: normals(4, 600, 0.1).map((v) => Math.round(v * 100)) },
    { name: 'few', dtype: 'int', values: Float64Array.from({ length: 600 }, (_, i) => (i * 5) % 4) },
    { name: 'cat', dtype: 'string', values: zipfLabels(2, 600, 40, 1.1, 3) },
    { name: 'flag', dtype: 'bool', values: Array.from({ length: 600 }, (_, i) => (i % 4 ? 'true' : 'false')) },
    { name: 'text', dtype: 'string', values: Array.from({ length: 600 }, (_, i) => `free text ${i * 3}`) },
  ];

  it.each([
    ['automatic', {}],
    ['psi everywhere', { stattest: 'psi' }],
    ['jensenshannon / hellinger by type', { byType: { num: { stattest: 'jensenshannon' }, cat: { stattest: 'hellinger' } } }],
    ['kl_div, ed and t_test per column', { perColumn: { num: { stattest: 'kl_div' }, wide: { stattest: 'ed' }, few: { stattest: 't_test', columnType: 'num' } } }],
    ['wasserstein with thresholds', { stattest: 'wasserstein', byType: { cat: { stattest: 'chisquare', threshold: 0.5 }, text: { stattest: 'z' } }, threshold: 0.3 }],
  ] as [string, DriftOptions][])('%s', (_name, options) => {
    const profiled = driftFromProfiles(profileOf(ref), profileOf(cur), options);
    const exact = computeDrift(ref, cur, options);
    expect(Object.keys(profiled.columns)).toEqual(Object.keys(exact.columns));
    for (const [name, want] of Object.entries(exact.columns)) {
      const got = profiled.columns[name]!;
      expect(got.exact, name).toBe(true);
      expect({ ...got, score: 0, exact: undefined }).toEqual({ ...want, score: 0, exact: undefined });
      expect(relError(got.score, want.score), `${name}: ${got.score} vs ${want.score}`).toBeLessThanOrEqual(1e-12);
    }
    expect({ ...profiled, columns: {} }).toEqual({ ...exact, columns: {} });
  });
});

describe('sketched numeric columns: guaranteed bounds', () => {
  const cases: [string, Float64Array, Float64Array][] = [
    ['normal, no drift, 1e6 vs 3e5', normals(1, 1_000_000), normals(2, 300_000)],
    ['normal, small shift, 3e5 vs 1e5', normals(3, 300_000), normals(4, 100_000, 0.05, 1.02)],
    ['normal, drift, 1e6 vs 2e5', normals(5, 1_000_000), normals(6, 200_000, 0.5, 1.25)],
    ['lognormal, drift, 5e5 vs 2e5', normals(7, 500_000).map(Math.exp), normals(8, 200_000, 0.2).map(Math.exp)],
    ['uniform vs slightly wider, 2e5 vs 2e5', Float64Array.from({ length: 200_000 }, rng(9)), Float64Array.from({ length: 200_000 }, rng(10)).map((v) => v * 1.1)],
  ];

  it.each(cases)('%s', (_name, r, c) => {
    const pr = profileOf([{ name: 'x', dtype: 'float', values: r }]).columns.get('x') as NumericProfile;
    const pc = profileOf([{ name: 'x', dtype: 'float', values: c }]).columns.get('x') as NumericProfile;
    expect(pr.isExact || pc.isExact).toBe(false);
    const eps = 2 * kllRankError(200);
    const rs = r.slice().sort();
    const cs = c.slice().sort();

    const d = ksStatistic(rs, cs);
    const dHat = ksStatisticOfViews(pr.sortedView(), pc.sortedView());
    expect(Math.abs(dHat - d)).toBeLessThanOrEqual(eps);
    const p = ksPValue(d, rs.length, cs.length);
    expect(p).toBeGreaterThanOrEqual(ksPValue(Math.min(1, dHat + eps), rs.length, cs.length));
    expect(p).toBeLessThanOrEqual(ksPValue(Math.max(0, dHat - eps), rs.length, cs.length));

    const w = cdfDistanceIntegral(rs, cs, 1);
    const wHat = cdfDistanceOfViews(pr.sortedView(), pc.sortedView(), 1);
    const range = Math.max(rs[rs.length - 1]!, cs[cs.length - 1]!) - Math.min(rs[0]!, cs[0]!);
    expect(Math.abs(wHat - w)).toBeLessThanOrEqual(eps * range);

    const exact = binnedShares(new NumericSample(rs, false), new NumericSample(cs, false), 'num', false);
    const approx = binnedSharesOfProfiles(pr, pc, 'num', false);
    expect(approx.reference.length).toBe(exact.reference.length);
    const heaviest = (p: NumericProfile) => {
      const { cumulative, total } = p.sortedView();
      let w = cumulative[0]!;
      for (let i = 1; i < cumulative.length; i++) w = Math.max(w, cumulative[i]! - cumulative[i - 1]!);
      return w / total;
    };
    for (let i = 0; i < exact.reference.length; i++) {
      expect(Math.abs(approx.reference[i]! - exact.reference[i]!)).toBeLessThanOrEqual(2 * (kllRankError(200) + heaviest(pr)));
      expect(Math.abs(approx.current[i]! - exact.current[i]!)).toBeLessThanOrEqual(2 * (kllRankError(200) + heaviest(pc)));
    }
  });
});

describe('sketched columns: measured error of each score stays within the documented tolerance', () => {
  /** Documented tolerances (docs/streaming-profiles.md) for k = 200, both sides sketched. */
  const TOLERANCE: Record<string, number> = {
    wasserstein: 0.03,
    ed: 0.03,
    jensenshannon: 0.03,
    hellinger: 0.03,
    psi: 0.06,
    kl_div: 0.02,
  };
  const scenarios: [string, Float64Array, Float64Array][] = [];
  for (const shift of [0, 0.05, 0.1, 0.3]) {
    scenarios.push([`normal shift ${shift}`, normals(11, 400_000), normals(12, 200_000, shift, 1 + shift / 2)]);
    scenarios.push([`lognormal shift ${shift}`, normals(13, 400_000).map(Math.exp), normals(14, 200_000, shift).map(Math.exp)]);
  }
  const worst: Record<string, number> = {};

  it.each(scenarios)('%s', (_name, r, c) => {
    const ref = profileOf([{ name: 'x', dtype: 'float', values: r }]);
    const cur = profileOf([{ name: 'x', dtype: 'float', values: c }]);
    const cols: Column[][] = [[{ name: 'x', dtype: 'float', values: r }], [{ name: 'x', dtype: 'float', values: c }]];
    for (const [stattest, tolerance] of Object.entries(TOLERANCE)) {
      const want = computeDrift(cols[0]!, cols[1]!, { stattest }).columns.x!.score;
      if (stattest === 'psi' && want >= 0.2) continue;
      const got = driftFromProfiles(ref, cur, { stattest }).columns.x!;
      expect(got.exact).toBe(false);
      const err = Math.abs(got.score - want);
      worst[stattest] = Math.max(worst[stattest] ?? 0, err);
      expect(err, `${stattest}: ${got.score} vs ${want}`).toBeLessThanOrEqual(tolerance);
    }
  });

  it('bin shares are within the double-sided KLL bound 2.446/k^0.9433 per side on these scenarios', () => {
    for (const [, r, c] of scenarios) {
      const pr = profileOf([{ name: 'x', dtype: 'float', values: r }]).columns.get('x')!;
      const pc = profileOf([{ name: 'x', dtype: 'float', values: c }]).columns.get('x')!;
      const exact = binnedShares(new NumericSample(r.slice(), false), new NumericSample(c.slice(), false), 'num', false);
      const approx = binnedSharesOfProfiles(pr, pc, 'num', false);
      for (let i = 0; i < exact.reference.length; i++) {
        expect(Math.abs(approx.reference[i]! - exact.reference[i]!)).toBeLessThanOrEqual(kllPmfError(200));
        expect(Math.abs(approx.current[i]! - exact.current[i]!)).toBeLessThanOrEqual(kllPmfError(200));
      }
    }
    console.log(`worst |score error| over ${scenarios.length} scenarios: ${Object.entries(worst).map(([t, e]) => `${t} ${e.toFixed(4)}`).join(', ')}`);
  });
});

describe('sketched categorical columns: scores on frequent items + OTHER', () => {
  /** Exact shares over the given labels plus one OTHER bin (Evidently's eps fill when asked). */
  function coarsened(values: string[], labels: readonly string[], fill: boolean): Float64Array {
    const index = new Map(labels.map((l, i) => [l, i]));
    const out = new Float64Array(labels.length + 1);
    for (const v of values) {
      const i = index.get(v) ?? labels.length;
      out[i] = out[i]! + 1 / values.length;
    }
    if (fill) {
      let min = Infinity;
      for (const x of out) if (x > 0 && x < min) min = x;
      for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = min <= 1e-4 ? min / 1e6 : 1e-4;
    }
    return out;
  }

  it.each([
    ['same law', 0],
    ['rotated labels', 7],
  ])('%s: shares within n/(k+1) per category; scores near the exact score on the same categories, below the exact one', (_name, offset) => {
    const r = zipfLabels(21, 300_000, 20_000);
    const c = zipfLabels(22, 100_000, 20_000, 1.1, offset as number);
    const ref = profileOf([{ name: 'c', dtype: 'string', values: r }]);
    const cur = profileOf([{ name: 'c', dtype: 'string', values: c }]);
    const pRef = ref.columns.get('c') as CategoricalProfile;
    const pCur = cur.columns.get('c') as CategoricalProfile;
    const tracked = [...new Set([pRef, pCur].flatMap((p) => p.frequentItems().map((i) => i.value)))];
    const approx = binnedSharesOfProfiles(pRef, pCur, 'cat', false);
    const exact = [coarsened(r, tracked, false), coarsened(c, tracked, false)] as const;
    const order = new Map(tracked.map((l, i) => [l, i]));
    const keys = [...new Set([...pRef.counts().counts.keys(), ...pCur.counts().counts.keys()])];
    keys.forEach((k, i) => {
      expect(Math.abs(approx.reference[i]! - exact[0][order.get(k)!]!)).toBeLessThanOrEqual(1 / 1025);
      expect(Math.abs(approx.current[i]! - exact[1][order.get(k)!]!)).toBeLessThanOrEqual(1 / 1025);
    });
    const cols = (v: string[]): Column[] => [{ name: 'c', dtype: 'string', values: v }];
    for (const [stattest, tolerance] of [
      ['jensenshannon', 0.015],
      ['psi', 0.15],
    ] as const) {
      const options: DriftOptions = { perColumn: { c: { stattest, columnType: 'cat' } } };
      const want = computeDrift(cols(r), cols(c), options).columns.c!.score;
      const got = driftFromProfiles(ref, cur, options).columns.c!;
      expect(got.exact).toBe(false);
      const pr = coarsened(r, tracked, stattest === 'psi');
      const pc = coarsened(c, tracked, stattest === 'psi');
      let onSame = 0;
      if (stattest === 'jensenshannon') onSame = jensenShannon(pr, pc);
      else for (let i = 0; i < pr.length; i++) onSame += (pr[i]! - pc[i]!) * Math.log(pr[i]! / pc[i]!);
      expect(Math.abs(got.score - onSame), `${stattest}: ${got.score} vs ${onSame} on the same categories`).toBeLessThanOrEqual(tolerance * Math.max(1, onSame));
      expect(got.score, `${stattest}: ${got.score} vs exact ${want}`).toBeLessThanOrEqual(want);
    }
  });
});

describe('report rules', () => {
  const ref = profileOf([
    { name: 'x', dtype: 'float', values: normals(1, 2000) },
    { name: 's', dtype: 'string', values: Array.from({ length: 2000 }, (_, i) => `id-${i}`) },
    { name: 'only_ref', dtype: 'float', values: normals(2, 2000) },
  ]);
  const cur = profileOf([
    { name: 'x', dtype: 'float', values: normals(3, 2000, 1) },
    { name: 's', dtype: 'string', values: Array.from({ length: 2000 }, (_, i) => `id-${i + 5}`) },
    { name: 'nan', dtype: 'float', values: new Float64Array(2000).fill(NaN) },
  ]);

  it('skips text and one-sided columns, and decides dataset drift by share', () => {
    const report = driftFromProfiles(ref, cur);
    expect(Object.keys(report.columns)).toEqual(['x']);
    expect(report.columns.x!.stattest).toBe('wasserstein');
    expect(report.dataset_drift).toBe(true);
    expect(report.skipped_columns).toEqual({
      s: 'text column: force a stattest or columnType to test it',
      only_ref: 'only in the reference dataset',
      nan: 'only in the current dataset',
    });
    expect(driftFromProfiles(ref, cur, { perColumn: { s: { columnType: 'cat' } } }).columns.s!.stattest).toBe('jensenshannon');
  });

  it('rejects what the exact engine rejects', () => {
    expectInvalid(() => driftFromProfiles(ref, cur, { columns: ['s'] }), /is text/);
    expectInvalid(() => driftFromProfiles(ref, cur, { columns: ['nan'] }), /not in the reference dataset/);
    expectInvalid(() => driftFromProfiles(ref, cur, { stattest: 'nope' }), /Unknown stattest/);
    expectInvalid(() => driftFromProfiles(ref, cur, { stattest: 'anderson' }), /needs raw values/);
    expectInvalid(() => driftFromProfiles(ref, cur, { perColumn: { s: { stattest: 'ks' } } }), /does not apply/);
    expectInvalid(() => driftFromProfiles(ref, cur, { perColumn: { x: { columnType: 'text' } } }), /cannot be typed 'text'/);
    const empty = profileOf([{ name: 'x', dtype: 'float', values: new Float64Array(10).fill(NaN) }]);
    expectInvalid(() => driftFromProfiles(ref, empty), /no values left in the current dataset/);
    const strings = profileOf([{ name: 'x', dtype: 'string', values: Array.from({ length: 10 }, () => 'a') }]);
    expectInvalid(() => driftFromProfiles(ref, strings), /float in the reference dataset but string/);
    expectInvalid(() => driftFromProfiles(profileOf([{ name: 'q', dtype: 'float', values: normals(1, 5) }]), cur), /no testable column/);
  });
});
