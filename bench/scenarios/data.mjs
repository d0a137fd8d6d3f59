// Scenario: data versioning and validation (capstan data).
//
//   npm run build && node bench/scenarios/data.mjs [--quick] [--only add,files,validate] [--dvc]
//
// 1. add-large: `capstan data add` of one large file (1 GiB; --quick 256 MiB) against the limit, a
//    plain sha256 pass over the same bytes in one process; then the same add again (hash cache).
// 2. add-files: `capstan data add` of a folder of many small files (100,000 x ~1 KiB; --quick
//    10,000) against the limit, sha256 of every file in one process (16 reads in flight); the
//    re-add; `capstan data get` of the version into an empty folder.
//    With --dvc: `dvc add` of the same data (dvc installed with pip --target bench/.pydeps).
// 3. validate: a 5,000,000 x 20 Parquet file (--quick 1,000,000): profile (all columns) and a
//    22-check suite through the server, each a fresh computation, against DuckDB's own SUMMARIZE
//    of the file in-process as the reference point. With --pandera: pandas.read_parquet plus a pandera
//    schema with the same checks (pandera installed with pip --target bench/.pydeps/pandera, run by
//    the .venv python that has pandas and pyarrow).
// Every server and CLI runs from packages/*/dist; the page cache is warm for every contender.
import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAPSTAN_BIN, PYDEPS, cleanupAll, freshStore, machineNotes, startCapstan, stopServer, tempDir } from '../lib/proc.mjs';
import { log, num, ratio, table } from '../lib/stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function args() {
  const a = process.argv.slice(2);
  const only = a.find((x) => x.startsWith('--only'));
  return {
    quick: a.includes('--quick'),
    dvc: a.includes('--dvc'),
    pandera: a.includes('--pandera'),
    only: only ? (only.includes('=') ? only.split('=')[1] : a[a.indexOf(only) + 1]).split(',') : ['add', 'files', 'validate'],
  };
}

function run(cmd, argv, env = {}, cwd = ROOT) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t0, out, err }) : reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}\n${out}\n${err}`))));
  });
}

async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk);
  return hash.digest('hex');
}

async function limitFiles(files, concurrency = 16) {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < files.length) await sha256File(files[next++]);
  }));
  return performance.now() - t0;
}

async function listFiles(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.join(e.parentPath ?? e.path, e.name));
  return out;
}

function mbps(bytes, ms) {
  return `${num(bytes / 1048576 / (ms / 1000), 0)} MiB/s`;
}

async function capstan(server, cache, argv, cwd) {
  return run(process.execPath, [CAPSTAN_BIN, ...argv], { CAPSTAN_TRACKING_URI: server.url, CAPSTAN_CACHE_DIR: cache }, cwd);
}

function ensureDvc() {
  const probe = () => { try { execFileSync('python3', ['-m', 'dvc', '--version'], { env: { ...process.env, PYTHONPATH: PYDEPS }, stdio: 'pipe' }); return true; } catch { return false; } };
  if (probe()) return true;
  log('installing dvc into bench/.pydeps (pip --target)');
  try { execFileSync('python3', ['-m', 'pip', 'install', '--quiet', '--target', PYDEPS, 'dvc'], { stdio: 'inherit' }); } catch { return false; }
  return probe();
}

async function dvcAdd(source, label) {
  const dir = tempDir(`dvc-${label}`);
  const env = { PYTHONPATH: PYDEPS, DVC_NO_ANALYTICS: '1' };
  await run('python3', ['-m', 'dvc', 'init', '--no-scm', '-q'], env, dir);
  await run('cp', ['-r', source, path.join(dir, 'data')]);
  const first = await run('python3', ['-m', 'dvc', 'add', '-q', 'data'], env, dir);
  const again = await run('python3', ['-m', 'dvc', 'add', '-q', 'data'], env, dir);
  return { first: first.ms, again: again.ms };
}

async function addLarge(server, opts) {
  const size = (opts.quick ? 256 : 1024) * 1048576;
  const dir = tempDir('data-large');
  const file = path.join(dir, 'big.bin');
  log(`writing ${size / 1048576} MiB`);
  const block = randomBytes(16 * 1048576);
  const fd = (await import('node:fs')).openSync(file, 'w');
  for (let off = 0; off < size; off += block.length) (await import('node:fs')).writeSync(fd, block, 0, Math.min(block.length, size - off));
  (await import('node:fs')).closeSync(fd);
  await sha256File(file);
  const t0 = performance.now();
  await sha256File(file);
  const limit = performance.now() - t0;
  const cache = path.join(dir, 'cache');
  const add = await capstan(server, cache, ['data', 'add', 'large', file]);
  const again = await capstan(server, cache, ['data', 'add', 'large', file]);
  const rows = [
    ['sha256 of the bytes, one process (limit)', num(limit, 0), mbps(size, limit), '1.00×'],
    ['capstan data add (hash + upload + commit)', num(add.ms, 0), mbps(size, add.ms), ratio(add.ms, limit)],
    ['capstan data add again (hash cache, nothing new)', num(again.ms, 0), '', ratio(again.ms, limit)],
  ];
  if (opts.dvc && ensureDvc()) {
    const d = await dvcAdd(dir.endsWith('big.bin') ? dir : file, 'large');
    rows.push(['dvc add', num(d.first, 0), mbps(size, d.first), ratio(d.first, limit)], ['dvc add again', num(d.again, 0), '', ratio(d.again, limit)]);
  }
  return `### Adding one ${size / 1048576} MiB file\n\n${table(['what', 'ms', 'throughput', 'vs limit'], rows)}`;
}

async function addFiles(server, opts) {
  const count = opts.quick ? 10_000 : 100_000;
  const dir = tempDir('data-files');
  const root = path.join(dir, 'files');
  log(`writing ${count} small files`);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const sub = path.join(root, `d${String(i % 100).padStart(2, '0')}`);
    if (i < 100) mkdirSync(sub, { recursive: true });
    const content = `${i}:${randomBytes(512 + (i % 1024)).toString('base64')}\n`;
    bytes += Buffer.byteLength(content);
    writeFileSync(path.join(sub, `f${i}.txt`), content);
  }
  const files = await listFiles(root);
  await limitFiles(files);
  const limit = await limitFiles(files);
  const cache = path.join(dir, 'cache');
  const add = await capstan(server, cache, ['data', 'add', 'files', root, '--concurrency', '16']);
  const again = await capstan(server, cache, ['data', 'add', 'files', root]);
  const get = await capstan(server, path.join(dir, 'cache2'), ['data', 'get', 'files@1', path.join(dir, 'restored'), '--concurrency', '16']);
  const rows = [
    ['sha256 of every file, one process (limit)', num(limit, 0), `${num(count / (limit / 1000), 0)} files/s`, '1.00×'],
    ['capstan data add', num(add.ms, 0), `${num(count / (add.ms / 1000), 0)} files/s`, ratio(add.ms, limit)],
    ['capstan data add again (hash cache, nothing new)', num(again.ms, 0), `${num(count / (again.ms / 1000), 0)} files/s`, ratio(again.ms, limit)],
    ['capstan data get into an empty folder', num(get.ms, 0), `${num(count / (get.ms / 1000), 0)} files/s`, ratio(get.ms, limit)],
  ];
  if (opts.dvc && ensureDvc()) {
    const d = await dvcAdd(root, 'files');
    rows.push(['dvc add', num(d.first, 0), `${num(count / (d.first / 1000), 0)} files/s`, ratio(d.first, limit)], ['dvc add again', num(d.again, 0), '', ratio(d.again, limit)]);
  }
  return `### Adding ${count.toLocaleString('en')} small files (${num(bytes / 1048576, 0)} MiB)\n\n${table(['what', 'ms', 'rate', 'vs limit'], rows)}`;
}

async function validate(server, opts) {
  const rows = opts.quick ? 1_000_000 : 5_000_000;
  const dir = tempDir('data-validate');
  const file = path.join(dir, 'table.parquet');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  log(`writing ${rows} x 20 Parquet`);
  const cols = [
    'i AS id',
    ...Array.from({ length: 11 }, (_, k) => `(hash(i * ${k + 3}) % 100000) / 1000.0 + ${k} AS f${k}`),
    ...Array.from({ length: 4 }, (_, k) => `hash(i + ${k}) % ${8 + k} AS code${k}`),
    ...Array.from({ length: 4 }, (_, k) => `'cat_' || (hash(i * ${k + 7}) % 50)::VARCHAR AS s${k}`),
  ];
  await c.run(`COPY (SELECT ${cols.join(', ')} FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet)`);
  const t0 = performance.now();
  await c.run(`SUMMARIZE SELECT * FROM read_parquet('${file}')`);
  const summarize = performance.now() - t0;
  c.closeSync();
  instance.closeSync();
  const cache = path.join(dir, 'cache');
  await capstan(server, cache, ['data', 'add', 'wide', file]);
  const api = async (method, p, body) => {
    const t = performance.now();
    const res = await fetch(`${server.url}/api/v1${p}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(JSON.stringify(json));
    return { ms: performance.now() - t, json };
  };
  const firstProfile = await api('POST', '/datasets/wide/versions/1/profile', { refresh: true });
  const profile = await api('POST', '/datasets/wide/versions/1/profile', { refresh: true });
  const suite = (await api('POST', '/datasets/wide/versions/1/suggest-suite', {})).json.suite;
  suite.checks.push(
    { type: 'unique', column: 'id' },
    { type: 'regex', column: 's0', pattern: '^cat_[0-9]+$' },
    { type: 'statistic', column: 'f1', stat: 'mean', min: 0, max: 1000 },
    { type: 'distinct_count', column: 's1', min: 1, max: 100 },
  );
  const result = await api('POST', '/datasets/wide/versions/1/validate', { suite });
  const ok = result.json.result.success;
  const extra = [];
  if (opts.pandera) {
    const p = panderaRun(file);
    if (p) extra.push(['pandas.read_parquet (pandera input)', num(p.read, 0), ratio(p.read, summarize)], [`pandera validate, same checks (${p.ok ? 'all pass' : 'some failed'})`, num(p.validate, 0), ratio(p.validate, summarize)], ['pandera read + validate', num(p.read + p.validate, 0), ratio(p.read + p.validate, summarize)]);
  }
  return `### Profiling and validating ${rows.toLocaleString('en')} rows x 20 columns of Parquet\n\n${table(['what', 'ms', 'vs DuckDB SUMMARIZE'], [
    ['DuckDB SUMMARIZE of the file, in-process (reference)', num(summarize, 0), '1.00×'],
    ['profile via the API, first (includes copying the blob to the server cache)', num(firstProfile.ms, 0), ratio(firstProfile.ms, summarize)],
    ['profile via the API (types, nulls, distinct, ranges, moments, quantiles, histograms, top values)', num(profile.ms, 0), ratio(profile.ms, summarize)],
    [`validate via the API: ${suite.checks.length} checks (${ok ? 'all pass' : 'some failed'})`, num(result.ms, 0), ratio(result.ms, summarize)],
    ['profile + validate', num(profile.ms + result.ms, 0), ratio(profile.ms + result.ms, summarize)],
    ...extra,
  ])}`;
}

const PANDERA = `
import json, sys, time
import pandas as pd
import pandera.pandas as pa
t0 = time.perf_counter()
df = pd.read_parquet(sys.argv[1])
t1 = time.perf_counter()
num = ['id'] + [f'f{k}' for k in range(11)] + [f'code{k}' for k in range(4)]
cols = {}
for c in num:
    lo, hi = df[c].min(), df[c].max()
    cols[c] = pa.Column(df[c].dtype, checks=[pa.Check.in_range(lo, hi)], nullable=False, unique=(c == 'id'))
for k in range(4):
    checks = [pa.Check.str_length(5, 6)]
    if k == 0: checks.append(pa.Check.str_matches(r'^cat_[0-9]+$'))
    if k == 1: checks.append(pa.Check(lambda s: 1 <= s.nunique() <= 100))
    cols[f's{k}'] = pa.Column(str, checks=checks, nullable=False)
cols['f1'].checks.append(pa.Check(lambda s: 0 <= s.mean() <= 1000))
schema = pa.DataFrameSchema(cols, checks=[pa.Check(lambda d: len(d) >= 1)], strict=True)
ok = True
try:
    schema.validate(df, lazy=True)
except pa.errors.SchemaErrors:
    ok = False
t2 = time.perf_counter()
print(json.dumps({'read': (t1 - t0) * 1000, 'validate': (t2 - t1) * 1000, 'ok': ok}))
`;

/** pandas + pandera on the same file and checks; null when pandera is not installable. */
function panderaRun(file) {
  const python = path.join(ROOT, '.venv', 'bin', 'python');
  const target = path.join(PYDEPS, 'pandera');
  const env = { ...process.env, PYTHONPATH: target };
  const probe = () => { try { execFileSync(python, ['-c', 'import pandera.pandas'], { env, stdio: 'pipe' }); return true; } catch { return false; } };
  if (!existsSync(python)) return null;
  if (!probe()) {
    log('installing pandera into bench/.pydeps/pandera (pip --target)');
    try { execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--target', target, 'pandera'], { stdio: 'inherit' }); } catch { return null; }
    if (!probe()) return null;
  }
  return JSON.parse(execFileSync(python, ['-c', PANDERA, file], { env, encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
}

async function main() {
  const opts = args();
  if (!existsSync(CAPSTAN_BIN)) throw new Error('run `npm run build` first');
  const notes = machineNotes();
  log(`data bench (${notes.cpus} CPUs, load ${notes.load})${opts.quick ? ' --quick' : ''}`);
  const store = await freshStore('sqlite', 'data');
  const server = await startCapstan(store, { name: 'capstan-data' });
  const out = [`## capstan data (${new Date().toISOString()}, ${notes.cpus} CPUs, \`node bench/scenarios/data.mjs ${process.argv.slice(2).join(' ')}\`)`];
  try {
    if (opts.only.includes('add')) out.push(await addLarge(server, opts));
    if (opts.only.includes('files')) out.push(await addFiles(server, opts));
    if (opts.only.includes('validate')) out.push(await validate(server, opts));
  } finally {
    await stopServer(server);
    await cleanupAll();
  }
  process.stdout.write(`${out.join('\n\n')}\n`);
}

main().catch(async (e) => {
  console.error(e);
  await cleanupAll();
  process.exit(1);
});
