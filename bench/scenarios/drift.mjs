// Scenario: `capstan drift` against Evidently's data-drift report on the same files.
//
//   npm run build && node bench/scenarios/drift.mjs [--rows 100000,1000000,5000000] [--python /tmp/bench-venv-drift/bin/python] [--evidently-max 1000000]
//
// For each size: 20 columns of mixed types (bench/drift/evidently_drift.py generate), reference
// and a current file shifted in 6 columns, as Parquet. Timed, on the same files, warm page cache:
//   - capstan: `capstan drift REF CUR --json` as a process (wall time including Node startup and
//     reading the files with DuckDB), best of 2;
//   - evidently: pandas.read_parquet + Report([DataDriftPreset()]) (0.7.x), one run, skipped above
//     --evidently-max rows (default 1,000,000; it needs minutes and gigabytes past that);
//   - limit: reading both files' columns into memory in this process (@capstan/server/drift's
//     readColumns), the floor any engine that reads the data pays.
// The reports are compared column by column: same stattest, same drift decision, and the largest
// relative difference of the scores.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { CAPSTAN_BIN, ROOT, tempDir } from '../lib/proc.mjs';
import { log, num, table } from '../lib/stats.mjs';

const run = promisify(execFile);

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const SIZES = arg('rows', '100000,1000000').split(',').map(Number);
const PYTHON = arg('python', '/tmp/bench-venv-drift/bin/python');
const EVIDENTLY_MAX = Number(arg('evidently-max', '1000000'));
const HELPER = path.join(ROOT, 'bench/drift/evidently_drift.py');

async function timed(fn) {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

function compare(capstan, evidently) {
  let maxRel = 0, sameTest = 0, sameDecision = 0, n = 0;
  for (const [col, ev] of Object.entries(evidently.columns)) {
    const ours = capstan.columns[col];
    if (!ours) continue;
    n++;
    if (ours.stattest === ev.stattest) sameTest++;
    const evDrift = ['ks', 'chisquare', 'z', 't_test', 'mannw', 'anderson', 'cramer_von_mises', 'fisher_exact', 'g_test', 'epps_singleton', 'empirical_mmd'].includes(ev.stattest) ? ev.score < ev.threshold : ev.score >= ev.threshold;
    if (ours.drift_detected === evDrift) sameDecision++;
    const rel = Math.abs(ours.score - ev.score) / Math.max(Math.abs(ev.score), 1e-300);
    if (ev.score !== 0 || ours.score !== 0) maxRel = Math.max(maxRel, rel);
  }
  return { n, sameTest, sameDecision, maxRel };
}

const { readColumns } = await import(path.join(ROOT, 'packages/server/dist/drift.js'));
const rows = [];
for (const size of SIZES) {
  const dir = tempDir('drift');
  mkdirSync(dir, { recursive: true });
  log(`generating ${size.toLocaleString()} rows x 20 columns`);
  await run(PYTHON, [HELPER, 'generate', String(size), '7', dir], { maxBuffer: 1 << 24 });
  const ref = path.join(dir, 'reference.parquet');
  const cur = path.join(dir, 'current.parquet');

  const limit = await timed(async () => { await readColumns(ref); await readColumns(cur); });
  let best = Infinity, report;
  for (let i = 0; i < 2; i++) {
    const r = await timed(() => run(process.execPath, [CAPSTAN_BIN, 'drift', ref, cur, '--json'], { maxBuffer: 1 << 26 }).catch((e) => e));
    report = JSON.parse(r.value.stdout);
    best = Math.min(best, r.ms);
  }
  let ev = null;
  if (size <= EVIDENTLY_MAX) {
    log(`evidently on ${size.toLocaleString()} rows`);
    const out = path.join(dir, 'evidently.json');
    const r = await timed(() => run(PYTHON, [HELPER, 'evidently', ref, cur, out], { maxBuffer: 1 << 24, timeout: 1_800_000 }));
    ev = { wallMs: r.ms, ...JSON.parse(readFileSync(out, 'utf8')) };
  }
  const agree = ev ? compare(report, ev) : null;
  rows.push([
    size.toLocaleString(), num(limit.ms / 1000, 2), num(best / 1000, 2),
    ev ? `${num(ev.wallMs / 1000, 1)} (report ${num(ev.report_s, 1)})` : 'skipped',
    ev ? `${num(ev.wallMs / best, 1)}×` : '–',
    `${report.number_of_drifted_columns}/${report.number_of_columns}` + (ev ? ` vs ${ev.number_of_drifted_columns}` : ''),
    agree ? `${agree.sameTest}/${agree.n} tests, ${agree.sameDecision}/${agree.n} decisions, max rel. diff ${agree.maxRel.toExponential(1)}` : '–',
  ]);
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n## capstan drift vs Evidently (${new Date().toISOString()}, \`node bench/scenarios/drift.mjs --rows ${SIZES.join(',')}\`)\n`);
console.log(table(['rows per file', 'limit: read both files (s)', 'capstan drift, process (s)', 'Evidently DataDriftPreset incl. read (s)', 'Evidently / capstan', 'drifted columns', 'agreement'], rows));
