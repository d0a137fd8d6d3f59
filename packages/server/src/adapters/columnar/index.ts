import type { Column } from '../../core/monitoring/drift/types.js';
import type { ReadColumnsOptions } from './duckdb.js';

export { columnarFormatOf } from './formats.js';
export type { ColumnarFormat } from './formats.js';
export type { ReadColumnsOptions } from './duckdb.js';

/**
 * Reads a CSV, Parquet or JSON-lines file into the drift engine's columns (see `readColumns` in
 * `./duckdb.ts` for types and errors). DuckDB is loaded on the first call only (about 0.3 s), so
 * importing the server package stays fast.
 * @throws CapstanError INVALID_PARAMETER_VALUE when the file is missing, empty, of an unsupported
 * type, unreadable, has no rows, or lacks a requested column.
 */
export async function readColumns(path: string, options?: ReadColumnsOptions): Promise<Column[]> {
  const duckdb = await import('./duckdb.js');
  return duckdb.readColumns(path, options);
}
