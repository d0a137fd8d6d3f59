/**
 * Per-column preparation, as Evidently's `get_one_column_drift` and `infer_column_type`:
 * cleaning (±∞ → NaN, NaN and null dropped, each dataset on its own) and column typing.
 */
import { invalidParameter } from '@capstan/api';
import { LabelSample, NumericSample } from './sample.js';
import type { Sample } from './sample.js';
import type { Column, ColumnType, NumericColumn } from './types.js';

/** Integer columns with at most this many distinct values are categorical. */
const INTEGER_CARDINALITY_LIMIT = 10;

/**
 * Evidently's column type for a column: float → num; int → cat when it has at most 10 distinct
 * values, else num; string → text when more than half of its non-null values are distinct,
 * else cat; bool → cat. NaN and null are not values.
 */
export function inferColumnType(column: Column): ColumnType {
  switch (column.dtype) {
    case 'float':
      return 'num';
    case 'int': {
      const seen = new Set<number>();
      for (const v of column.values) {
        if (Number.isNaN(v)) continue;
        seen.add(v);
        if (seen.size > INTEGER_CARDINALITY_LIMIT) return 'num';
      }
      return 'cat';
    }
    case 'string': {
      const seen = new Set<string>();
      let count = 0;
      for (const v of column.values) {
        if (v === null) continue;
        count++;
        seen.add(v);
      }
      return seen.size > count * 0.5 ? 'text' : 'cat';
    }
    case 'bool':
      return 'cat';
  }
}

/**
 * Checks that a column has compatible dtypes in both datasets (int and float mix; strings and
 * booleans do not mix with each other or with numbers) and that a forced column type fits.
 * @throws CapstanError INVALID_PARAMETER_VALUE naming the column otherwise.
 */
export function checkColumnKinds(reference: Column, current: Column, columnType: ColumnType): void {
  const numeric = isNumeric;
  if (numeric(reference) !== numeric(current) || (!numeric(reference) && reference.dtype !== current.dtype)) {
    throw invalidParameter(`Column '${reference.name}' is ${reference.dtype} in the reference dataset but ${current.dtype} in the current dataset`);
  }
  if (columnType === 'num' && !numeric(reference)) {
    throw invalidParameter(`Column '${reference.name}' holds ${reference.dtype} values and cannot be typed 'num'`);
  }
  if (columnType === 'text' && numeric(reference)) {
    throw invalidParameter(`Column '${reference.name}' holds numbers and cannot be typed 'text'`);
  }
}

/**
 * The cleaned values of one side: ±∞, NaN and null dropped. The column's own array is used (never
 * modified) when it holds only finite values.
 * @param integer whether both datasets hold the column as int (numpy's integer binning rule).
 * @throws CapstanError INVALID_PARAMETER_VALUE when nothing is left, naming column and dataset.
 */
export function cleanColumn(column: Column, dataset: 'reference' | 'current', integer: boolean): Sample {
  let sample: Sample;
  if (isNumeric(column)) {
    const src = column.values;
    let n = 0;
    for (let i = 0; i < src.length; i++) if (Number.isFinite(src[i]!)) n++;
    let values = src;
    if (n < src.length) {
      values = new Float64Array(n);
      let k = 0;
      for (let i = 0; i < src.length; i++) {
        const v = src[i]!;
        if (Number.isFinite(v)) values[k++] = v;
      }
    }
    sample = new NumericSample(values, integer);
  } else {
    sample = new LabelSample(column.values.filter((v): v is string => v !== null));
  }
  if (sample.size === 0) {
    throw invalidParameter(`Column '${column.name}' has no values left in the ${dataset} dataset after dropping nulls, NaN and infinities`);
  }
  return sample;
}

/** Whether a column holds numbers. */
export function isNumeric(column: Column): column is NumericColumn {
  return column.dtype === 'float' || column.dtype === 'int';
}
