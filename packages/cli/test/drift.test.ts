import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './support.js';

const ENGINE = new URL('../../server/dist/core/monitoring/drift/index.js', import.meta.url).href;

let dir: string;
const path = (name: string) => join(dir, name);

type Result = CliResult;

function drift(args: string[]): Promise<Result> {
  return runCli(['drift', ...args]);
}

async function json(args: string[], code: number): Promise<DriftJson> {
  const result = await drift([...args, '--json']);
  expect(result.code, result.stderr).toBe(code);
  return JSON.parse(result.stdout) as DriftJson;
}

async function fails(args: string[], message: string | RegExp): Promise<string> {
  const result = await drift(args);
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
  return result.stderr;
}

interface DriftJson {
  dataset_drift: boolean;
  drift_share: number;
  number_of_columns: number;
  number_of_drifted_columns: number;
  share_of_drifted_columns: number;
  columns: Record<string, { column_type: string; stattest: string; score: number; threshold: number; drift_detected: boolean }>;
}

/** Seeded uniform [0, 1) (mulberry32), so the data and hence the verdicts never change. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number, mean: number): number {
  return mean + Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function pick(rand: () => number, shares: [string, number][]): string {
  let u = rand();
  for (const [value, share] of shares) {
    if (u < share) return value;
    u -= share;
  }
  return shares.at(-1)![0];
}

const BASE_COLORS: [string, number][] = [['red', 0.5], ['green', 0.3], ['blue', 0.2]];
const SHIFTED_COLORS: [string, number][] = [['red', 0.2], ['green', 0.3], ['blue', 0.5]];
const SIZES: [string, number][] = [['S', 0.3], ['M', 0.4], ['L', 0.3]];

/** 600 rows (Evidently's small-sample tests: ks for numbers, chisquare for categories). */
function dataset(seed: number, drifted: boolean): string[][] {
  const rand = random(seed);
  return Array.from({ length: 600 }, () => [
    normal(rand, drifted ? 1 : 0).toFixed(4),
    normal(rand, 0).toFixed(4),
    pick(rand, drifted ? SHIFTED_COLORS : BASE_COLORS),
    pick(rand, SIZES),
  ]);
}

const HEADER = ['x_shift', 'x_stable', 'color', 'size'];
const csv = (header: string[], rows: string[][]) => `${[header, ...rows].map((r) => r.join(',')).join('\n')}\n`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capstan-drift-'));
  const reference = dataset(1, false);
  await writeFile(path('ref.csv'), csv(HEADER, reference));
  await writeFile(path('same.csv'), csv(HEADER, dataset(2, false)));
  await writeFile(path('drift.csv'), csv(HEADER, dataset(3, true)));
  const jsonl = dataset(4, true).map(([a, b, c, d]) => JSON.stringify({ x_shift: Number(a), x_stable: Number(b), color: c, size: d }));
  await writeFile(path('drift.jsonl'), `${jsonl.join('\n')}\n`);
  await writeFile(path('same.csv.gz'), gzipSync(csv(HEADER, dataset(6, false))));
  await writeFile(path('extra.csv'), csv([...HEADER.slice(0, 3), 'weight'], reference.map((r) => [...r.slice(0, 3), '1.5'])));
  await writeFile(path('text-x.csv'), csv(HEADER, reference.map((r, i) => [i % 2 ? r[0]! : `v${i % 7}`, ...r.slice(1)])));
  await writeFile(path('empty.csv'), '');
  await writeFile(path('header-only.csv'), `${HEADER.join(',')}\n`);
  await writeFile(path('ragged.csv'), 'x_shift,x_stable,color,size\n1,2,red,S\n3,4,blue\n5,6,red,M\n');
  await writeFile(path('data.xlsx'), 'not a table');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('capstan drift', () => {
  it('detects a shifted normal column and changed category shares; exit 1 and the exact --json shape', async () => {
    const report = await json([path('ref.csv'), path('drift.csv')], 1);
    expect(Object.keys(report)).toEqual(['dataset_drift', 'drift_share', 'number_of_columns', 'number_of_drifted_columns', 'share_of_drifted_columns', 'columns']);
    expect(report).toMatchObject({ dataset_drift: true, drift_share: 0.5, number_of_columns: 4, number_of_drifted_columns: 2, share_of_drifted_columns: 0.5 });
    expect(Object.keys(report.columns)).toEqual(HEADER);
    for (const column of Object.values(report.columns)) {
      expect(Object.keys(column)).toEqual(['column_type', 'stattest', 'score', 'threshold', 'drift_detected']);
      expect(typeof column.score).toBe('number');
    }
    expect(report.columns.x_shift).toMatchObject({ column_type: 'num', stattest: 'ks', threshold: 0.05, drift_detected: true });
    expect(report.columns.x_shift!.score).toBeLessThan(1e-10);
    expect(report.columns.x_stable).toMatchObject({ column_type: 'num', stattest: 'ks', threshold: 0.05, drift_detected: false });
    expect(report.columns.color).toMatchObject({ column_type: 'cat', stattest: 'chisquare', threshold: 0.05, drift_detected: true });
    expect(report.columns.size).toMatchObject({ column_type: 'cat', stattest: 'chisquare', drift_detected: false });
  });

  it('finds no drift between samples of the same distributions; exit 0', async () => {
    const report = await json([path('ref.csv'), path('same.csv')], 0);
    expect(report).toMatchObject({ dataset_drift: false, number_of_columns: 4, number_of_drifted_columns: 0, share_of_drifted_columns: 0 });
    for (const column of Object.values(report.columns)) expect(column.score).toBeGreaterThan(0.05);
  });

  it('prints an aligned table and a summary line', async () => {
    const { code, stdout } = await drift([path('ref.csv'), path('drift.csv')]);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^COLUMN\s+TYPE\s+STATTEST\s+SCORE\s+THRESHOLD\s+DRIFT$/);
    expect(lines[1]).toMatch(/^x_shift\s+num\s+ks\s+\S+\s+0\.05\s+yes$/);
    expect(lines[2]).toMatch(/^x_stable\s+num\s+ks\s+\S+\s+0\.05\s+no$/);
    expect(lines[3]).toMatch(/^color\s+cat\s+chisquare\s+\S+\s+0\.05\s+yes$/);
    expect(lines[4]).toMatch(/^size\s+cat\s+chisquare\s+\S+\s+0\.05\s+no$/);
    for (const line of lines.slice(1, 5)) {
      expect(line.indexOf('0.05') + 4).toBe(lines[0]!.indexOf('THRESHOLD') + 'THRESHOLD'.length);
      expect(line.lastIndexOf(line.endsWith('yes') ? 'yes' : 'no')).toBe(lines[0]!.indexOf('DRIFT'));
    }
    expect(lines[5]).toBe('');
    expect(lines[6]).toBe('Dataset drift detected: 2 of 4 columns drifted (50%, at or above the drift share of 50%).');

    const same = await drift([path('ref.csv'), path('same.csv')]);
    expect(same.code).toBe(0);
    expect(same.stdout.trimEnd().split('\n').at(-1)).toBe('No dataset drift: 0 of 4 columns drifted (0%, below the drift share of 50%).');
  });

  it('--columns compares a subset, also one common to files with different columns', async () => {
    const [stable, common] = await Promise.all([
      json([path('ref.csv'), path('drift.csv'), '--columns', 'x_stable, size'], 0),
      json([path('ref.csv'), path('extra.csv'), '--columns', 'x_shift,color'], 0),
    ]);
    expect(Object.keys(stable.columns)).toEqual(['x_stable', 'size']);
    expect(stable.number_of_columns).toBe(2);
    expect(Object.keys(common.columns)).toEqual(['x_shift', 'color']);
  });

  it('--stattest, --threshold and --drift-share override the defaults', async () => {
    const [forced, strict, distance, lenient] = await Promise.all([
      json([path('ref.csv'), path('drift.csv'), '--stattest', 'jensenshannon', '--threshold', '0.2'], 1),
      json([path('ref.csv'), path('drift.csv'), '--stattest', 'jensenshannon', '--threshold', '0.5'], 0),
      json([path('ref.csv'), path('drift.csv'), '--columns', 'x_shift,x_stable', '--stattest', 'wasserstein', '--threshold', '0.5'], 1),
      json([path('ref.csv'), path('drift.csv'), '--drift-share', '0.75'], 0),
    ]);
    for (const column of Object.values(forced.columns)) expect(column).toMatchObject({ stattest: 'jensenshannon', threshold: 0.2 });
    expect(Object.entries(forced.columns).filter(([, c]) => c.drift_detected).map(([name]) => name)).toEqual(['x_shift', 'color']);
    expect(strict).toMatchObject({ dataset_drift: false, number_of_drifted_columns: 0 });
    expect(distance.columns.x_shift).toMatchObject({ stattest: 'wasserstein', threshold: 0.5, drift_detected: true });
    expect(distance.columns.x_stable).toMatchObject({ stattest: 'wasserstein', threshold: 0.5, drift_detected: false });
    expect(lenient).toMatchObject({ dataset_drift: false, drift_share: 0.75, number_of_drifted_columns: 2 });
  });

  it('reads JSON lines and gzipped CSV as well', async () => {
    const [jsonl, gz] = await Promise.all([json([path('ref.csv'), path('drift.jsonl')], 1), json([path('ref.csv'), path('same.csv.gz')], 0)]);
    expect(jsonl.number_of_drifted_columns).toBe(2);
    expect(gz.number_of_drifted_columns).toBe(0);
  });

  it('--html writes a self-contained report with one chart per drifted column', async () => {
    const file = path('report.html');
    const { code, stdout, stderr } = await drift([path('ref.csv'), path('drift.csv'), '--html', file, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ dataset_drift: true });
    expect(stderr).toContain(`Wrote the HTML report to ${file}`);
    expect((await stat(file)).size).toBeGreaterThan(1000);
    const html = await readFile(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html.match(/<svg[\s>]/g)).toHaveLength(2);
    expect(html).toContain('aria-label="Histogram of x_shift: reference vs current"');
    expect(html).toContain('aria-label="Category shares of color: reference vs current"');
    expect(html).toContain('Dataset drift detected: 2 of 4 columns drifted');
    for (const name of HEADER) expect(html).toContain(`<td>${name}</td>`);
    expect(html).not.toMatch(/<script|<link|src=|url\(/i);

    const quiet = path('quiet.html');
    expect((await drift([path('ref.csv'), path('same.csv'), '--html', quiet])).code).toBe(0);
    const calm = await readFile(quiet, 'utf8');
    expect(calm).not.toContain('<svg');
    expect(calm).toContain('No column drifted.');
  });

  it('documents the exit status and every stattest in --help', async () => {
    const { code, stdout } = await drift(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: capstan drift [options] <reference> <current>');
    expect(stdout).toMatch(/0\s+no dataset drift/);
    expect(stdout).toMatch(/1\s+dataset drift detected/);
    expect(stdout).toMatch(/2\s+usage or input error/);
    for (const flag of ['--json', '--columns', '--stattest', '--threshold', '--drift-share', '--html']) expect(stdout).toContain(flag);
    const { STATTESTS } = (await import(ENGINE)) as { STATTESTS: ReadonlyMap<string, unknown> };
    const help = stdout.replace(/\s+/g, ' ');
    for (const name of STATTESTS.keys()) expect(help).toMatch(new RegExp(`[ :,]${name}[,( ]`));
  });
});

describe('capstan drift: bad input exits 2 with a clear message', () => {
  it('a missing file, an empty file, a header without rows, an unknown extension', async () => {
    await Promise.all([
      fails([path('ref.csv'), path('absent.csv')], `capstan: INVALID_PARAMETER_VALUE: Cannot read '${path('absent.csv')}': no such file`),
      fails([path('empty.csv'), path('ref.csv')], 'the file is empty'),
      fails([path('ref.csv'), path('header-only.csv')], 'the file has no rows'),
      fails([path('ref.csv'), path('data.xlsx')], 'unsupported file type'),
    ]);
  });

  it('a ragged CSV, naming the line', async () => {
    await fails([path('ref.csv'), path('ragged.csv')], /as CSV: CSV Error on Line: 3; Original Line: 3,4,blue; Expected Number of Columns: 4 Found: 3/);
  });

  it('mismatched columns, naming missing and extra ones; a column numeric in one file and text in the other', async () => {
    const message = await fails([path('ref.csv'), path('extra.csv')], 'The datasets must have the same columns');
    expect(message).toContain(`missing from '${path('extra.csv')}': size`);
    expect(message).toContain(`not in '${path('ref.csv')}': weight`);
    expect(message).toContain('--columns');
    await Promise.all([
      fails([path('ref.csv'), path('text-x.csv')], `'x_shift' is float in '${path('ref.csv')}' but string in '${path('text-x.csv')}'`),
      fails([path('ref.csv'), path('drift.csv'), '--columns', 'x_shift,nope'], /\.csv' has no column 'nope' \(it has: x_shift, x_stable, color, size\)/),
    ]);
  });

  it('bad options: unknown stattest, a stattest that does not fit, non-numbers, missing arguments, an unwritable report', async () => {
    await Promise.all([
      fails([path('ref.csv'), path('drift.csv'), '--stattest', 'nope'], "Unknown stattest 'nope'"),
      fails([path('ref.csv'), path('drift.csv'), '--stattest', 'ks'], /Stattest 'ks' does not apply to cat column/),
      fails([path('ref.csv'), path('drift.csv'), '--threshold', 'abc'], "option '--threshold <x>' argument 'abc' is invalid"),
      fails([path('ref.csv'), path('drift.csv'), '--drift-share', '2'], 'expected a number above 0 and at most 1'),
      fails([path('ref.csv'), path('drift.csv'), '--bogus'], "unknown option '--bogus'"),
      fails([path('ref.csv')], "missing required argument 'current'"),
      fails([path('ref.csv'), path('drift.csv'), '--html', path('no/such/dir/r.html')], 'Cannot write the HTML report'),
    ]);
  });
});
