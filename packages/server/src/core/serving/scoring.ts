import { invalidParameter } from '@capstan/api';
import type { ColumnSpec } from './mlmodel.js';
import { nestedValues } from './oip.js';
import {
  allocate, checkShape, elementCount, flatten, fromJsonValues, toJsonValues, type Tensor, type TensorSpec, type TensorType,
} from './tensors.js';

/** A model's inputs as serving sees them: ONNX tensor specs plus the MLflow signature columns. */
export interface ModelInputs {
  tensors: readonly TensorSpec[];
  columns?: readonly ColumnSpec[];
}

/** A decoded MLflow scoring request. */
export interface ScoringRequest {
  feeds: Record<string, Tensor>;
  /** Rows in, for tabular payloads (predictions come back one per row). */
  rows?: number;
  params?: Record<string, unknown>;
}

const INPUT_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** A table of rows, the common form of dataframe_split, dataframe_records, CSV and instances of objects. */
interface Table {
  columns: string[];
  rows: unknown[][];
}

/**
 * Decodes an MLflow scoring-server (`/invocations`) body: JSON with exactly one of
 * `dataframe_split`, `dataframe_records`, `instances`, `inputs` (plus optional `params`), or
 * CSV. Columns are matched to the model's signature (missing and extra columns are errors) and
 * converted to the model's tensors; nothing reaches the model unchecked.
 * @throws INVALID_PARAMETER_VALUE naming the field, column or row at fault
 */
export function decodeScoringRequest(body: unknown, contentType: string, model: ModelInputs): ScoringRequest {
  if (contentType === 'text/csv') return { ...tableToFeeds(parseCsv(String(body ?? '')), model) };
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidParameter(`The input must be a JSON dictionary with exactly one of the input fields {${INPUT_KEYS.map((k) => `'${k}'`).join(', ')}}. Received ${Array.isArray(body) ? 'a list' : typeof body}.`);
  }
  const b = body as Record<string, unknown>;
  const present = INPUT_KEYS.filter((k) => b[k] !== undefined);
  if (present.length !== 1) {
    throw invalidParameter(`The input must be a JSON dictionary with exactly one of the input fields {${INPUT_KEYS.map((k) => `'${k}'`).join(', ')}}. Received ${present.length ? present.map((k) => `'${k}'`).join(', ') : 'none of them'}.`);
  }
  const params = b.params && typeof b.params === 'object' && !Array.isArray(b.params) ? b.params as Record<string, unknown> : undefined;
  const key = present[0]!;
  const value = b[key];
  let out: ScoringRequest;
  switch (key) {
    case 'dataframe_split': out = tableToFeeds(splitTable(value), model); break;
    case 'dataframe_records': out = tableToFeeds(recordsTable(value, 'dataframe_records'), model); break;
    case 'instances':
      if (!Array.isArray(value)) throw invalidParameter("'instances' must be a list of rows.");
      out = value.length > 0 && value.every(isRecord) ? tableToFeeds(recordsTable(value, 'instances'), model) : tensorFeeds({ [onlyInput(model).name]: value }, model);
      break;
    case 'inputs':
      out = isRecord(value) && !model.tensors.some((t) => t.name === 'inputs') ? tensorFeeds(value, model) : tensorFeeds({ [onlyInput(model).name]: value }, model);
      break;
  }
  return params ? { ...out, params } : out;
}

/**
 * Formats model outputs as MLflow does: per row for tabular inputs (a value per row for one
 * output, a record of outputs per row for several), or output tensors for tensor inputs.
 */
export function scoringPredictions(outputs: Record<string, Tensor>, rows: number | undefined): unknown {
  const names = Object.keys(outputs);
  if (rows === undefined) {
    if (names.length === 1) return nestedValues(outputs[names[0]!]!);
    return Object.fromEntries(names.map((n) => [n, nestedValues(outputs[n]!)]));
  }
  const perRow = names.map((n) => rowValues(outputs[n]!, rows));
  if (names.length === 1) return perRow[0];
  return Array.from({ length: rows }, (_, r) => Object.fromEntries(names.map((n, i) => [n, perRow[i]![r]])));
}

function rowValues(t: Tensor, rows: number): unknown[] {
  const flat = toJsonValues(t);
  if (t.dims[0] !== rows || rows === 0) return [nestedValues(t)];
  const width = flat.length / rows;
  if (width === 1) return flat;
  return Array.from({ length: rows }, (_, r) => flat.slice(r * width, (r + 1) * width));
}

function onlyInput(model: ModelInputs): TensorSpec {
  if (model.tensors.length !== 1) {
    throw invalidParameter(`This model has ${model.tensors.length} inputs (${model.tensors.map((t) => `'${t.name}'`).join(', ')}): send a dictionary of input name to values, or a dataframe with those columns.`);
  }
  return model.tensors[0]!;
}

function tensorFeeds(values: Record<string, unknown>, model: ModelInputs): ScoringRequest {
  const feeds: Record<string, Tensor> = {};
  const byName = new Map(model.tensors.map((t) => [t.name, t]));
  for (const [name, v] of Object.entries(values)) {
    const spec = byName.get(name);
    if (!spec) throw invalidParameter(`Unknown input '${name}'; the model's inputs are ${[...byName.keys()].map((n) => `'${n}'`).join(', ')}.`);
    const dims = nestedDims(`input '${name}'`, v);
    const what = `input '${name}'`;
    const fixed = spec.shape.length === dims.length + 1 && spec.shape[0] === -1 ? [1, ...dims] : dims;
    checkShape(what, fixed, spec);
    feeds[name] = { type: spec.type, dims: fixed, data: fromJsonValues(what, spec.type, flatten(v)) };
  }
  const missing = model.tensors.filter((t) => !feeds[t.name]);
  if (missing.length) throw invalidParameter(`Missing input(s) ${missing.map((t) => `'${t.name}'`).join(', ')}.`);
  return { feeds };
}

function nestedDims(what: string, v: unknown): number[] {
  const dims: number[] = [];
  let cur = v;
  while (Array.isArray(cur)) {
    dims.push(cur.length);
    cur = cur[0];
  }
  const count = elementCount(dims);
  if (flatten(v).length !== count) throw invalidParameter(`${what}: nested lists are ragged; every row must have the same length.`);
  return dims;
}

function splitTable(v: unknown): Table {
  if (!isRecord(v)) throw invalidParameter("'dataframe_split' must be an object with 'columns' and 'data'.");
  const columns = v.columns;
  const data = v.data;
  if (!Array.isArray(data)) throw invalidParameter("'dataframe_split.data' must be a list of rows.");
  const cols = Array.isArray(columns) ? columns.map(String) : (data[0] as unknown[] | undefined ?? []).map((_, i) => String(i));
  data.forEach((row, i) => {
    if (!Array.isArray(row)) throw invalidParameter(`'dataframe_split.data[${i}]' must be a list of values.`);
    if (row.length !== cols.length) throw invalidParameter(`'dataframe_split.data[${i}]' has ${row.length} value(s) but there are ${cols.length} columns.`);
  });
  return { columns: cols, rows: data as unknown[][] };
}

function recordsTable(v: unknown, field: string): Table {
  if (!Array.isArray(v)) throw invalidParameter(`'${field}' must be a list of records ({"column": value}).`);
  const columns: string[] = [];
  const seen = new Set<string>();
  v.forEach((r, i) => {
    if (!isRecord(r)) throw invalidParameter(`'${field}[${i}]' must be an object mapping column names to values.`);
    for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); columns.push(k); }
  });
  return { columns, rows: (v as Record<string, unknown>[]).map((r) => columns.map((c) => r[c] ?? null)) };
}

/** Splits CSV text (RFC 4180 quoting; the first line is the header) into a table of strings. */
export function parseCsv(text: string): Table {
  const records: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') records.push(row);
      row = [];
    } else field += c;
  }
  if (quoted) throw invalidParameter('CSV input has an unterminated quoted field.');
  if (field !== '' || row.length > 0) { row.push(field); records.push(row); }
  if (records.length === 0) throw invalidParameter('CSV input is empty: send a header line and at least one row.');
  const [columns, ...rows] = records as [string[], ...string[][]];
  rows.forEach((r, i) => {
    if (r.length !== columns.length) throw invalidParameter(`CSV line ${i + 2} has ${r.length} field(s) but the header has ${columns.length}.`);
  });
  return { columns, rows: rows.map((r) => r.map((v) => (v === '' ? null : v))) };
}

function tableToFeeds(table: Table, model: ModelInputs): ScoringRequest {
  const n = table.rows.length;
  if (n === 0) throw invalidParameter('The input has no rows.');
  const index = new Map(table.columns.map((c, i) => [c, i]));
  const signature = model.columns;
  if (signature) {
    const missing = signature.filter((c) => c.required && !index.has(c.name));
    if (missing.length) throw invalidParameter(`Missing column(s) ${missing.map((c) => `'${c.name}'`).join(', ')}; the model's signature needs ${signature.map((c) => `'${c.name}'`).join(', ')}.`);
    const known = new Set(signature.map((c) => c.name));
    const extra = table.columns.filter((c) => !known.has(c));
    if (extra.length) throw invalidParameter(`Unexpected column(s) ${extra.map((c) => `'${c}'`).join(', ')}; the model's signature has only ${signature.map((c) => `'${c.name}'`).join(', ')}.`);
  }
  const optional = new Set((signature ?? []).filter((c) => !c.required).map((c) => c.name));
  const perColumn = model.tensors.every((t) => index.has(t.name) || optional.has(t.name));
  const feeds: Record<string, Tensor> = {};
  if (perColumn && (model.tensors.length > 1 || index.has(model.tensors[0]!.name))) {
    for (const spec of model.tensors) {
      const col = index.get(spec.name);
      const dims = spec.shape.length === 1 ? [n] : [n, 1];
      checkShape(`column '${spec.name}'`, dims, spec);
      feeds[spec.name] = { type: spec.type, dims, data: columnValues(table, col, spec.name, spec.type, optional.has(spec.name)) };
    }
    return { feeds, rows: n };
  }
  const spec = onlyInput(model);
  const order = signature ? signature.map((c) => c.name).filter((c) => index.has(c)) : table.columns;
  const width = spec.shape.length >= 2 ? spec.shape[spec.shape.length - 1]! : 1;
  if (width >= 0 && order.length !== width) {
    throw invalidParameter(`The input has ${order.length} column(s) but the model's input '${spec.name}' takes ${width} feature(s) (shape [${spec.shape.join(', ')}]).`);
  }
  const data = allocate(spec.type, n * order.length);
  order.forEach((c, j) => {
    const values = columnValues(table, index.get(c), c, spec.type, optional.has(c));
    for (let r = 0; r < n; r++) (data as unknown[])[r * order.length + j] = (values as unknown[])[r];
  });
  const dims = spec.shape.length === 1 ? [n * order.length] : [n, order.length];
  checkShape(`input '${spec.name}'`, dims, spec);
  feeds[spec.name] = { type: spec.type, dims, data };
  return { feeds, rows: n };
}

function columnValues(table: Table, col: number | undefined, name: string, type: TensorType, optional: boolean): ReturnType<typeof allocate> {
  const values = table.rows.map((r, i) => {
    const v = col === undefined ? null : r[col];
    if (v === null || v === undefined) {
      if (optional && (type === 'float32' || type === 'float64')) return Number.NaN;
      if (optional && type === 'string') return '';
      throw invalidParameter(`Column '${name}' row ${i} is missing; the model's signature requires a value.`);
    }
    if (typeof v === 'string' && type !== 'string') {
      const num = v.trim() === '' ? Number.NaN : Number(v);
      if (type === 'bool' && (v === 'true' || v === 'false' || v === 'True' || v === 'False')) return v.toLowerCase() === 'true';
      if (!Number.isFinite(num)) throw invalidParameter(`Column '${name}' row ${i} is ${JSON.stringify(v)}; expected a number.`);
      return num;
    }
    return v;
  });
  if (optional && (type === 'float32' || type === 'float64')) {
    const out = allocate(type, values.length) as Float64Array;
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !(Number.isFinite(v) || Number.isNaN(v))) throw invalidParameter(`Column '${name}' row ${i} is ${JSON.stringify(v)}; expected a finite number.`);
      out[i] = v;
    });
    return out;
  }
  try {
    return fromJsonValues(`column '${name}'`, type, values);
  } catch (error) {
    throw invalidParameter((error as Error).message.replace(/^column '(.*)': element (\d+)/, "Column '$1' row $2"));
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
