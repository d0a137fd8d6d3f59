import type { Readable } from 'node:stream';
import type { Column } from '../core/monitoring/drift/types.js';

/** A tabular file format the engine reads. */
export type TableFormat = 'csv' | 'parquet' | 'json';

/** Files read as one table (unioned by column name). */
export interface TableSource {
  /** SQL name of the table inside the session (a plain identifier). */
  name: string;
  format: TableFormat;
  /** Local file paths. */
  files: string[];
  /** How errors name each file (e.g. its path in a dataset version); defaults to the local path. */
  labels?: string[];
  /** CSV only: columns read as text as written, whatever type detection would make of them. */
  textColumns?: string[];
}

/** A column as the engine types it (DuckDB type names such as BIGINT, DOUBLE, VARCHAR). */
export interface EngineColumn {
  name: string;
  type: string;
}

/**
 * A session over local tabular files: each source is a SQL view. Results of `query` are small
 * (aggregates, samples); numbers come back as JS numbers, dates and timestamps as ISO strings.
 */
export interface ColumnarSession {
  columns(table: string): Promise<EngineColumn[]>;
  /** Runs one SELECT. @throws CapstanError INVALID_PARAMETER_VALUE with the engine's reason. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** The drift engine's columns of a table (for drift checks). */
  readColumns(table: string, columns: string[]): Promise<Column[]>;
  close(): Promise<void>;
}

/** Opens sessions over local tabular files (DuckDB in `adapters/columnar`). */
export interface ColumnarEngine {
  /**
   * @throws CapstanError INVALID_PARAMETER_VALUE when a file cannot be read as its format (ragged
   * CSV, corrupt Parquet), with the engine's reason.
   */
  open(sources: TableSource[]): Promise<ColumnarSession>;
}

/** Turns content-addressed blobs into local files the engine can read. */
export interface BlobFiles {
  /** A local path holding the blob's bytes, ending in `suffix` (e.g. `.csv.gz`); `open` reads the blob when it is not there yet. */
  localPath(digest: string, suffix: string, open: () => Promise<Readable>): Promise<string>;
}
