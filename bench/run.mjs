#!/usr/bin/env node
// Capstan benchmarks: Capstan vs `mlflow server` vs the physical limit, side by side in one run.
//
//   npm run bench                      # everything, full size (takes a long while: MLflow seeding)
//   npm run bench -- --quick           # short version (small data, short windows)
//   node bench/run.mjs --only ingest,startup --backends sqlite,postgres
//
// Options:
//   --quick                 short windows and small data sets
//   --only a,b              scenarios: ingest, search, history, startup (default: all)
//   --backends a,b          backends for search and history: sqlite and/or postgres (default: sqlite)
//   --ingest-backends a,b   backends for ingest (default: sqlite,postgres; postgres is skipped with
//                           a note when no server answers on 127.0.0.1:5432). Startup: sqlite.
//   --out FILE              also write the markdown report to FILE (default bench/results/<time>.md)
//   --keep                  keep temp dirs (databases, server logs) for inspection
//
// Needs: `npm run build` done (packages/cli/dist), the venv with mlflow at .venv, and for
// --backends postgres a local PostgreSQL with trust auth for user postgres on 127.0.0.1:5432.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { BENCH, ROOT, MLFLOW_BIN, capstanBuilt, cleanupAll, machineNotes, postgresAvailable } from './lib/proc.mjs';
import { log } from './lib/stats.mjs';
import { ingestScenario } from './scenarios/ingest.mjs';
import { searchScenario } from './scenarios/search.mjs';
import { historyScenario } from './scenarios/history.mjs';
import { startupScenario } from './scenarios/startup.mjs';

function gitInfo() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes under packages/` : head;
  } catch { return 'unknown'; }
}

function mlflowVersion() {
  try { return execFileSync(MLFLOW_BIN, ['--version'], { encoding: 'utf8' }).trim().replace(/^mlflow, version /, ''); } catch { return '?'; }
}

function parseArgs(argv) {
  const opts = { quick: false, only: ['ingest', 'search', 'history', 'startup'], backends: ['sqlite'], ingestBackends: ['sqlite', 'postgres'], out: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
    if (a === '--quick') opts.quick = true;
    else if (a === '--keep') opts.keep = true;
    else if (a.startsWith('--only')) opts.only = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a.startsWith('--backends')) opts.backends = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a.startsWith('--ingest-backends')) opts.ingestBackends = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a.startsWith('--out')) opts.out = val();
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`usage: node bench/run.mjs [--quick] [--only ingest,search,history,startup] [--backends sqlite,postgres] [--ingest-backends sqlite,postgres] [--out FILE] [--keep]\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const s of opts.only) if (!['ingest', 'search', 'history', 'startup'].includes(s)) throw new Error(`unknown scenario ${s}`);
  for (const b of [...opts.backends, ...opts.ingestBackends]) if (!['sqlite', 'postgres'].includes(b)) throw new Error(`unknown backend ${b}`);
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!capstanBuilt()) throw new Error('packages/cli/dist/bin.js is missing: run `npm run build` first');
  if (!existsSync(MLFLOW_BIN)) throw new Error(`${MLFLOW_BIN} is missing: create the venv with mlflow first`);
  const command = `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const started = new Date();
  const before = machineNotes();
  const codeAtStart = gitInfo();
  log(`capstan bench: ${command} (${before.cpus} CPUs, load ${before.load})`);

  const sections = [];
  const loads = [];
  const run = async (label, fn) => {
    const l0 = machineNotes().load;
    const t0 = performance.now();
    try {
      const section = await fn();
      section.elapsed = (performance.now() - t0) / 1000;
      section.load = `${l0} → ${machineNotes().load}`;
      sections.push(section);
      loads.push(`${label}: ${section.load}`);
    } catch (error) {
      log(`${label} FAILED: ${error.stack ?? error}`);
      sections.push({ title: label, md: `**FAILED**: ${String(error.message ?? error).slice(0, 2000)}`, notes: [], failed: true });
    }
  };
  const pgUp = postgresAvailable();
  const skipped = (label) => sections.push({ title: label, md: '_Skipped: no PostgreSQL answers on 127.0.0.1:5432 as user postgres._', notes: [] });
  if (opts.only.includes('ingest')) {
    for (const backend of opts.ingestBackends) {
      if (backend === 'postgres' && !pgUp) skipped('log-batch ingest (postgres)');
      else await run(`ingest/${backend}`, () => ingestScenario({ backend, quick: opts.quick }));
    }
  }
  for (const backend of opts.backends) {
    if (backend === 'postgres' && !pgUp) { skipped('search and history (postgres)'); continue; }
    if (opts.only.includes('search')) await run(`search/${backend}`, () => searchScenario({ backend, quick: opts.quick }));
    if (opts.only.includes('history')) await run(`history/${backend}`, () => historyScenario({ backend, quick: opts.quick }));
  }
  if (opts.only.includes('startup')) await run('startup', () => startupScenario({ quick: opts.quick }));

  const after = machineNotes();
  const lines = [
    `# Capstan benchmark run ${started.toISOString()}`,
    '',
    `Command: \`${command}\``,
    '',
    `Code: commit ${codeAtStart}${gitInfo() !== codeAtStart ? ` at start, ${gitInfo()} at the end (the tree moved during the run; each section measured the dist built at its time)` : ''}; Capstan from packages/cli/dist (run \`npm run build\` first); MLflow ${mlflowVersion()} from .venv.`,
    '',
    `Machine: ${after.cpus} vCPU (${after.cpuModel}), ${after.memGb} GiB RAM, Node ${after.node}; load average (1/5/15 min) at start ${before.load}, at end ${after.load}.`,
    '',
  ];
  for (const s of sections) {
    lines.push(`## ${s.title}`, '');
    if (s.elapsed) lines.push(`_Took ${Math.round(s.elapsed)} s; load average ${s.load}._`, '');
    lines.push(s.md, '');
    for (const n of s.notes ?? []) lines.push(`- ${n}`);
    lines.push('');
  }
  const md = lines.join('\n');
  process.stdout.write(`\n${md}\n`);
  const out = opts.out ?? path.join(BENCH, 'results', `${started.toISOString().replace(/[:.]/g, '-')}${opts.quick ? '-quick' : ''}.md`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, md);
  writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify({ command, started, before, after, sections: sections.map(({ md: _md, ...rest }) => rest) }, null, 1));
  log(`report written to ${out}`);
  await cleanupAll({ keepDirs: opts.keep });
  if (sections.some((s) => s.failed)) process.exitCode = 1;
}

main().catch(async (error) => {
  log(`bench failed: ${error.stack ?? error}`);
  await cleanupAll();
  process.exit(1);
});
