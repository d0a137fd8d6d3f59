/**
 * Which stattest and threshold a column gets: options with Evidently's precedence
 * (per column > per type > all columns > automatic / the test's default), and Evidently's
 * automatic choice (`registry.py::_get_default_stattest`).
 */
import { invalidParameter } from '@capstan/api';
import { distinctUpTo } from './sample.js';
import type { Sample } from './sample.js';
import { STATTESTS } from './stattests/registry.js';
import type { StatTest } from './stattests/stattest.js';
import type { ColumnType, DriftOptions } from './types.js';

/** Reference size above which the automatic choice switches from tests to distances. */
const SMALL_REFERENCE_MAX = 1000;

/**
 * Evidently's automatic stattest for a numerical or categorical column. `n_ref` is the cleaned
 * reference size and `nu` the number of distinct values over both sides:
 *
 * | type | n_ref ≤ 1000 | n_ref > 1000 |
 * |---|---|---|
 * | num, nu > 5 | ks | wasserstein |
 * | num, 3 ≤ nu ≤ 5 | chisquare | jensenshannon |
 * | num, nu ≤ 2 | z | jensenshannon |
 * | cat, nu > 2 | chisquare | jensenshannon |
 * | cat, nu ≤ 2 | z | jensenshannon |
 */
export function defaultStattest(columnType: 'num' | 'cat', reference: Sample, current: Sample): StatTest {
  const small = reference.size <= SMALL_REFERENCE_MAX;
  if (columnType === 'num') {
    const nu = distinctUpTo([reference, current], 6);
    if (nu > 5) return stattest(small ? 'ks' : 'wasserstein');
    if (!small) return stattest('jensenshannon');
    return stattest(nu > 2 ? 'chisquare' : 'z');
  }
  if (!small) return stattest('jensenshannon');
  return stattest(distinctUpTo([reference, current], 3) > 2 ? 'chisquare' : 'z');
}

/**
 * The stattest registered under `name`.
 * @throws CapstanError INVALID_PARAMETER_VALUE for an unknown name, listing the known ones.
 */
export function stattest(name: string): StatTest {
  const test = STATTESTS.get(name);
  if (!test) throw invalidParameter(`Unknown stattest '${name}'; available: ${[...STATTESTS.keys()].join(', ')}`);
  return test;
}

/** The stattest forced on a column by the options, if any (per column > per type > all). */
export function forcedStattest(column: string, columnType: ColumnType, options: DriftOptions): StatTest | undefined {
  const name = options.perColumn?.[column]?.stattest ?? options.byType?.[columnType]?.stattest ?? options.stattest;
  if (name === undefined) return undefined;
  const test = stattest(name);
  if (!test.columnTypes.includes(columnType)) {
    throw invalidParameter(`Stattest '${name}' does not apply to ${columnType} column '${column}'; it takes ${test.columnTypes.join(', ')} columns`);
  }
  return test;
}

/** The threshold configured for a column, if any (per column > per type > all). */
export function configuredThreshold(column: string, columnType: ColumnType, options: DriftOptions): number | undefined {
  return options.perColumn?.[column]?.threshold ?? options.byType?.[columnType]?.threshold ?? options.threshold;
}

/**
 * Validates the options that do not depend on the data: known stattest names, finite
 * thresholds, a drift share in [0, 1], known column types.
 * @throws CapstanError INVALID_PARAMETER_VALUE describing the first bad option.
 */
export function checkOptions(options: DriftOptions): void {
  const names: (string | undefined)[] = [options.stattest];
  const thresholds: [string, number | undefined][] = [['threshold', options.threshold]];
  for (const [type, o] of Object.entries(options.byType ?? {})) {
    if (!isColumnType(type)) throw invalidParameter(`Unknown column type '${type}' in byType; expected num, cat or text`);
    names.push(o?.stattest);
    thresholds.push([`byType.${type}.threshold`, o?.threshold]);
  }
  for (const [column, o] of Object.entries(options.perColumn ?? {})) {
    names.push(o.stattest);
    thresholds.push([`perColumn.${column}.threshold`, o.threshold]);
    if (o.columnType !== undefined && !isColumnType(o.columnType)) {
      throw invalidParameter(`Unknown column type '${String(o.columnType)}' for column '${column}'; expected num, cat or text`);
    }
  }
  for (const name of names) if (name !== undefined) stattest(name);
  for (const [what, t] of thresholds) {
    if (t !== undefined && !Number.isFinite(t)) throw invalidParameter(`${what} must be a finite number, got ${t}`);
  }
  const share = options.driftShare;
  if (share !== undefined && !(share >= 0 && share <= 1)) throw invalidParameter(`driftShare must be between 0 and 1, got ${share}`);
}

function isColumnType(t: string): t is ColumnType {
  return t === 'num' || t === 'cat' || t === 'text';
}
