import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCapstanError, type WireCheckResult, type WireValidationResult } from '@capstan/api';
import { addVersion, startDataServer } from './helpers.js';

const pad = (n: number) => String(n).padStart(2, '0');
function timestamp(year: number, hours: number): string {
  const d = new Date(Date.UTC(year, 0, 1) + hours * 3_600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:00:00`;
}

interface Row { id: number | null; email: string | null; age: number; country: string; score: number; name: string; note: string | null; created_at: string }

/** 100 clean rows (v1), and the same with known faults plus one extra row (v2). */
function people(faulty: boolean): Row[] {
  const rows: Row[] = Array.from({ length: 100 }, (_, i) => ({
    id: i + 1, email: `user${i}@x.com`, age: 20 + (i % 50), country: ['DE', 'FR', 'US'][i % 3]!, score: i / 10 + (faulty ? 5 : 0),
    name: `n${i}`, note: i % 10 === 0 || (faulty && i % 10 <= 2) ? null : `note ${i}`, created_at: timestamp(faulty ? 1990 : 2020, i),
  }));
  if (!faulty) return rows;
  rows[11] = { ...rows[11]!, id: 10, country: 'DE' };
  for (const i of [20, 21, 22]) rows[i]!.email = 'bad-email';
  rows[50]!.email = null;
  for (const i of [30, 31, 32, 33]) rows[i]!.age = 150;
  rows[40]!.age = 30.5;
  for (const i of [60, 61, 62, 63, 64]) rows[i]!.country = 'XX';
  for (const i of [70, 71]) rows[i]!.name = 'n'.repeat(20);
  rows.push({ id: 101, email: 'last@x.com', age: 30, country: 'DE', score: 5, name: 'nz', note: 'x', created_at: timestamp(1990, 1) });
  return rows;
}

function toCsv(rows: Row[]): string {
  const cols = Object.keys(rows[0]!) as (keyof Row)[];
  return `${cols.join(',')}\n${rows.map((r) => cols.map((c) => (r[c] === null ? '' : String(r[c]))).join(',')).join('\n')}\n`;
}

const V1_COLUMNS = [
  { name: 'id', type: 'BIGINT' }, { name: 'email', type: 'VARCHAR' }, { name: 'age', type: 'BIGINT' }, { name: 'country', type: 'VARCHAR' },
  { name: 'score', type: 'DOUBLE' }, { name: 'name', type: 'VARCHAR' }, { name: 'note', type: 'VARCHAR' }, { name: 'created_at', type: 'TIMESTAMP' },
];

/** Every check kind; v1 passes each, v2 fails each (except the lenient regex). */
const SUITE = {
  name: 'people',
  sampleSize: 10,
  checks: [
    { type: 'not_null', column: 'email' },
    { type: 'not_null', column: 'note', mostly: 0.85 },
    { type: 'unique', column: 'id' },
    { type: 'compound_unique', columns: ['id', 'country'] },
    { type: 'accepted_values', column: 'country', values: ['DE', 'FR', 'US'] },
    { type: 'range', column: 'age', min: 20, max: 69 },
    { type: 'column_type', column: 'age', expected: 'integer' },
    { type: 'schema', columns: V1_COLUMNS, exact: true },
    { type: 'row_count', min: 100, max: 100 },
    { type: 'regex', column: 'email', pattern: '^[^@]+@[^@]+$' },
    { type: 'regex', column: 'email', pattern: '^[^@]+@[^@]+$', mostly: 0.97 },
    { type: 'string_length', column: 'name', min: 2, max: 3 },
    { type: 'statistic', column: 'score', stat: 'mean', min: 4.9, max: 5.0 },
    { type: 'distinct_count', column: 'country', min: 3, max: 3 },
    { type: 'referential_integrity', column: 'country', dataset: 'countries', refColumn: 'code' },
    { type: 'freshness', column: 'created_at', maxAge: '12000d' },
    { type: 'drift', reference: 1, columns: ['score'] },
  ],
};

let server: Awaited<ReturnType<typeof startDataServer>>;
let v1: WireValidationResult;
let v2: WireValidationResult;
const dir = mkdtempSync(join(tmpdir(), 'capstan-validation-'));

async function parquetOf(csv: string): Promise<Buffer> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  const src = join(dir, `in-${Math.random()}.csv`);
  const out = join(dir, `out-${Math.random()}.parquet`);
  (await import('node:fs')).writeFileSync(src, csv);
  await c.run(`COPY (SELECT * FROM read_csv('${src}')) TO '${out}' (FORMAT parquet)`);
  c.closeSync();
  instance.closeSync();
  return readFileSync(out);
}

beforeAll(async () => {
  server = await startDataServer();
  await addVersion(server.data, 'countries', { 'countries.csv': 'code,label\nDE,Germany\nFR,France\nUS,United States\n' });
  await addVersion(server.data, 'people', { 'people.csv': toCsv(people(false)), 'README.md': 'not a table' });
  await addVersion(server.data, 'people', { 'people.csv': toCsv(people(true)), 'README.md': 'not a table' });
  v1 = await server.data.validate('people', 1, SUITE);
  v2 = await server.data.validate('people', 2, SUITE);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function byIndex(result: WireValidationResult, i: number): WireCheckResult {
  return result.results[i]!;
}

describe('validation checks on crafted data', () => {
  it('passes every check on the clean version', () => {
    expect(v1.results.filter((r) => !r.success).map((r) => `${r.title}: ${r.error ?? r.details ?? JSON.stringify(r.observed)}`)).toEqual([]);
    expect(v1).toMatchObject({ success: true, rowCount: 100, statistics: { evaluated: 17, successful: 17, failed: 0 } });
    expect(byIndex(v1, 1)).toMatchObject({ elementCount: 100, unexpectedCount: 10, unexpectedShare: 0.1 });
  });

  it('fails every check on the faulty version with the right counts', () => {
    expect(v2.results.filter((r) => r.success).map((r) => r.title)).toEqual(['regex(email) ~ /^[^@]+@[^@]+$/ mostly 0.97']);
    expect(v2).toMatchObject({ success: false, rowCount: 101, statistics: { evaluated: 17, successful: 1, failed: 16 } });
    const expected: [number, Partial<WireCheckResult>][] = [
      [0, { success: false, elementCount: 101, unexpectedCount: 1 }],
      [1, { success: false, elementCount: 101, unexpectedCount: 30 }],
      [2, { success: false, elementCount: 101, unexpectedCount: 2, observed: { duplicatedKeys: 1 } }],
      [3, { success: false, elementCount: 101, unexpectedCount: 2 }],
      [4, { success: false, elementCount: 101, unexpectedCount: 5 }],
      [5, { success: false, elementCount: 101, unexpectedCount: 4 }],
      [6, { success: false, observed: 'DOUBLE' }],
      [7, { success: false }],
      [8, { success: false, observed: 101 }],
      [9, { success: false, elementCount: 100, unexpectedCount: 3 }],
      [10, { success: true, elementCount: 100, unexpectedCount: 3 }],
      [11, { success: false, elementCount: 101, unexpectedCount: 2 }],
      [12, { success: false }],
      [13, { success: false, observed: 4 }],
      [14, { success: false, elementCount: 101, unexpectedCount: 5 }],
      [15, { success: false }],
      [16, { success: false }],
    ];
    for (const [i, want] of expected) expect(byIndex(v2, i), `check ${i + 1}: ${byIndex(v2, i).title}`).toMatchObject(want);
    expect(byIndex(v2, 12).observed).toBeCloseTo(1000 / 101, 9);
    expect(byIndex(v2, 7).observed).toMatchObject({ missing: [], extra: [], retyped: [{ column: 'age', expected: 'BIGINT', actual: 'DOUBLE' }] });
    expect((byIndex(v2, 15).observed as { latest: string }).latest).toBe('1990-01-05T03:00:00.000Z');
    expect(byIndex(v2, 16).observed).toMatchObject({ driftedColumns: ['score'] });
  });

  it('samples the failing rows', () => {
    const countries = byIndex(v2, 4).sample!.map((r) => r.country);
    expect(countries).toEqual(['XX', 'XX', 'XX', 'XX', 'XX']);
    expect(byIndex(v2, 2).sample!.map((r) => r.id)).toEqual([10, 10]);
    expect(byIndex(v2, 9).sample!.map((r) => r.email)).toEqual(['bad-email', 'bad-email', 'bad-email']);
    expect(byIndex(v1, 0).sample).toBeUndefined();
  });

  it('stores results per version, newest first', async () => {
    const stored = await server.data.listValidations('people', 2);
    expect(stored[0]).toMatchObject({ id: v2.id, success: false, rowCount: 101 });
  });

  it('fails a check that names a missing column with a message listing the columns, and runs the others', async () => {
    const result = await server.data.validate('people', 1, { checks: [{ type: 'not_null', column: 'emial' }, { type: 'row_count', min: 1 }] });
    expect(result.success).toBe(false);
    expect(result.results[0]).toMatchObject({ success: false, error: expect.stringContaining("'emial' not found in the data (columns: id, email, age") });
    expect(result.results[1]).toMatchObject({ success: true, observed: 100 });
    const ref = await server.data.validate('people', 1, { checks: [{ type: 'referential_integrity', column: 'country', dataset: 'countries', refColumn: 'nope' }] });
    expect(ref.results[0]!.error).toContain("'nope' not found in countries");
  });

  it('reports an engine error on one check without hiding the others', async () => {
    const result = await server.data.validate('people', 1, { checks: [{ type: 'regex', column: 'email', pattern: '([' }, { type: 'not_null', column: 'id' }] });
    expect(result.results[0]).toMatchObject({ success: false, error: expect.stringMatching(/regex|regular expression|missing/i) });
    expect(result.results[1]).toMatchObject({ success: true, unexpectedCount: 0 });
  });

  it('rejects malformed suites with 400 naming the problem', async () => {
    for (const [suite, text] of [
      [{ checks: [{ type: 'nonsense', column: 'a' }] }, 'unknown check type'],
      [{ checks: [{ type: 'range', column: 'age' }] }, 'give "min", "max" or both'],
      [{ checks: [{ type: 'not_null', column: 'a', mostly: 2 }] }, '"mostly" must be between 0 and 1'],
      [{ checks: [{ type: 'freshness', column: 'a', maxAge: 'soon' }] }, 'maxAge'],
      [{ checks: [{ type: 'statistic', column: 'a', stat: 'mode', min: 1 }] }, '"stat" must be one of'],
    ] as const) {
      const e = await server.data.validate('people', 1, suite as never).then(() => null, (x: unknown) => x);
      expect(isCapstanError(e) && e.code === 'INVALID_PARAMETER_VALUE' && e.message.includes(text), `${JSON.stringify(suite)} → ${String(e)}`).toBe(true);
    }
  });

  it('answers an unknown version (also of a referenced dataset) with 404', async () => {
    const e = await server.data.validate('people', 9, SUITE).then(() => null, (x: unknown) => x);
    expect(isCapstanError(e) && e.code === 'RESOURCE_DOES_NOT_EXIST').toBe(true);
    const ref = await server.data.validate('people', 1, { checks: [{ type: 'referential_integrity', column: 'country', dataset: 'nowhere' }] }).then(() => null, (x: unknown) => x);
    expect(isCapstanError(ref) && ref.code === 'RESOURCE_DOES_NOT_EXIST').toBe(true);
  });

  it('refuses a CSV with ragged rows, naming the file, and a corrupt Parquet file', async () => {
    await addVersion(server.data, 'ragged', { 'bad.csv': 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n' });
    const e = await server.data.validate('ragged', 1, { checks: [{ type: 'row_count', min: 1 }] }).then(() => null, (x: unknown) => x);
    expect(isCapstanError(e) && e.code === 'INVALID_PARAMETER_VALUE' ? e.message : String(e)).toMatch(/Cannot read CSV file bad\.csv: .*ragged rows/);
    const p = await server.data.profile('ragged', 1).then(() => null, (x: unknown) => x);
    expect(isCapstanError(p) && p.message.includes('ragged rows')).toBe(true);
    await addVersion(server.data, 'corrupt', { 'x.parquet': 'PAR1 this is not parquet' });
    const c = await server.data.validate('corrupt', 1, { checks: [{ type: 'row_count', min: 1 }] }).then(() => null, (x: unknown) => x);
    expect(isCapstanError(c) && c.code === 'INVALID_PARAMETER_VALUE' && c.message.startsWith('Cannot read Parquet file x.parquet')).toBe(true);
    const none = await server.data.validate('countries', 1, { files: '*.parquet', checks: [] }).then(() => null, (x: unknown) => x);
    expect(isCapstanError(none) && none.message.includes('no tabular files')).toBe(true);
  });

  it('validates Parquet and JSON lines versions the same way', async () => {
    const csv = toCsv(people(false));
    await addVersion(server.data, 'people-pq', { 'part-0.parquet': await parquetOf(csv) });
    const result = await server.data.validate('people-pq', 1, { ...SUITE, checks: SUITE.checks.filter((c) => c.type !== 'drift') });
    expect(result.results.filter((r) => !r.success).map((r) => r.title)).toEqual([]);
    const jsonl = people(true).map((r) => JSON.stringify(r)).join('\n');
    await addVersion(server.data, 'people-jsonl', { 'rows.jsonl': jsonl });
    const j = await server.data.validate('people-jsonl', 1, { checks: [{ type: 'accepted_values', column: 'country', values: ['DE', 'FR', 'US'] }, { type: 'not_null', column: 'email' }] });
    expect(j.results.map((r) => r.unexpectedCount)).toEqual([5, 1]);
  });
});

describe('profiles, schemas and suggested suites', () => {
  it('profiles every column: types, nulls, distinct counts, ranges, quantiles, histograms, top values', async () => {
    const p = await server.data.profile('people', 1);
    expect(p.rowCount).toBe(100);
    expect(p.files).toEqual(['people.csv']);
    const col = (n: string) => p.columns.find((c) => c.name === n)!;
    expect(p.columns.map((c) => [c.name, c.type])).toEqual(V1_COLUMNS.map((c) => [c.name, c.type]));
    expect(col('note')).toMatchObject({ count: 90, nullCount: 10, nullShare: 0.1 });
    expect(col('age')).toMatchObject({ min: 20, max: 69, count: 100 });
    expect(col('age').mean).toBeCloseTo(44.5, 9);
    expect(col('age').histogram!.counts.reduce((s, n) => s + n, 0)).toBe(100);
    expect(col('age').histogram!.edges).toHaveLength(21);
    expect(col('age').histogram!.counts[0]).toBe(6);
    expect(col('age').histogram!.counts[19]).toBe(6);
    expect(col('score').histogram!.counts).toEqual(new Array(20).fill(5));
    expect(col('age').quantiles!['0.5']).toBeGreaterThanOrEqual(43);
    expect(col('age').quantiles!['0.5']).toBeLessThanOrEqual(46);
    expect(col('country').topValues).toEqual([{ value: 'DE', count: 34 }, { value: 'FR', count: 33 }, { value: 'US', count: 33 }]);
    expect(col('country').distinct).toBe(3);
    expect(col('name')).toMatchObject({ minLength: 2, maxLength: 3 });
    expect(col('created_at')).toMatchObject({ min: '2020-01-01 00:00:00', max: '2020-01-05 03:00:00' });
  });

  it('infers a schema, stores an edited one, and schema checks without columns use it', async () => {
    const inferred = await server.data.getSchema('people', 1);
    expect(inferred.inferred).toBe(true);
    expect(inferred.schema.columns.find((c) => c.name === 'note')).toEqual({ name: 'note', type: 'VARCHAR', nullable: true });
    const edited = { columns: inferred.schema.columns.map((c) => (c.name === 'note' ? { ...c, nullable: false } : c)) };
    await server.data.putSchema('people', 1, edited);
    expect(await server.data.getSchema('people', 1)).toEqual({ schema: edited, inferred: false });
    const result = await server.data.validate('people', 1, { checks: [{ type: 'schema' }] });
    expect(result.results[0]).toMatchObject({ success: false, observed: { nulls: [{ column: 'note', nulls: 10 }] } });
    const dup = await server.data.putSchema('people', 1, { columns: [{ name: 'a', type: 'X', nullable: true }, { name: 'a', type: 'X', nullable: true }] }).then(() => null, (x: unknown) => x);
    expect(isCapstanError(dup) && dup.message.includes('twice')).toBe(true);
  });

  it('suggests a suite from a version that passes on it and catches the faulty one', async () => {
    const suite = await server.data.suggestSuite('people', 1);
    expect(suite.checks.map((c) => c.type)).toEqual(expect.arrayContaining(['schema', 'row_count', 'not_null', 'unique', 'accepted_values', 'range', 'string_length']));
    const onSelf = await server.data.validate('people', 1, suite);
    expect(onSelf.results.filter((r) => !r.success).map((r) => r.title)).toEqual([]);
    const onFaulty = await server.data.validate('people', 2, suite);
    expect(onFaulty.success).toBe(false);
  });

  it('diffs tabular files with row counts and retyped columns', async () => {
    const d = await server.data.diff('people', 1, 2);
    expect(d.changed[0]).toMatchObject({ path: 'people.csv', table: { rowsFrom: 100, rowsTo: 101, retypedColumns: [{ name: 'age', from: 'BIGINT', to: 'DOUBLE' }] } });
    expect(d.unchanged).toBe(1);
  });
});
