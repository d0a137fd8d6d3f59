// Scenario: streaming drift profiles (packages/server/src/core/monitoring/profile).
//
//   npm run build && node bench/scenarios/profile.mjs [--quick] [--reps N]
//
// 1. Update rate: 1,000,000 rows x 20 columns fed to DatasetProfile.update in batches of 10,000
//    rows, one core (this process), data generated beforehand. Three mixes: 20 float columns
//    (high cardinality: KLL + HyperLogLog path), 20 int columns with 8 distinct values (exact-count
//    path), and a mixed table (12 float, 4 low-cardinality int, 4 string columns with 50 values).
//    Wall-clock rows/s (best and median of --reps runs) and rows per CPU-second of this process
//    (which discounts time the OS gave to other processes on a shared machine).
// 2. Size: the 20-float-column profile after 1e5, 1e6 and 5e6 rows: serialized JSON bytes and the
//    bytes its object graph holds (typed-array buffers with their slack, plus a flat 32 bytes per
//    object); neither may grow with the rows.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { prng, table, num, log } from '../lib/stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.join(ROOT, 'packages/server/dist/core/monitoring/profile/index.js');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const BATCH = 10_000;
const COLUMNS = 20;

function normal(rnd) {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/** Column j of a mix, rows [from, from + n). Deterministic. */
function makeColumn(mix, j, n, seed) {
  const rnd = prng(seed * 1000 + j + 1);
  const kind = mix === 'float' ? 'float' : mix === 'int' ? 'int' : j < 12 ? 'float' : j < 16 ? 'int' : 'string';
  if (kind === 'float') {
    const values = new Float64Array(n);
    const shape = j % 4;
    for (let i = 0; i < n; i++) {
      const z = normal(rnd);
      values[i] = shape === 0 ? z : shape === 1 ? rnd() * 100 : shape === 2 ? Math.exp(z) : Math.round(z * 1000) / 10;
      if (i % 997 === 0) values[i] = NaN;
    }
    return { name: `c${j}`, dtype: 'float', values };
  }
  if (kind === 'int') {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = Math.floor(rnd() * rnd() * 8);
    return { name: `c${j}`, dtype: 'int', values };
  }
  const labels = Array.from({ length: 50 }, (_, i) => `label-${i}`);
  const values = new Array(n);
  for (let i = 0; i < n; i++) values[i] = i % 501 === 0 ? null : labels[Math.floor(50 * rnd() * rnd())];
  return { name: `c${j}`, dtype: 'string', values };
}

function makeTable(mix, n, seed) {
  return Array.from({ length: COLUMNS }, (_, j) => makeColumn(mix, j, n, seed));
}

function slice(columns, from, to) {
  return columns.map((c) => ({ name: c.name, dtype: c.dtype, values: c.values.slice(from, to) }));
}

/**
 * Bytes held by an object graph: typed-array buffers, 8 per number or slot, 2 per string char and
 * 32 per object, Map entry or array header. Deterministic, unlike heap deltas around a GC.
 */
function footprint(root) {
  const seen = new Set();
  let bytes = 0;
  const visit = (v) => {
    if (typeof v === 'string') { bytes += 2 * v.length; return; }
    if (typeof v !== 'object' || v === null || seen.has(v)) { bytes += 8; return; }
    seen.add(v);
    if (ArrayBuffer.isView(v)) { if (!seen.has(v.buffer)) { seen.add(v.buffer); bytes += v.buffer.byteLength; } bytes += 32; return; }
    bytes += 32;
    if (v instanceof Map) for (const [k, x] of v) { visit(k); visit(x); }
    else if (Array.isArray(v)) for (const x of v) visit(x);
    else for (const x of Object.values(v)) visit(x);
  };
  visit(root);
  return bytes;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function profileScenario({ quick = false, reps = 3 } = {}) {
  const { DatasetProfile } = await import(DIST);
  const rows = quick ? 200_000 : 1_000_000;
  const out = [];

  out.push(`### Profile update rate: ${num(rows, 0)} rows × ${COLUMNS} columns, batches of ${num(BATCH, 0)} rows, 1 core\n`);
  const rateRows = [];
  for (const mix of ['float', 'int', 'mixed']) {
    log(`profile: generating ${mix} data`);
    const data = makeTable(mix, rows, 1);
    const batches = [];
    for (let from = 0; from < rows; from += BATCH) batches.push(slice(data, from, Math.min(rows, from + BATCH)));
    const times = [];
    const cpu = [];
    for (let r = 0; r < reps; r++) {
      gc();
      const profile = new DatasetProfile();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (const b of batches) profile.update(b);
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e6);
    }
    const best = Math.min(...times);
    const med = median(times);
    const bestCpu = Math.min(...cpu);
    const label = mix === 'float' ? '20 float (sketches)' : mix === 'int' ? '20 int, 8 values (exact counts)' : '12 float + 4 int + 4 string';
    rateRows.push([label, num(rows / best, 0), num(rows / med, 0), num(rows / bestCpu, 0), num((rows * COLUMNS) / bestCpu / 1e6, 1), num((bestCpu * 1e9) / (rows * COLUMNS), 1)]);
  }
  out.push(table(['columns', 'rows/s, wall (best)', 'rows/s, wall (median)', 'rows per CPU-second (best)', 'M cells per CPU-s', 'CPU ns/cell'], rateRows));

  out.push(`\n### Profile size: ${COLUMNS} float columns (k=200, p=12, cap 1000)\n`);
  const sizeRows = [];
  const sizes = quick ? [1e5, 1e6] : [1e5, 1e6, 5e6];
  for (const n of sizes) {
    log(`profile: size at ${num(n, 0)} rows`);
    const profile = new DatasetProfile();
    for (let from = 0, seed = 1; from < n; from += 100_000, seed++) profile.update(makeTable('float', Math.min(100_000, n - from), seed));
    const heap = footprint(profile);
    const json = JSON.stringify(profile.serialize());
    const retained = [...profile.columns.values()].reduce((s, c) => s + (c.kind === 'numeric' && !c.isExact ? c.serialize().kll.sizes.reduce((a, b) => a + b, 0) : 0), 0) / COLUMNS;
    sizeRows.push([num(n, 0), num(json.length / 1024, 1), num(json.length / COLUMNS / 1024, 2), num(heap / 1024, 0), num(retained, 0)]);
  }
  out.push(table(['rows', 'serialized KiB (20 cols)', 'KiB / column', 'in-memory KiB (20 cols)', 'KLL items / column'], sizeRows));
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const repsAt = args.indexOf('--reps');
  const report = await profileScenario({ quick: args.includes('--quick'), reps: repsAt >= 0 ? Number(args[repsAt + 1]) : 3 });
  console.log(report);
}
