import { invalidParameter } from '@capstan/api';

/** A tabular file format `readColumns` reads, chosen by file extension. */
export type ColumnarFormat = 'csv' | 'parquet' | 'json';

const EXTENSIONS: readonly (readonly [string, ColumnarFormat])[] = [
  ['.csv', 'csv'], ['.tsv', 'csv'], ['.csv.gz', 'csv'], ['.tsv.gz', 'csv'], ['.csv.zst', 'csv'], ['.tsv.zst', 'csv'],
  ['.parquet', 'parquet'], ['.pq', 'parquet'],
  ['.jsonl', 'json'], ['.ndjson', 'json'], ['.json', 'json'], ['.jsonl.gz', 'json'], ['.ndjson.gz', 'json'], ['.json.gz', 'json'],
];

/**
 * The format `readColumns` would read `path` as: `.csv`/`.tsv` (optionally `.gz` or `.zst`),
 * `.parquet`/`.pq`, `.jsonl`/`.ndjson`/`.json` (optionally `.gz`); case-insensitive.
 * @throws CapstanError INVALID_PARAMETER_VALUE for any other extension, naming the supported ones.
 */
export function columnarFormatOf(path: string): ColumnarFormat {
  const lower = path.toLowerCase();
  const match = EXTENSIONS.find(([ext]) => lower.endsWith(ext));
  if (!match) {
    throw invalidParameter(`Cannot read '${path}': unsupported file type (expected one of ${EXTENSIONS.map(([ext]) => ext).join(', ')})`);
  }
  return match[1];
}
