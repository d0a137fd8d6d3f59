/**
 * The drift engine's inputs and outputs. Columns arrive already read (DuckDB reads files in the
 * adapter); the engine is pure and sees arrays only.
 */

/** A column of numbers (`float` or `int`; null, NaN and ±Infinity are NaN/±Infinity here). */
export interface NumericColumn {
  name: string;
  dtype: 'float' | 'int';
  values: Float64Array;
}

/** A column of strings or booleans (booleans as 'true'/'false'); null for missing. */
export interface CategoricalColumn {
  name: string;
  dtype: 'string' | 'bool';
  values: (string | null)[];
}

/** One input column. */
export type Column = NumericColumn | CategoricalColumn;

/** Column kinds, as Evidently types them. */
export type ColumnType = 'num' | 'cat' | 'text';

/** Options of a drift computation, with Evidently's precedence: per column > by type > all > test default. */
export interface DriftOptions {
  /** Only these columns (default: every column present in both datasets). */
  columns?: string[];
  /** Force one stattest for every column (Evidently's `stattest`). */
  stattest?: string;
  /** Force one threshold for every column. */
  threshold?: number;
  /** Share of drifted columns at or above which the dataset drifts (default 0.5). */
  driftShare?: number;
  /** Per column type overrides. */
  byType?: Partial<Record<ColumnType, { stattest?: string; threshold?: number }>>;
  /** Per column overrides, also forcing the column type. */
  perColumn?: Record<string, { stattest?: string; threshold?: number; columnType?: ColumnType }>;
}

/**
 * Drift of one column; `score` is what is compared with `threshold` (a p-value or a distance). It
 * is NaN where scipy's statistic is undefined (e.g. a t-test of two equal constant columns), which
 * counts as no drift.
 */
export interface ColumnDrift {
  column_type: ColumnType;
  stattest: string;
  score: number;
  threshold: number;
  drift_detected: boolean;
}

/** The whole report, in the JSON shape `capstan drift --json` prints. */
export interface DriftReport {
  dataset_drift: boolean;
  drift_share: number;
  number_of_columns: number;
  number_of_drifted_columns: number;
  share_of_drifted_columns: number;
  columns: Record<string, ColumnDrift>;
  /**
   * Columns left out of the test, with the reason: text columns without a forced stattest, and
   * (without `columns`) columns present in only one dataset. Absent when nothing was left out.
   */
  skipped_columns?: Record<string, string>;
}
