/**
 * Turning JSON rows (records, columns, logged predictions) into typed drift-engine columns.
 */
import { invalidParameter } from '@capstan/api';
import type { Column } from '../drift/types.js';
import type { MonitorConfig } from './model.js';
import type { PredictionRecord } from '../../serving/model.js';

/** A JSON cell. */
export type Cell = number | string | boolean | null;
/** Columns of JSON cells, by name. */
export type JsonColumns = Record<string, Cell[]>;

/** Names of the prediction columns added to rows built from the prediction log. */
export const PREDICTION_COLUMN = 'prediction';
/** Name of the positive-class score column. */
export const SCORE_COLUMN = 'score';

/**
 * Records (`[{a: 1, b: 'x'}, ...]`) to columns; every record must have the same keys.
 * @throws INVALID_PARAMETER_VALUE on an empty list, a non-object record or mismatched keys.
 */
export function recordsToColumns(records: unknown[]): JsonColumns {
  if (records.length === 0) throw invalidParameter('The reference has no rows: give at least one record.');
  const first = records[0];
  if (!first || typeof first !== 'object' || Array.isArray(first)) throw invalidParameter('records[0] must be an object of column values.');
  const names = Object.keys(first).sort();
  const out: JsonColumns = Object.fromEntries(names.map((n) => [n, []]));
  records.forEach((r, i) => {
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw invalidParameter(`records[${i}] must be an object of column values.`);
    const keys = Object.keys(r).sort();
    if (keys.join('\u0000') !== names.join('\u0000')) {
      const missing = names.filter((n) => !(n in r));
      const extra = keys.filter((k) => !names.includes(k));
      throw invalidParameter(`records[${i}] has different columns from records[0]${missing.length ? `; missing: ${missing.join(', ')}` : ''}${extra.length ? `; extra: ${extra.join(', ')}` : ''}.`);
    }
    for (const n of names) out[n]!.push(cellOf((r as Record<string, unknown>)[n], `records[${i}].${n}`));
  });
  return out;
}

/**
 * Validates columns given as `{name: [values]}`: equal lengths, at least one row, JSON scalars.
 * @throws INVALID_PARAMETER_VALUE
 */
export function checkColumns(columns: Record<string, unknown>): JsonColumns {
  const names = Object.keys(columns);
  if (names.length === 0) throw invalidParameter('The reference has no columns.');
  let length = -1;
  const out: JsonColumns = {};
  for (const n of names) {
    const values = columns[n];
    if (!Array.isArray(values)) throw invalidParameter(`Column '${n}' must be an array of values.`);
    if (length === -1) length = values.length;
    else if (values.length !== length) throw invalidParameter(`Column '${n}' has ${values.length} values but '${names[0]}' has ${length}; columns must have equal lengths.`);
    out[n] = values.map((v, i) => cellOf(v, `${n}[${i}]`));
  }
  if (length === 0) throw invalidParameter('The reference has no rows: columns are empty.');
  return out;
}

function cellOf(v: unknown, where: string): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.length === 1) return cellOf(v[0], where);
  throw invalidParameter(`${where} must be a number, string, boolean or null; got ${Array.isArray(v) ? 'an array' : typeof v}.`);
}

/** Rows of a column set. */
export function rowCount(columns: JsonColumns): number {
  const first = Object.values(columns)[0];
  return first ? first.length : 0;
}

/**
 * The drift-engine column for JSON cells: numbers (and nulls) are `float`, booleans `bool`, strings
 * `string`; `expected` forces the kind seen in the reference.
 * @throws INVALID_PARAMETER_VALUE when a column mixes numbers with strings or booleans.
 */
export function typedColumn(name: string, cells: readonly Cell[], expected?: 'numeric' | 'categorical'): Column {
  let numbers = 0;
  let strings = 0;
  let bools = 0;
  for (const c of cells) {
    if (typeof c === 'number') numbers++;
    else if (typeof c === 'string') strings++;
    else if (typeof c === 'boolean') bools++;
  }
  const kind = expected ?? (strings + bools > 0 ? 'categorical' : 'numeric');
  if (kind === 'numeric') {
    if (strings + bools > 0) {
      const bad = cells.findIndex((c) => typeof c === 'string' || typeof c === 'boolean');
      throw invalidParameter(`Column '${name}' is numeric but row ${bad} holds ${JSON.stringify(cells[bad])}.`);
    }
    const values = new Float64Array(cells.length);
    cells.forEach((c, i) => (values[i] = c === null ? Number.NaN : (c as number)));
    return { name, dtype: 'float', values };
  }
  if (numbers > 0 && expected !== 'categorical') {
    const bad = cells.findIndex((c) => typeof c === 'number');
    throw invalidParameter(`Column '${name}' mixes types: row ${bad} holds the number ${String(cells[bad])} among strings or booleans.`);
  }
  return { name, dtype: strings === 0 && bools > 0 ? 'bool' : 'string', values: cells.map((c) => (c === null ? null : String(c))) };
}

function unwrap(v: unknown): Cell {
  while (Array.isArray(v) && v.length === 1) v = v[0];
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return null;
}

/** Rows of one logged prediction as columns: inputs (array cells split into `name_j`), `prediction`, `score`. */
export function predictionColumns(record: PredictionRecord, config: Pick<MonitorConfig, 'task' | 'predictionOutput' | 'scoreOutput' | 'scoreIndex'>): { rows: number; columns: JsonColumns } {
  const columns: JsonColumns = {};
  let rows = 0;
  for (const [name, raw] of Object.entries(record.inputs)) {
    if (!Array.isArray(raw)) continue;
    rows = Math.max(rows, raw.length);
    const wide = raw.length > 0 && Array.isArray(raw[0]) && (raw[0] as unknown[]).length > 1;
    if (wide) {
      const width = (raw[0] as unknown[]).length;
      for (let j = 0; j < width; j++) columns[`${name}_${j}`] = raw.map((r) => unwrap((r as unknown[])[j]));
    } else columns[name] = raw.map(unwrap);
  }
  const outputs = record.outputs ?? {};
  const predictionName = config.predictionOutput ?? ('label' in outputs ? 'label' : Object.keys(outputs)[0]);
  const prediction = predictionName ? outputs[predictionName] : undefined;
  if (Array.isArray(prediction)) columns[PREDICTION_COLUMN] = prediction.map(unwrap);
  if (config.task === 'classification') {
    const scoreName = config.scoreOutput ?? ('probabilities' in outputs ? 'probabilities' : undefined);
    const scores = scoreName ? outputs[scoreName] : undefined;
    if (Array.isArray(scores)) {
      columns[SCORE_COLUMN] = scores.map((s) => {
        const v = Array.isArray(s) ? (s.length === 1 ? s[0] : s[config.scoreIndex]) : s;
        return typeof v === 'number' ? v : null;
      });
    }
  }
  for (const [k, v] of Object.entries(columns)) {
    if (v.length !== rows) delete columns[k];
  }
  return { rows, columns };
}

/** Concatenates column sets; a column missing from one part gets nulls there. */
export function concatColumns(parts: { rows: number; columns: JsonColumns }[]): JsonColumns {
  const names = new Set<string>();
  for (const p of parts) for (const n of Object.keys(p.columns)) names.add(n);
  const out: JsonColumns = Object.fromEntries([...names].map((n) => [n, [] as Cell[]]));
  for (const p of parts) {
    for (const n of names) {
      const src = p.columns[n];
      const dst = out[n]!;
      if (src) for (const v of src) dst.push(v);
      else for (let i = 0; i < p.rows; i++) dst.push(null);
    }
  }
  return out;
}
