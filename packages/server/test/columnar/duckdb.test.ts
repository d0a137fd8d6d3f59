import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import { columnarFormatOf, readColumns } from '../../src/adapters/columnar/index.js';
import { summarizeDuckDBError } from '../../src/adapters/columnar/duckdb.js';
import type { Column } from '../../src/core/monitoring/drift/types.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capstan-columnar-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function duckdb(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function byName(columns: Column[]): Record<string, Column> {
  return Object.fromEntries(columns.map((c) => [c.name, c]));
}

function numbers(column: Column | undefined): number[] {
  expect(column?.values).toBeInstanceOf(Float64Array);
  return Array.from(column!.values as Float64Array);
}

async function failure(path: string, options?: { columns?: string[] }): Promise<string> {
  try {
    await readColumns(path, options);
  } catch (e) {
    expect(isCapstanError(e), String(e)).toBe(true);
    expect((e as { code: string }).code).toBe('INVALID_PARAMETER_VALUE');
    return (e as Error).message;
  }
  throw new Error(`reading ${path} did not fail`);
}

describe('readColumns: CSV', () => {
  it('auto-detects types; numbers become Float64Array with NaN for null, the rest strings with null', async () => {
    const path = await file('types.csv', [
      'id,score,label,flag,day,at,amount',
      '1,0.5,a,true,2024-01-02,2024-01-02 03:04:05,1.25',
      '2,,b,false,2024-01-03,2024-01-03 00:00:00,',
      '3,2.5,,true,,2024-01-04 12:00:00,3.5',
      ',nan,a,,2024-01-05,,4',
    ].join('\n') + '\n');
    const columns = await readColumns(path);
    expect(columns.map((c) => [c.name, c.dtype])).toEqual([
      ['id', 'int'], ['score', 'float'], ['label', 'string'], ['flag', 'bool'], ['day', 'string'], ['at', 'string'], ['amount', 'float'],
    ]);
    const c = byName(columns);
    expect(numbers(c.id)).toEqual([1, 2, 3, NaN]);
    expect(numbers(c.score)).toEqual([0.5, NaN, 2.5, NaN]);
    expect(c.label!.values).toEqual(['a', 'b', null, 'a']);
    expect(c.flag!.values).toEqual(['true', 'false', 'true', null]);
    expect(c.day!.values).toEqual(['2024-01-02', '2024-01-03', null, '2024-01-05']);
    expect(c.at!.values).toEqual(['2024-01-02 03:04:05', '2024-01-03 00:00:00', '2024-01-04 12:00:00', null]);
    expect(numbers(c.amount)).toEqual([1.25, NaN, 3.5, 4]);
  });

  it('reads only --columns, in the order asked, and names missing ones with the columns present', async () => {
    const path = await file('pick.csv', 'a,b,c\n1,x,2.5\n2,y,3.5\n');
    const columns = await readColumns(path, { columns: ['c', 'a', 'c'] });
    expect(columns.map((c) => c.name)).toEqual(['c', 'a']);
    expect(numbers(columns[1])).toEqual([1, 2]);
    const message = await failure(path, { columns: ['a', 'nope', 'zip'] });
    expect(message).toContain("no columns 'nope', 'zip'");
    expect(message).toContain('it has: a, b, c');
  });

  it('reads .tsv, .csv.gz, quoted names and paths with quotes', async () => {
    const tsv = await readColumns(await file('t.tsv', 'x\ty\n1\tp\n2\tq\n'));
    expect(tsv.map((c) => [c.name, c.dtype])).toEqual([['x', 'int'], ['y', 'string']]);
    const gz = await readColumns(await file('g.csv.gz', gzipSync('x,y\n1.5,p\n2.5,q\n')));
    expect(numbers(gz[0])).toEqual([1.5, 2.5]);
    const odd = await readColumns(await file("it's.csv", '"a ""b""",c d\n1,2\n'));
    expect(odd.map((c) => c.name)).toEqual(['a "b"', 'c d']);
  });

  it('types a column from the whole file when a late row contradicts the sniffed sample', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i / 2}`);
    const path = await file('late.csv', ['a,b', ...rows, 'oops,1'].join('\n'));
    const c = byName(await readColumns(path));
    expect(c.a!.dtype).toBe('string');
    expect(c.a!.values[30_000]).toBe('oops');
    expect(c.b!.dtype).toBe('float');
  });

  it('maps low- and high-cardinality text exactly, with nulls, and reports progress up to 1', async () => {
    const n = 40_000;
    const lines = ['low,high,x'];
    for (let i = 0; i < n; i++) lines.push(`${i % 7 === 0 ? '' : `k${i % 5}`},id-${i},${i}`);
    const path = await file('cardinality.csv', `${lines.join('\n')}\n`);
    const progress: number[] = [];
    const c = byName(await readColumns(path, { onProgress: (f) => progress.push(f) }));
    expect(c.low!.values.length).toBe(n);
    for (let i = 0; i < n; i++) {
      if (c.low!.values[i] !== (i % 7 === 0 ? null : `k${i % 5}`) || c.high!.values[i] !== `id-${i}`) throw new Error(`row ${i} differs`);
    }
    expect(numbers(c.x).reduce((s, v) => s + v, 0)).toBe((n * (n - 1)) / 2);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});

describe('readColumns: Parquet and JSON', () => {
  it('reads Parquet types: integers as int, floats and decimals as float, the rest as strings', async () => {
    const path = join(dir, 'types.parquet');
    await duckdb(`COPY (
      SELECT * FROM (VALUES
        (1::TINYINT, 10::INTEGER, 100::BIGINT, 1.5::FLOAT, 0.25::DOUBLE, 12.34::DECIMAL(10,2), 'a', true, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05', 7::UBIGINT),
        (NULL, NULL, NULL, NULL, 'NaN'::DOUBLE, NULL, NULL, NULL, NULL, NULL, NULL),
        (3, 30, 300, -2.5, 'Infinity'::DOUBLE, -1.5, 'c', false, DATE '2024-02-03', TIMESTAMP '2024-02-03 00:00:00', 9)
      ) t(ti, i, bi, f, d, dec, s, b, day, ts, ub)
    ) TO '${path}' (FORMAT parquet)`);
    const columns = await readColumns(path);
    expect(columns.map((c) => c.dtype)).toEqual(['int', 'int', 'int', 'float', 'float', 'float', 'string', 'bool', 'string', 'string', 'int']);
    const c = byName(columns);
    expect(numbers(c.ti)).toEqual([1, NaN, 3]);
    expect(numbers(c.bi)).toEqual([100, NaN, 300]);
    expect(numbers(c.f)).toEqual([1.5, NaN, -2.5]);
    expect(numbers(c.d)).toEqual([0.25, NaN, Infinity]);
    expect(numbers(c.dec)).toEqual([12.34, NaN, -1.5]);
    expect(numbers(c.ub)).toEqual([7, NaN, 9]);
    expect(c.s!.values).toEqual(['a', null, 'c']);
    expect(c.b!.values).toEqual(['true', null, 'false']);
    expect(c.day!.values).toEqual(['2024-01-02', null, '2024-02-03']);
    expect(c.ts!.values).toEqual(['2024-01-02 03:04:05', null, '2024-02-03 00:00:00']);
  });

  it('reads a large Parquet file column by column', async () => {
    const path = join(dir, 'big.parquet');
    await duckdb(`COPY (SELECT range::DOUBLE AS x, (range % 3)::VARCHAR AS k FROM range(100000)) TO '${path}' (FORMAT parquet)`);
    const c = byName(await readColumns(path, { columns: ['x', 'k'] }));
    const x = numbers(c.x);
    expect(x.length).toBe(100_000);
    expect(x.reduce((s, v) => s + v, 0)).toBe((100_000 * 99_999) / 2);
    const shares = new Map<string | null, number>();
    for (const v of c.k!.values as (string | null)[]) shares.set(v, (shares.get(v) ?? 0) + 1);
    expect(Object.fromEntries(shares)).toEqual({ 0: 33_334, 1: 33_333, 2: 33_333 });
  });

  it('reads JSON lines', async () => {
    const path = await file('rows.jsonl', '{"a": 1, "b": "x", "c": 0.5}\n{"a": 2, "b": null, "c": null}\n');
    const c = byName(await readColumns(path));
    expect([c.a!.dtype, c.b!.dtype, c.c!.dtype]).toEqual(['int', 'string', 'float']);
    expect(numbers(c.c)).toEqual([0.5, NaN]);
    expect(c.b!.values).toEqual(['x', null]);
  });
});

describe('readColumns: errors', () => {
  it('names a missing file, a directory, an empty file and an unknown extension', async () => {
    expect(await failure(join(dir, 'absent.csv'))).toBe(`Cannot read '${join(dir, 'absent.csv')}': no such file`);
    await mkdir(join(dir, 'folder.csv'));
    expect(await failure(join(dir, 'folder.csv'))).toContain('not a regular file');
    expect(await failure(await file('empty.csv', ''))).toContain('the file is empty');
    const unknown = await failure(await file('data.xlsx', 'x'));
    expect(unknown).toContain('unsupported file type');
    expect(unknown).toContain('.parquet');
  });

  it('rejects a CSV with a header but no rows', async () => {
    expect(await failure(await file('header.csv', 'a,b\n'))).toContain('the file has no rows');
  });

  it('summarises a ragged CSV with the line DuckDB stopped at', async () => {
    const long = await failure(await file('ragged.csv', 'a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n1,2,3\n'));
    expect(long).toMatch(/^Cannot read '.*ragged\.csv' as CSV: CSV Error on Line: 4; Original Line: 7,8,9,10; Expected Number of Columns: 3 Found: 4$/);
    const short = await failure(await file('short.csv', 'a,b,c\n1,2,3\n4,5\n7,8,9\n'));
    expect(short).toContain('Expected Number of Columns: 3 Found: 2');
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i}`);
    const late = await failure(await file('late-ragged.csv', ['a,b', ...rows, '1,2,3', '4,5'].join('\n')));
    expect(late).toContain('Expected Number of Columns: 2 Found: 3');
    expect(late).not.toContain('Possible');
  });

  it('summarises files that are not what their extension says', async () => {
    const parquet = await failure(await file('fake.parquet', 'a,b\n1,2\n'.repeat(100)));
    expect(parquet).toMatch(/as Parquet: .*magic bytes/);
    const json = await failure(await file('bad.jsonl', '{"a": 1}\n{"a":\n'));
    expect(json).toMatch(/as JSON: Malformed JSON/);
  });

  it('stops when its signal is aborted', async () => {
    const path = await file('abort.csv', 'a\n1\n');
    await expect(readColumns(path, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('summarizeDuckDBError keeps the gist', () => {
    const message = 'Invalid Input Error: Error when sniffing file "x.csv".\nIt was not possible to automatically detect the CSV parsing dialect\nThe search space used was:\nDelimiter Candidates: \',\'\nPossible fixes:\n* Set delim\n\nLINE 1: SELECT';
    expect(summarizeDuckDBError(message)).toBe('Error when sniffing file "x.csv"; It was not possible to automatically detect the CSV parsing dialect');
    expect(columnarFormatOf('A.CSV.GZ')).toBe('csv');
    expect(columnarFormatOf('a.pq')).toBe('parquet');
    expect(columnarFormatOf('a.ndjson')).toBe('json');
  });
});
