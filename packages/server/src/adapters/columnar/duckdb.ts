import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBMaterializedResult, DuckDBResult, DuckDBVector } from '@duckdb/node-api';
import { invalidParameter, isCapstanError } from '@capstan/api';
import type { CapstanError } from '@capstan/api';
import type { CategoricalColumn, Column, NumericColumn } from '../../core/monitoring/drift/types.js';
import { columnarFormatOf } from './formats.js';
import type { ColumnarFormat } from './formats.js';

/** Options of {@link readColumns}. */
export interface ReadColumnsOptions {
  /** Read only these columns, in this order (default: every column, in file order). */
  columns?: string[];
  /** Called with the share of the work done (0 to 1), several times a second on big files. */
  onProgress?: (fraction: number) => void;
  /** Interrupts the read (it then rejects) when aborted. */
  signal?: AbortSignal;
}

const FORMAT_NAMES: Record<ColumnarFormat, string> = { csv: 'CSV', parquet: 'Parquet', json: 'JSON' };
const INT_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
]);
const FLOAT_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL]);
const ENUM_MAX_VALUES = 65_536;
const ENUM_MIN_ROWS_PER_VALUE = 16;
const SCAN_SHARE = 0.8;
const PROGRESS_MS = 100;

/**
 * Reads a CSV, Parquet or JSON-lines file (format by extension, see {@link columnarFormatOf}) into
 * the drift engine's columns, through an in-process DuckDB. CSV dialect, header and column types
 * are auto-detected (types over the whole file when a late row contradicts the sample).
 * Integer columns become `int` and floating-point or decimal ones `float` (a `Float64Array`, NaN
 * for null); booleans become `bool` and every other type (text, dates, timestamps, ...) `string`,
 * as the text DuckDB prints.
 * @throws CapstanError INVALID_PARAMETER_VALUE when the file is missing, not a regular file, empty,
 * of an unsupported type, unreadable as its format (DuckDB's reason summarised, e.g. the line of
 * a ragged CSV), has no rows, or lacks a column named in `options.columns`.
 */
export async function readColumns(path: string, options: ReadColumnsOptions = {}): Promise<Column[]> {
  const format = columnarFormatOf(path);
  await checkFile(path);
  const instance = await DuckDBInstance.create(':memory:', { preserve_insertion_order: 'false' });
  try {
    const connection = await instance.connect();
    const interrupt = () => connection.interrupt();
    options.signal?.addEventListener('abort', interrupt);
    try {
      options.signal?.throwIfAborted();
      return await new ColumnReader(connection, path, format, options).read();
    } finally {
      options.signal?.removeEventListener('abort', interrupt);
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function checkFile(path: string): Promise<void> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw invalidParameter(`Cannot read '${path}': no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw invalidParameter(`Cannot read '${path}': permission denied`);
    throw e;
  }
  if (!info.isFile()) throw invalidParameter(`Cannot read '${path}': not a regular file`);
  if (info.size === 0) throw invalidParameter(`Cannot read '${path}': the file is empty`);
}

interface Field {
  name: string;
  dtype: Column['dtype'];
}

class ColumnReader {
  private readonly label: string;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly path: string,
    private readonly format: ColumnarFormat,
    private readonly options: ReadColumnsOptions,
  ) {
    this.label = `Cannot read '${path}' as ${FORMAT_NAMES[format]}`;
  }

  async read(): Promise<Column[]> {
    const source = this.source();
    const found = await this.schema(source);
    if (this.format === 'csv') await this.diagnoseRagged(found);
    const fields = this.select(found);
    try {
      return await this.load(source, fields);
    } catch (e) {
      if (isCapstanError(e)) throw e;
      if (this.format !== 'csv' || !/^Conversion Error/.test(errorMessage(e))) throw this.unreadable(e);
    }
    const wholeFile = this.source('sample_size = -1');
    return this.guard(async () => this.load(wholeFile, this.select(await this.schema(wholeFile))));
  }

  private source(extra?: string): string {
    const file = sqlString(this.path);
    switch (this.format) {
      case 'csv': return `read_csv(${file}${extra ? `, ${extra}` : ''})`;
      case 'parquet': return `read_parquet(${file})`;
      case 'json': return `read_json(${file}, format = 'auto')`;
    }
  }

  private async schema(source: string): Promise<Field[]> {
    const result = await this.guard(() => this.connection.run(`SELECT * FROM ${source} LIMIT 0`));
    const names = result.columnNames();
    return result.columnTypes().map((type, i) => ({ name: names[i]!, dtype: dtypeOf(type.typeId) }));
  }

  private select(fields: Field[]): Field[] {
    const wanted = this.options.columns;
    if (wanted === undefined) return fields;
    const byName = new Map(fields.map((f) => [f.name, f]));
    const missing = wanted.filter((name) => !byName.has(name));
    if (missing.length > 0) {
      const list = missing.map((m) => `'${m}'`).join(', ');
      throw invalidParameter(`'${this.path}' has no column${missing.length > 1 ? 's' : ''} ${list} (it has: ${fields.map((f) => f.name).join(', ')})`);
    }
    return [...new Set(wanted)].map((name) => byName.get(name)!);
  }

  /** The sniffer falls back to one text column when rows disagree on their field count; say where. */
  private async diagnoseRagged(fields: Field[]): Promise<void> {
    if (fields.length !== 1) return;
    const header = fields[0]!.name;
    const delimiter = [',', '\t', ';', '|'].find((d) => header.includes(d));
    if (delimiter === undefined) return;
    const count = header.split(delimiter).length;
    const columns = Array.from({ length: count }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
    const strict = `read_csv(${sqlString(this.path)}, auto_detect = false, header = true, delim = ${sqlString(delimiter)}, columns = {${columns}})`;
    await this.guard(() => this.connection.run(`SELECT count(*) FROM ${strict}`));
  }

  private async load(source: string, fields: Field[]): Promise<Column[]> {
    if (fields.every((f) => isNumeric(f.dtype))) {
      const numbers = fields.map((f, i) => `COALESCE(CAST(${sqlName(f.name)} AS DOUBLE), 'NaN'::DOUBLE) AS c${i}`);
      const result = await this.scan(`SELECT ${numbers.join(', ')} FROM ${source}`);
      return this.fetch(result, fields, this.nonEmpty(result.rowCount), new Map());
    }
    const casts = fields.map((f, i) => `CAST(${sqlName(f.name)} AS ${isNumeric(f.dtype) ? 'DOUBLE' : 'VARCHAR'}) AS c${i}`);
    await this.connection.run('DROP TABLE IF EXISTS data');
    await this.scan(`CREATE TEMP TABLE data AS SELECT ${casts.join(', ')} FROM ${source}`);

    const categorical = fields.flatMap((f, i) => (isNumeric(f.dtype) ? [] : [i]));
    const counts = await this.connection.runAndReadAll(
      `SELECT ${['count(*)', ...categorical.map((i) => `count(DISTINCT c${i})`)].join(', ')} FROM data`,
    );
    const [rowCount, ...distinct] = (counts.getRowsJS()[0] ?? []).map(Number);
    const rows = this.nonEmpty(rowCount ?? 0);
    const dictionaries = new Map<number, string[]>();
    for (const [k, i] of categorical.entries()) {
      const values = distinct[k] ?? 0;
      if (values > 0 && values <= ENUM_MAX_VALUES && values * ENUM_MIN_ROWS_PER_VALUE <= rows) {
        dictionaries.set(i, await this.dictionary(i));
      }
    }
    const exprs = fields.map((f, i) =>
      isNumeric(f.dtype) ? `COALESCE(c${i}, 'NaN'::DOUBLE)` : dictionaries.has(i) ? `COALESCE(CAST(enum_code(CAST(c${i} AS e${i})) AS DOUBLE), -1)` : `c${i}`,
    );
    return this.fetch(await this.connection.stream(`SELECT ${exprs.join(', ')} FROM data`), fields, rows, dictionaries);
  }

  private nonEmpty(rows: number): number {
    if (rows === 0) throw invalidParameter(`${this.label}: the file has no rows`);
    return rows;
  }

  /** Low-cardinality text travels as enum codes: decoding each string per row dominates otherwise. */
  private async dictionary(i: number): Promise<string[]> {
    await this.connection.run(`DROP TYPE IF EXISTS e${i}`);
    await this.connection.run(`CREATE TYPE e${i} AS ENUM (SELECT DISTINCT c${i} FROM data WHERE c${i} IS NOT NULL)`);
    const values = await this.connection.runAndReadAll(`SELECT CAST(unnest(enum_range(NULL::e${i})) AS VARCHAR)`);
    return values.getColumnsJS()[0]!.map(String);
  }

  private async fetch(result: DuckDBResult, fields: Field[], rows: number, dictionaries: Map<number, string[]>): Promise<Column[]> {
    const columns: Column[] = fields.map((f) =>
      isNumeric(f.dtype)
        ? { name: f.name, dtype: f.dtype as NumericColumn['dtype'], values: new Float64Array(rows) }
        : { name: f.name, dtype: f.dtype as CategoricalColumn['dtype'], values: new Array<string | null>(rows).fill(null) },
    );
    let offset = 0;
    for (let chunk = await result.fetchChunk(); chunk; chunk = await result.fetchChunk()) {
      const n = Math.min(chunk.rowCount, rows - offset);
      if (n <= 0) break;
      for (let i = 0; i < columns.length; i++) {
        const values = columns[i]!.values;
        const vector = chunk.getColumnVector(i);
        if (values instanceof Float64Array) copyNumbers(vector as DuckDBVector<number>, values, offset, n);
        else copyStrings(vector, values, offset, n, dictionaries.get(i));
      }
      offset += n;
      this.options.onProgress?.(SCAN_SHARE + ((1 - SCAN_SHARE) * offset) / rows);
    }
    return columns;
  }

  private async scan(sql: string): Promise<DuckDBMaterializedResult> {
    const onProgress = this.options.onProgress;
    if (!onProgress) return this.connection.run(sql);
    await this.connection.run('SET enable_progress_bar = true');
    await this.connection.run('SET enable_progress_bar_print = false');
    const timer = setInterval(() => {
      const { percentage } = this.connection.progress;
      if (percentage >= 0) onProgress((SCAN_SHARE * Math.min(100, percentage)) / 100);
    }, PROGRESS_MS);
    try {
      return await this.connection.run(sql);
    } finally {
      clearInterval(timer);
      onProgress(SCAN_SHARE);
    }
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw isCapstanError(e) ? e : this.unreadable(e);
    }
  }

  private unreadable(e: unknown): CapstanError {
    return invalidParameter(`${this.label}: ${summarizeDuckDBError(errorMessage(e))}`);
  }
}

/**
 * Copies a DOUBLE vector's values. The queries coalesce NULL to NaN, so every item is valid and
 * the vector's own Float64Array can be copied in one go; other vectors go item by item.
 */
function copyNumbers(vector: DuckDBVector<number>, into: Float64Array, offset: number, n: number): void {
  const items = (vector as { items?: unknown }).items;
  if (items instanceof Float64Array && items.length >= n) {
    into.set(items.subarray(0, n), offset);
    return;
  }
  for (let r = 0; r < n; r++) into[offset + r] = vector.getItem(r) ?? Number.NaN;
}

function copyStrings(vector: DuckDBVector, into: (string | null)[], offset: number, n: number, dictionary: string[] | undefined): void {
  if (dictionary) {
    const codes = vector as DuckDBVector<number>;
    for (let r = 0; r < n; r++) {
      const code = codes.getItem(r) ?? -1;
      into[offset + r] = code < 0 ? null : dictionary[code]!;
    }
    return;
  }
  const text = vector as DuckDBVector<string>;
  for (let r = 0; r < n; r++) into[offset + r] = text.getItem(r);
}

function dtypeOf(type: DuckDBTypeId): Column['dtype'] {
  if (INT_TYPES.has(type)) return 'int';
  if (FLOAT_TYPES.has(type)) return 'float';
  return type === DuckDBTypeId.BOOLEAN ? 'bool' : 'string';
}

function isNumeric(dtype: Column['dtype']): boolean {
  return dtype === 'float' || dtype === 'int';
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function sqlName(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const MAX_LINE = 120;

/**
 * The gist of a DuckDB error: its type prefix, hints ("Possible fixes"), reader settings and the
 * SQL excerpt dropped, the remaining lines joined with `; `.
 */
export function summarizeDuckDBError(message: string): string {
  const lines: string[] = [];
  for (const raw of message.replace(/^[A-Za-z ]*Error: /, '').split('\n')) {
    const line = raw.trim();
    if (line === '' && lines.length > 0) break;
    if (/^(Possible (fixes|solutions)|The search space used was|LINE \d+:)/.test(line)) break;
    if (line !== '') lines.push(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line);
  }
  return lines.join('; ').replace(/\.;/g, ';') || message.trim();
}
