/**
 * Drift from profiles (streaming mode): Evidently's column typing, test selection, thresholds and
 * dataset rule, with every statistic computed from two {@link DatasetProfile}s instead of raw
 * values. When both sides of a column hold exact value counts (at most `maxExactValues` distinct
 * values), the statistics are the exact-mode ones (equal up to floating-point summation order);
 * otherwise they come from the sketches, with the error bounds of docs/streaming-profiles.md.
 */
import { invalidParameter } from '@capstan/api';
import { assembleDriftReport } from '../drift/report.js';
import { checkOptions, configuredThreshold } from '../drift/select.js';
import type { ColumnDrift, ColumnType, DriftOptions, DriftReport } from '../drift/types.js';
import type { ColumnProfile } from './column.js';
import type { DatasetProfile } from './dataset.js';
import { unionDistinct } from './distribution.js';
import { PROFILE_STATTESTS } from './stattests.js';
import type { ProfileStatTest } from './stattests.js';

/** A column's drift from profiles; `exact` is false when a sketch entered the score. */
export interface ProfileColumnDrift extends ColumnDrift {
  exact: boolean;
}

/** {@link DriftReport} whose columns say whether their score is exact. */
export interface ProfileDriftReport extends DriftReport {
  columns: Record<string, ProfileColumnDrift>;
}

const SMALL_REFERENCE_MAX = 1000;
const INTEGER_CARDINALITY_LIMIT = 10;

/**
 * Compares each column of `current` with the same column of `reference`, as the exact-mode
 * `computeDrift` does (same options, typing from the current data, automatic test choice on the
 * profiles' exact counts, thresholds, skipped text and one-sided columns, dataset rule).
 * Available stattests: ks, wasserstein, ed, t_test, psi, kl_div, jensenshannon, hellinger,
 * chisquare, z. anderson, cramer_von_mises and mannw need raw values.
 * @throws CapstanError INVALID_PARAMETER_VALUE for invalid options; a listed or configured column
 *   missing from a profile; a column numeric on one side and categorical on the other, or string
 *   on one and bool on the other; a forced type or stattest that does not fit the column; a
 *   stattest that needs raw values; a column with no values in either profile; a listed text
 *   column with nothing forced; and when no column is left to test.
 */
export function driftFromProfiles(reference: DatasetProfile, current: DatasetProfile, options: DriftOptions = {}): ProfileDriftReport {
  checkOptions(options);
  const refColumns = reference.columns;
  const curColumns = current.columns;
  const skipped: Record<string, string> = {};
  for (const name of Object.keys(options.perColumn ?? {})) requireInBoth(name, reference, current, 'perColumn names');
  let names: string[];
  if (options.columns) {
    names = options.columns;
    for (const name of names) requireInBoth(name, reference, current, 'columns lists');
  } else {
    names = [...refColumns.keys()].filter((n) => curColumns.has(n));
    for (const n of refColumns.keys()) if (!curColumns.has(n)) skipped[n] = 'only in the reference dataset';
    for (const n of curColumns.keys()) if (!refColumns.has(n)) skipped[n] = 'only in the current dataset';
  }

  const columns: Record<string, ProfileColumnDrift> = {};
  for (const name of names) {
    const ref = refColumns.get(name)!;
    const cur = curColumns.get(name)!;
    const columnType = options.perColumn?.[name]?.columnType ?? inferProfileColumnType(cur);
    checkKinds(name, ref, cur, columnType);
    const forced = forcedTest(name, columnType, options);
    if (columnType === 'text' && !forced) {
      if (options.columns) {
        throw invalidParameter(`Column '${name}' is text (more than half of its values are distinct); force a categorical stattest on it or set its columnType to 'cat'`);
      }
      skipped[name] = 'text column: force a stattest or columnType to test it';
      continue;
    }
    requireValues(name, ref, 'reference');
    requireValues(name, cur, 'current');
    const test = forced ?? defaultProfileStattest(columnType === 'num' ? 'num' : 'cat', ref, cur);
    const threshold = configuredThreshold(name, columnType, options) ?? test.defaultThreshold;
    const { score, exact } = test.score({ column: name, reference: ref, current: cur, columnType });
    const driftDetected = test.drifted(score, threshold);
    columns[name] = { column_type: columnType, stattest: test.name, score, threshold, drift_detected: driftDetected, exact };
  }

  return assembleDriftReport(columns, skipped, options.driftShare, 'profiles');
}

/**
 * Evidently's column type from a profile of the current data: float → num; int → cat with at
 * most 10 distinct values, else num; string → text when more than half of the non-missing values
 * are distinct, else cat; bool → cat. Distinct counts past the exact cap are HyperLogLog estimates.
 */
export function inferProfileColumnType(profile: ColumnProfile): ColumnType {
  switch (profile.dtype) {
    case 'float':
      return 'num';
    case 'int':
      return profile.distinct().value > INTEGER_CARDINALITY_LIMIT ? 'num' : 'cat';
    case 'string':
      return profile.distinct().value > profile.valid * 0.5 ? 'text' : 'cat';
    case 'bool':
      return 'cat';
  }
}

/**
 * Evidently's automatic stattest (`registry.py::_get_default_stattest`) on profile counts:
 * `n_ref` is the reference's number of valid values and `nu` the distinct values over both sides.
 */
export function defaultProfileStattest(columnType: 'num' | 'cat', reference: ColumnProfile, current: ColumnProfile): ProfileStatTest {
  const small = reference.valid <= SMALL_REFERENCE_MAX;
  const nu = unionDistinct(reference, current).value;
  if (columnType === 'num') {
    if (nu > 5) return PROFILE_STATTESTS.get(small ? 'ks' : 'wasserstein')!;
    if (!small) return PROFILE_STATTESTS.get('jensenshannon')!;
    return PROFILE_STATTESTS.get(nu > 2 ? 'chisquare' : 'z')!;
  }
  if (!small) return PROFILE_STATTESTS.get('jensenshannon')!;
  return PROFILE_STATTESTS.get(nu > 2 ? 'chisquare' : 'z')!;
}

function forcedTest(column: string, columnType: ColumnType, options: DriftOptions): ProfileStatTest | undefined {
  const name = options.perColumn?.[column]?.stattest ?? options.byType?.[columnType]?.stattest ?? options.stattest;
  if (name === undefined) return undefined;
  const test = PROFILE_STATTESTS.get(name);
  if (!test) throw invalidParameter(`Stattest '${name}' needs raw values and cannot run on profiles; available: ${[...PROFILE_STATTESTS.keys()].join(', ')}`);
  if (!test.columnTypes.includes(columnType)) {
    throw invalidParameter(`Stattest '${name}' does not apply to ${columnType} column '${column}'; it takes ${test.columnTypes.join(', ')} columns`);
  }
  return test;
}

function requireInBoth(name: string, ref: DatasetProfile, cur: DatasetProfile, what: string): void {
  if (!ref.columns.has(name)) throw invalidParameter(`${what} column '${name}', which is not in the reference dataset`);
  if (!cur.columns.has(name)) throw invalidParameter(`${what} column '${name}', which is not in the current dataset`);
}

function checkKinds(name: string, ref: ColumnProfile, cur: ColumnProfile, columnType: ColumnType): void {
  if (ref.kind !== cur.kind || (ref.kind === 'categorical' && ref.dtype !== cur.dtype)) {
    throw invalidParameter(`Column '${name}' is ${ref.dtype} in the reference dataset but ${cur.dtype} in the current dataset`);
  }
  if (columnType === 'num' && ref.kind !== 'numeric') throw invalidParameter(`Column '${name}' holds ${ref.dtype} values and cannot be typed 'num'`);
  if (columnType === 'text' && ref.kind === 'numeric') throw invalidParameter(`Column '${name}' holds numbers and cannot be typed 'text'`);
}

function requireValues(name: string, p: ColumnProfile, dataset: string): void {
  if (p.valid === 0) throw invalidParameter(`Column '${name}' has no values left in the ${dataset} dataset after dropping nulls, NaN and infinities`);
}
