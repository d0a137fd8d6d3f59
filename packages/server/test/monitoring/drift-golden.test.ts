/**
 * The drift engine against golden values from scipy and Evidently: the file CI generates before
 * the tests (`CAPSTAN_DRIFT_GOLDEN`, see .ci/run), else the committed tests/golden/drift-golden.json
 * (Evidently 0.7.21 / scipy 1.17.1; regenerate with `python tests/golden/generate.py`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import { sturgesEdges } from '../../src/core/monitoring/drift/binning.js';
import { computeDrift } from '../../src/core/monitoring/drift/index.js';
import type { ColumnType, DriftOptions } from '../../src/core/monitoring/drift/index.js';
import { COMMITTED_GOLDEN, GOLDEN_PATH, column, loadGolden } from './golden-data.js';
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
  source?: string;
}

interface ReportCase {
  name: string;
  reference: Record<string, GoldenColumn>;
  current: Record<string, GoldenColumn>;
  options: DriftOptions;
  expected: {
    columns: Record<string, { stattest: string; score: number; threshold: number }>;
    number_of_drifted_columns: number;
    share_of_drifted_columns: number;
    drift_share: number;
  };
}

interface Golden {
  numpy: string;
  scipy: string;
  evidently: string | null;
  tolerance: { relative: number; absolute: number };
  sturges: { min: number; max: number; count: number; integer: boolean; edges: number[] }[];
  stattests: StattestCase[];
  reports: ReportCase[];
}

const golden = loadGolden<Golden>();
const { relative, absolute } = golden.tolerance;
const worst = new Map<string, { cases: number; maxRel: number }>();

/** Relative error of `actual` against `expected`, or 0 when within the absolute tolerance. */
function relError(actual: number, expected: number): number {
  if (Number.isNaN(expected)) return Number.isNaN(actual) ? 0 : Infinity;
  if (actual === expected) return 0;
  const diff = Math.abs(actual - expected);
  if (diff <= absolute) return 0;
  return diff / Math.abs(expected);
}

/** Notes the plain relative error |a − e| / |e| (e ≠ 0) for the summary printed at the end. */
function record(test: string, actual: number, expected: number): void {
  const w = worst.get(test) ?? { cases: 0, maxRel: 0 };
  w.cases++;
  if (expected !== 0 && Number.isFinite(expected) && actual !== expected) w.maxRel = Math.max(w.maxRel, Math.abs(actual - expected) / Math.abs(expected));
  worst.set(test, w);
}

afterAll(() => {
  const rows = [...worst.entries()].sort(([a], [b]) => a.localeCompare(b));
  console.log(['stattest  cases  max relative error', ...rows.map(([t, w]) => `${t.padEnd(18)} ${String(w.cases).padStart(4)}  ${w.maxRel.toExponential(2)}`)].join('\n'));
});

const fresh = GOLDEN_PATH !== COMMITTED_GOLDEN;

describe(`golden source: ${fresh ? `generated for this run (${GOLDEN_PATH})` : 'the committed file (CAPSTAN_DRIFT_GOLDEN not set)'}, numpy ${golden.numpy}, scipy ${golden.scipy}, evidently ${golden.evidently ?? 'absent'}`, () => {
  it.runIf(fresh)('agrees with the committed goldens (same cases, values within 1e-9 relative)', () => {
    const committed = loadGolden<Golden>(COMMITTED_GOLDEN);
    expect(golden.stattests.map((c) => c.name)).toEqual(committed.stattests.map((c) => c.name));
    const value = (v: number | 'nan' | undefined) => (v === 'nan' ? NaN : v);
    const off = golden.stattests.filter((c, i) => {
      const a = value(c.expected);
      const b = value(committed.stattests[i]!.expected);
      if (a === undefined || b === undefined) return a !== b;
      return relError(a, b) > 1e-9;
    }).map((c) => c.name);
    expect(off).toEqual([]);
    expect(golden.reports.length).toBe(committed.reports.length);
  });
  it('covers every stattest on both sides of its threshold', () => {
    const byTest = new Map<string, Set<boolean>>();
    for (const c of golden.stattests) if (c.drift !== undefined) (byTest.get(c.stattest) ?? byTest.set(c.stattest, new Set()).get(c.stattest)!).add(c.drift);
    const oneSided = [...byTest.entries()].filter(([, sides]) => sides.size < 2).map(([t]) => t);
    expect(byTest.size).toBeGreaterThanOrEqual(13);
    expect(oneSided).toEqual([]);
  });
});

describe('Sturges edges (numpy histogram_bin_edges)', () => {
  it.each(golden.sturges.map((c) => [`${c.count} values in [${c.min}, ${c.max}]${c.integer ? ' int' : ''}`, c] as const))('%s', (_name, c) => {
    expect(Array.from(sturgesEdges(c.min, c.max, c.count, c.integer))).toEqual(c.edges);
  });
});

describe('stattests', () => {
  it.each(golden.stattests.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const run = () =>
      computeDrift([column('x', c.dtype, c.reference)], [column('x', c.dtype, c.current)], {
        perColumn: { x: { stattest: c.stattest, columnType: c.column_type } },
      });
    if (c.error !== undefined) {
      let thrown: unknown;
      try {
        run();
      } catch (e) {
        thrown = e;
      }
      expect(isCapstanError(thrown) && thrown.code, `expected INVALID_PARAMETER_VALUE (scipy: ${c.error})`).toBe('INVALID_PARAMETER_VALUE');
      return;
    }
    const result = run().columns.x!;
    const expected = c.expected === 'nan' ? NaN : c.expected!;
    const err = relError(result.score, expected);
    record(c.stattest, result.score, expected);
    expect(err, `score ${result.score} vs ${expected} (${c.source})`).toBeLessThanOrEqual(relative);
    if (!Number.isNaN(expected)) expect(result.drift_detected).toBe(c.drift);
  });
});

describe.runIf(golden.reports.length > 0)('full reports against Evidently DataDriftPreset', () => {
  it.each(golden.reports.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const build = (cols: Record<string, GoldenColumn>) => Object.entries(cols).map(([name, col]) => column(name, col.dtype, col.data));
    const report = computeDrift(build(c.reference), build(c.current), c.options);
    expect(Object.keys(report.columns).sort()).toEqual(Object.keys(c.expected.columns).sort());
    for (const [name, want] of Object.entries(c.expected.columns)) {
      const got = report.columns[name]!;
      expect(got.stattest, name).toBe(want.stattest);
      expect(got.threshold, name).toBe(want.threshold);
      const err = relError(got.score, want.score);
      record(`report:${got.stattest}`, got.score, want.score);
      expect(err, `${name}: ${got.score} vs ${want.score}`).toBeLessThanOrEqual(relative);
    }
    expect(report.number_of_drifted_columns).toBe(c.expected.number_of_drifted_columns);
    expect(report.share_of_drifted_columns).toBeCloseTo(c.expected.share_of_drifted_columns, 12);
    expect(report.drift_share).toBe(c.expected.drift_share);
    expect(report.dataset_drift).toBe(c.expected.share_of_drifted_columns >= c.expected.drift_share);
  });
});
