/**
 * The exact-mode drift engine: Evidently 0.7's data-drift defaults computed on raw arrays.
 */
import { invalidParameter } from '@capstan/api';
import { assembleDriftReport } from './report.js';
import { checkColumnKinds, cleanColumn, inferColumnType } from './preprocess.js';
import { checkOptions, configuredThreshold, defaultStattest, forcedStattest } from './select.js';
import type { Column, ColumnDrift, DriftOptions, DriftReport } from './types.js';


/**
 * Compares each column of `current` with the same column of `reference`, as Evidently's
 * `DataDriftPreset` does, and decides dataset drift.
 *
 * Per column: values are cleaned on each side (±∞, NaN and null dropped); the column type is
 * inferred from the current dataset (`inferColumnType`) unless `perColumn[c].columnType` forces
 * it; the stattest is the forced one (per column > per type > `stattest`) or Evidently's
 * automatic choice (`defaultStattest`); the threshold is the configured one (same precedence) or
 * the test's default. p-value tests drift below the threshold (`ks` and `cramer_von_mises` also
 * at it), distances at or above it (`ed` strictly above). The dataset drifts when the share of
 * drifted columns is at least `driftShare` (default 0.5).
 *
 * Text columns (strings with more than half of the values distinct) would need a trained
 * classifier in Evidently; they are left out and listed in `skipped_columns`, unless a stattest is
 * forced on them, which then must be a categorical one (each distinct string is a category).
 * Without `columns`, a column present in only one dataset is skipped the same way.
 *
 * @throws CapstanError INVALID_PARAMETER_VALUE when options are invalid (unknown stattest,
 *   non-finite threshold, driftShare outside [0, 1]); when a listed or configured column is
 *   missing from a dataset or a dataset repeats a column name; when a column's dtypes differ
 *   between the datasets or do not fit a forced type; when a forced stattest does not take the
 *   column's type; when a column has no values left after cleaning in either dataset; when a
 *   listed column is text and nothing is forced on it; when no column is left to test; and when a
 *   stattest cannot handle the data (for example `anderson` on a constant column).
 */
export function computeDrift(reference: Column[], current: Column[], options: DriftOptions = {}): DriftReport {
  checkOptions(options);
  const refColumns = byName(reference, 'reference');
  const curColumns = byName(current, 'current');
  const skipped: Record<string, string> = {};
  for (const name of Object.keys(options.perColumn ?? {})) requireInBoth(name, refColumns, curColumns, 'perColumn names');
  let names: string[];
  if (options.columns) {
    names = [...new Set(options.columns)];
    for (const name of names) requireInBoth(name, refColumns, curColumns, 'columns lists');
  } else {
    names = reference.map((c) => c.name).filter((n) => curColumns.has(n));
    for (const c of reference) if (!curColumns.has(c.name)) skipped[c.name] = 'only in the reference dataset';
    for (const c of current) if (!refColumns.has(c.name)) skipped[c.name] = 'only in the current dataset';
  }

  const columns: Record<string, ColumnDrift> = {};
  for (const name of names) {
    const ref = refColumns.get(name)!;
    const cur = curColumns.get(name)!;
    const columnType = options.perColumn?.[name]?.columnType ?? inferColumnType(cur);
    checkColumnKinds(ref, cur, columnType);
    const forced = forcedStattest(name, columnType, options);
    if (columnType === 'text' && !forced) {
      if (options.columns) {
        throw invalidParameter(`Column '${name}' is text (more than half of its values are distinct); force a categorical stattest on it or set its columnType to 'cat'`);
      }
      skipped[name] = 'text column: force a stattest or columnType to test it';
      continue;
    }
    const integer = ref.dtype === 'int' && cur.dtype === 'int';
    const refSample = cleanColumn(ref, 'reference', integer);
    const curSample = cleanColumn(cur, 'current', integer);
    const test = forced ?? defaultStattest(columnType === 'num' ? 'num' : 'cat', refSample, curSample);
    const threshold = configuredThreshold(name, columnType, options) ?? test.defaultThreshold;
    const score = test.score({ column: name, reference: refSample, current: curSample, columnType });
    const driftDetected = test.drifted(score, threshold);
    columns[name] = { column_type: columnType, stattest: test.name, score, threshold, drift_detected: driftDetected };
  }

  return assembleDriftReport(columns, skipped, options.driftShare, 'datasets');
}

function byName(columns: Column[], dataset: string): Map<string, Column> {
  const map = new Map<string, Column>();
  for (const c of columns) {
    if (map.has(c.name)) throw invalidParameter(`Column '${c.name}' appears twice in the ${dataset} dataset`);
    map.set(c.name, c);
  }
  return map;
}

function requireInBoth(name: string, ref: Map<string, Column>, cur: Map<string, Column>, what: string): void {
  if (!ref.has(name)) throw invalidParameter(`${what} column '${name}', which is not in the reference dataset`);
  if (!cur.has(name)) throw invalidParameter(`${what} column '${name}', which is not in the current dataset`);
}
