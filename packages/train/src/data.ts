import { CapstanError, ErrorCode } from '@capstan/client';

/** A value in a table cell; `null`, `undefined` and `NaN` mean missing. */
export type Cell = number | string | boolean | null | undefined;

/** Column-oriented table: column name → values (plain arrays or typed arrays). */
export type Columns = Record<string, ArrayLike<Cell>>;

/** A table either column-oriented or as an array of row records (a dataframe payload). */
export type TableLike = Columns | readonly Record<string, Cell>[];

/** A dense row-major float32 matrix. */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Class labels as numbers (integers) or strings. */
export type ClassLabels = readonly number[] | readonly string[];

/** Throws INVALID_PARAMETER_VALUE with a message that says what to fix. */
export function invalid(message: string): never {
  throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, message);
}

/** Normalizes a table to columns and returns its row count; all columns must have the same length. */
export function toColumns(table: TableLike): { columns: Columns; rows: number } {
  if (Array.isArray(table)) {
    const rows = table as readonly Record<string, Cell>[];
    const names = new Set<string>();
    for (const r of rows) for (const k of Object.keys(r)) names.add(k);
    const columns: Record<string, Cell[]> = {};
    for (const n of names) columns[n] = rows.map((r) => r[n]);
    return { columns, rows: rows.length };
  }
  const columns = table as Columns;
  let rows = -1;
  for (const [name, col] of Object.entries(columns)) {
    if (col == null || typeof col.length !== 'number') invalid(`column '${name}' must be an array`);
    if (rows === -1) rows = col.length;
    else if (col.length !== rows) invalid(`column '${name}' has ${col.length} values but other columns have ${rows}`);
  }
  return { columns, rows: Math.max(rows, 0) };
}

/** True when the cell counts as missing. */
export function isMissing(v: Cell): v is null | undefined {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/** Reads a numeric column as float64 with NaN for missing; throws on a non-numeric value. */
export function numericColumn(name: string, col: ArrayLike<Cell>): Float64Array {
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (isMissing(v)) out[i] = NaN;
    else if (typeof v === 'number') out[i] = v;
    else if (typeof v === 'boolean') out[i] = v ? 1 : 0;
    else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) out[i] = Number(v);
    else invalid(`column '${name}' is numeric but row ${i} holds ${JSON.stringify(v)}; clean it or declare the column categorical`);
  }
  return out;
}

/** Reads a categorical column as strings with null for missing. */
export function categoricalColumn(col: ArrayLike<Cell>): (string | null)[] {
  const out = new Array<string | null>(col.length);
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    out[i] = isMissing(v) ? null : String(v);
  }
  return out;
}

/**
 * Infers a column's kind from its present values: numeric when most are numbers, booleans or
 * numeric strings (a stray non-numeric value then fails loudly when the column is read),
 * categorical otherwise. Declare kinds in PreprocessOptions to override.
 */
export function inferKind(col: ArrayLike<Cell>): 'numeric' | 'categorical' {
  let numeric = 0;
  let other = 0;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (isMissing(v)) continue;
    if (typeof v === 'number' || typeof v === 'boolean' || (v.trim() !== '' && Number.isFinite(Number(v)))) numeric++;
    else other++;
  }
  return numeric > 0 && numeric >= other ? 'numeric' : 'categorical';
}

/** Encodes a label column as class indices; classes sorted (numbers numerically, else as strings). */
export function encodeLabels(name: string, col: ArrayLike<Cell>): { y: Int32Array; classes: ClassLabels } {
  const numeric = Array.prototype.every.call(col, (v: Cell) => isMissing(v) || typeof v === 'number' || typeof v === 'boolean');
  const seen = new Set<number | string>();
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (isMissing(v)) invalid(`label column '${name}' is missing a value in row ${i}; drop or fill unlabeled rows`);
    seen.add(numeric ? Number(v) : String(v));
  }
  if (seen.size < 2) invalid(`label column '${name}' has ${seen.size} class${seen.size === 1 ? '' : 'es'}; a classifier needs at least two`);
  let classes: ClassLabels;
  if (numeric) {
    const c = [...seen as Set<number>].sort((a, b) => a - b);
    if (!c.every(Number.isInteger)) invalid(`label column '${name}' holds non-integer numbers; use task 'regression' or integer/string classes`);
    classes = c;
  } else {
    classes = [...seen as Set<string>].sort();
  }
  const index = new Map<number | string, number>();
  classes.forEach((c, i) => index.set(c, i));
  const y = new Int32Array(col.length);
  for (let i = 0; i < col.length; i++) y[i] = index.get(numeric ? Number(col[i]) : String(col[i]))!;
  return { y, classes };
}

/** Reads a regression target; throws on missing or non-numeric values. */
export function regressionTarget(name: string, col: ArrayLike<Cell>): Float64Array {
  const y = numericColumn(name, col);
  for (let i = 0; i < y.length; i++) if (Number.isNaN(y[i])) invalid(`label column '${name}' is missing a value in row ${i}; drop or fill unlabeled rows`);
  return y;
}
