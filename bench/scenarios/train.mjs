#!/usr/bin/env node
// @capstan/train's gradient-boosted trees vs LightGBM and scikit-learn's HistGradientBoosting on
// the same rows (a HIGGS-like synthetic binary task, 28 float features), same settings, one
// thread each (BENCH_THREADS=2 for the Python libraries' own threads).
//
//   node bench/scenarios/train.mjs [--rows 1000000]
//
// Needs `npx tsc -b packages/train`, the .venv (scikit-learn) and, for LightGBM,
// `.venv/bin/pip install --target bench/.pydeps/lightgbm lightgbm`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, accuracy, fitBoosting, rocAuc } from '../../packages/train/dist/index.js';
import { makeHiggsLike } from '../train/data.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rowsArg = process.argv.indexOf('--rows');
const rows = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
const cols = 28;
const testRows = 50_000;

const make = (n, seed) => makeHiggsLike(Rng, n, seed, cols);

const dir = mkdtempSync(join(tmpdir(), 'capstan-train-bench-'));
try {
  const train = make(rows, 1);
  const test = make(testRows, 2);
  for (const [name, arr] of [['train_X.f32', train.X.data], ['train_y.i32', train.y], ['test_X.f32', test.X.data], ['test_y.i32', test.y]]) {
    writeFileSync(join(dir, name), Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength));
  }
  const results = [];
  const load0 = loadavg()[0].toFixed(1);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const model = fitBoosting(train.X, train.y, 2, { maxIter: 100, learningRate: 0.1, maxLeafNodes: 31, maxBins: 255, minSamplesLeaf: 20, earlyStopping: false });
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const scores = new Float64Array(testRows).fill(model.baseline[0]);
  for (const t of model.trees) for (let i = 0; i < testRows; i++) {
    let node = 0;
    while (t.feature[node] >= 0) node = test.X.data[i * cols + t.feature[node]] <= t.threshold[node] ? t.left[node] : t.right[node];
    scores[i] += t.value[node];
  }
  const pred = Int32Array.from(scores, (v) => (v > 0 ? 1 : 0));
  results.push({ library: '@capstan/train', train_seconds: Number(secs.toFixed(2)), train_cpu_seconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)), threads: 1, test_accuracy: Number(accuracy(test.y, pred).toFixed(4)), test_auc: Number(rocAuc(test.y, scores).toFixed(4)) });
  const python = join(root, '.venv/bin/python');
  const env = { ...process.env, PYTHONPATH: join(root, 'bench/.pydeps/lightgbm'), OMP_NUM_THREADS: process.env.BENCH_THREADS ?? '1' };
  const out = execFileSync(python, [join(root, 'bench/train/compare.py'), dir, String(rows), String(cols), String(testRows)], { env, encoding: 'utf8' });
  for (const line of out.trim().split('\n')) results.push(JSON.parse(line));
  const ours = results[0];
  console.log(`\n${rows.toLocaleString()} rows × ${cols} features, 100 rounds, 31 leaves, 255 bins (load ${load0} → ${loadavg()[0].toFixed(1)})\n`);
  console.log('| library | threads | train s | CPU s | test accuracy | test AUC | time vs @capstan/train |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    if (r.error) { console.log(`| ${r.library} | – | – | – | – | – | ${r.error} |`); continue; }
    console.log(`| ${r.library} | ${r.threads} | ${r.train_seconds} | ${r.train_cpu_seconds} | ${r.test_accuracy} | ${r.test_auc} | ${(ours.train_cpu_seconds / r.train_cpu_seconds).toFixed(2)}× (CPU) |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
