import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { invalidParameter, isCapstanError } from '@capstan/api';
import type { ColumnarEngine, ColumnarSession, EngineColumn, TableSource } from '../../ports/columnar-engine.js';
import type { Column } from '../../core/monitoring/drift/types.js';
import { summarizeDuckDBError } from './duckdb.js';

const FORMAT_NAMES = { csv: 'CSV', parquet: 'Parquet', json: 'JSON lines' } as const;

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function ident(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Query results as plain JSON-able values: BIGINT as number, dates and timestamps as ISO strings. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    return String(value);
  }
  return value;
}

/**
 * {@link ColumnarEngine} over an in-process DuckDB: each session is its own in-memory database
 * in which every source is a view over its files (CSV forced to `,` or tab by extension with the
 * header row and strict field counts, so ragged rows are an error rather than silently skipped;
 * Parquet; JSON lines), unioned by column name.
 */
export class DuckDBColumnarEngine implements ColumnarEngine {
  constructor(private readonly options: { threads?: number; memoryLimit?: string } = {}) {}

  async open(sources: TableSource[]): Promise<ColumnarSession> {
    const config: Record<string, string> = { preserve_insertion_order: 'false' };
    if (this.options.threads) config.threads = String(this.options.threads);
    if (this.options.memoryLimit) config.memory_limit = this.options.memoryLimit;
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    const session = new DuckDBSession(instance, connection);
    try {
      for (const source of sources) await session.attach(source);
    } catch (e) {
      await session.close();
      throw e;
    }
    return session;
  }
}

class DuckDBSession implements ColumnarSession {
  private readonly labels = new Map<string, string>();

  constructor(private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection) {}

  async attach(source: TableSource): Promise<void> {
    const label = (source.labels ?? source.files).join(', ');
    this.labels.set(source.name, `${FORMAT_NAMES[source.format]} ${source.files.length > 1 ? 'files' : 'file'} ${label.length > 300 ? `${label.slice(0, 300)}…` : label}`);
    const list = `[${source.files.map(sqlString).join(', ')}]`;
    const candidates: string[] = [];
    if (source.format === 'parquet') candidates.push(`read_parquet(${list}, union_by_name = true)`);
    else if (source.format === 'json') candidates.push(`read_json(${list}, format = 'newline_delimited', union_by_name = true)`);
    else {
      const tab = source.files.every((f) => /\.tsv(\.[a-z0-9]+)?$/i.test(f));
      const text = source.textColumns?.length ? `, types = {${source.textColumns.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ')}}` : '';
      candidates.push(`read_csv(${list}, delim = ${tab ? "'\\t'" : "','"}, header = true, skip = 0, strict_mode = true, null_padding = false, union_by_name = true${text})`);
      candidates.push(`read_csv(${list}, header = true, skip = 0, strict_mode = true, null_padding = false, union_by_name = true${text})`);
    }
    let lastError: unknown;
    for (const reader of candidates) {
      try {
        await this.connection.run(`CREATE OR REPLACE VIEW ${ident(source.name)} AS SELECT * FROM ${reader}`);
        const probe = await this.connection.run(`SELECT * FROM ${ident(source.name)} LIMIT 0`);
        if (source.format === 'csv' && probe.columnCount === 1 && /[,;\t|]/.test(probe.columnNames()[0] ?? '')) {
          throw new Error('rows have different numbers of fields (ragged rows): every row needs as many fields as the header');
        }
        return;
      } catch (e) {
        lastError = e;
      }
    }
    throw this.unreadable(source.name, lastError);
  }

  async columns(table: string): Promise<EngineColumn[]> {
    const result = await this.guard(table, () => this.connection.run(`SELECT * FROM ${ident(table)} LIMIT 0`));
    const names = result.columnNames();
    return result.columnTypes().map((t, i) => ({ name: names[i]!, type: t.toString() }));
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const result = await this.guard(undefined, () => this.connection.runAndReadAll(sql));
    return result.getRowObjectsJS().map((row) => plain(row) as Record<string, unknown>);
  }

  async readColumns(table: string, names: string[]): Promise<Column[]> {
    const types = new Map((await this.columns(table)).map((c) => [c.name, c.type]));
    const numeric = names.map((n) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/.test(types.get(n) ?? ''));
    const exprs = names.map((n, i) => (numeric[i] ? `COALESCE(CAST(${ident(n)} AS DOUBLE), 'NaN'::DOUBLE)` : `CAST(${ident(n)} AS VARCHAR)`));
    const result = await this.guard(table, () => this.connection.runAndReadAll(`SELECT ${exprs.join(', ')} FROM ${ident(table)}`));
    const data = result.getColumnsJS();
    return names.map((name, i): Column => {
      const values = data[i] ?? [];
      if (numeric[i]) return { name, dtype: /INT/.test(types.get(name) ?? '') ? 'int' : 'float', values: Float64Array.from(values as number[]) };
      const dtype = types.get(name) === 'BOOLEAN' ? 'bool' : 'string';
      return { name, dtype, values: (values as unknown[]).map((v) => (v === null || v === undefined ? null : String(v))) };
    });
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async guard<T>(table: string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (isCapstanError(e)) throw e;
      if (table) throw this.unreadable(table, e);
      throw invalidParameter(summarizeDuckDBError(messageOf(e)));
    }
  }

  private unreadable(table: string, e: unknown): Error {
    const text = messageOf(e);
    const reason = /not possible to automatically detect the CSV parsing dialect|Expected Number of Columns|too many columns|did not have enough columns/i.test(text)
      ? 'rows have different numbers of fields (ragged rows): every row needs as many fields as the header'
      : summarizeDuckDBError(text);
    return invalidParameter(`Cannot read ${this.labels.get(table) ?? table}: ${reason}`);
  }
}
