// Process helpers: free ports, fresh temp dirs, starting the servers under test in their own
// process group, waiting for /health, measuring the RSS of a whole process tree, stopping it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH = path.join(ROOT, 'bench');
export const CAPSTAN_BIN = path.join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
export const MLFLOW_BIN = path.join(ROOT, '.venv', 'bin', 'mlflow');
export const PYTHON_BIN = path.join(ROOT, '.venv', 'bin', 'python');
/** Where psycopg (3) is installed for MLflow on PostgreSQL (kept out of the shared venv). */
export const PYDEPS = path.join(BENCH, '.pydeps');
export const PG_ADMIN = 'postgresql://postgres@127.0.0.1:5432/postgres';

const live = new Set();
const tempDirs = new Set();

/** A port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A fresh temp dir, removed by {@link cleanupAll}. */
export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `capstan-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

function getStatus(url, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export function logTail(file, lines = 15) {
  try { return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}

/** Polls `url` every `intervalMs` until it answers 200; resolves with ms since `t0`. */
export async function waitFor200(url, { t0 = performance.now(), timeoutMs = 180_000, intervalMs = 10, child } = {}) {
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before ${url} answered; log ${child.logFile} ends:\n${logTail(child.logFile)}`);
    if ((await getStatus(url)) === 200) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${url}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Starts `cmd args` detached (own process group, so the whole tree can be measured and
 * stopped), stdout/stderr to a log file. Resolves once GET /health is 200.
 */
export async function startServer({ name, cmd, args, env = {}, port, logDir, healthPath = '/health', timeoutMs = 300_000 }) {
  const logFile = path.join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: logDir, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  child.logFile = logFile;
  live.add(child);
  child.on('exit', () => live.delete(child));
  const url = `http://127.0.0.1:${port}`;
  let readyMs;
  try {
    readyMs = await waitFor200(`${url}${healthPath}`, { t0, timeoutMs, child });
  } catch (error) {
    await stopServer({ child });
    throw error;
  }
  return { name, child, url, port, readyMs, logFile, pgid: child.pid };
}

/** Sends SIGTERM to the server's process group, then SIGKILL after `graceMs`. */
export async function stopServer(server, graceMs = 10_000) {
  const child = server.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group gone */ }
    return;
  }
  const exited = new Promise((r) => child.once('exit', r));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
  const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
  await exited;
  clearTimeout(timer);
  // Stragglers of the group (uvicorn workers, job runners).
  await new Promise((r) => setTimeout(r, 200));
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group gone */ }
}

/** Total RSS (MB) and process count of a process group, from `ps -o rss`. */
export function groupRss(pgid) {
  const out = execFileSync('ps', ['-e', '-o', 'pgid=,pid=,rss=,comm='], { encoding: 'utf8' });
  let kb = 0;
  let count = 0;
  let leaderKb = 0;
  for (const line of out.split('\n')) {
    const [g, p, rss] = line.trim().split(/\s+/);
    if (Number(g) === pgid) {
      kb += Number(rss);
      count++;
      if (Number(p) === pgid) leaderKb = Number(rss);
    }
  }
  return { mb: kb / 1024, processes: count, leaderMb: leaderKb / 1024 };
}

/** Kills every server still running and removes temp dirs (also on Ctrl-C). */
export async function cleanupAll({ keepDirs = false } = {}) {
  for (const child of [...live]) await stopServer({ child }, 3000);
  if (!keepDirs) for (const d of [...tempDirs]) removeDir(d);
}

let exiting = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (exiting) return;
    exiting = true;
    process.stderr.write(`\n${sig}: stopping servers...\n`);
    cleanupAll().finally(() => process.exit(130));
  });
}

// ---- the servers under test ------------------------------------------------------------------

/** A metadata store for one server: a fresh SQLite file or a fresh PostgreSQL database. */
export async function freshStore(backend, label) {
  const dir = tempDir(label);
  if (backend === 'sqlite') {
    const file = path.join(dir, 'store.db');
    return { backend, dir, file, uri: `sqlite:///${file}`, async drop() {} };
  }
  const db = `bench_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${process.pid}_${Date.now() % 1e8}`;
  psql(`DROP DATABASE IF EXISTS ${db}`);
  psql(`CREATE DATABASE ${db}`);
  return {
    backend, dir, db,
    uri: `postgresql://postgres@127.0.0.1:5432/${db}`,
    async drop() { try { psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`); } catch { /* best effort */ } },
  };
}

export function psql(sql) {
  return execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function capstanBuilt() {
  return existsSync(CAPSTAN_BIN);
}

export async function startCapstan(store, { name = 'capstan', timeoutMs } = {}) {
  const port = await freePort();
  const server = await startServer({
    name, port, logDir: store.dir, timeoutMs,
    cmd: process.execPath,
    args: [CAPSTAN_BIN, 'server', '--host', '127.0.0.1', '--port', String(port), '--backend-store-uri', store.uri, '--artifacts-destination', path.join(store.dir, 'artifacts')],
  });
  return { ...server, kind: 'capstan', store };
}

/**
 * Makes psycopg (3) importable for MLflow: SQLAlchemy 2.1 maps `postgresql://` to psycopg 3.
 * Installed once with `pip --target bench/.pydeps --no-deps` and put on PYTHONPATH of the
 * MLflow process only; the shared venv is untouched.
 */
export function ensurePsycopg() {
  const probe = () => {
    try {
      execFileSync(PYTHON_BIN, ['-c', 'import psycopg; psycopg.pq.version()'], { env: { ...process.env, PYTHONPATH: PYDEPS }, stdio: 'ignore' });
      return true;
    } catch { return false; }
  };
  if (probe()) return true;
  process.stderr.write(`psycopg not importable: installing psycopg[binary] into ${PYDEPS} (pip --target --no-deps; the shared venv is untouched)\n`);
  try {
    execFileSync(path.join(ROOT, '.venv', 'bin', 'pip'), ['install', '--quiet', '--no-deps', '--target', PYDEPS, 'psycopg==3.3.9', 'psycopg-binary==3.3.9'], { stdio: 'inherit' });
  } catch { return false; }
  return probe();
}

/** Whether a PostgreSQL server answers on 127.0.0.1:5432 as user postgres. */
export function postgresAvailable() {
  try { psql('SELECT 1'); return true; } catch { return false; }
}

/**
 * `mlflow server` on the same store. `workers` defaults to MLflow's own default (4); the
 * background job runner (huey consumers) is on only when `jobs` is true (MLflow's default).
 */
export async function startMlflow(store, { name = 'mlflow', workers, jobs = false, timeoutMs = 300_000 } = {}) {
  const port = await freePort();
  const args = ['server', '--host', '127.0.0.1', '--port', String(port), '--backend-store-uri', store.uri, '--artifacts-destination', path.join(store.dir, 'artifacts')];
  if (workers) args.push('--workers', String(workers));
  const env = { MLFLOW_SERVER_ENABLE_JOB_EXECUTION: jobs ? 'true' : 'false', PYTHONWARNINGS: 'ignore' };
  if (store.backend === 'postgres') env.PYTHONPATH = [PYDEPS, process.env.PYTHONPATH].filter(Boolean).join(':');
  const server = await startServer({ name, port, logDir: store.dir, timeoutMs, cmd: MLFLOW_BIN, args, env });
  return { ...server, kind: 'mlflow', store };
}

/** The physical-limit HTTP server: node:http, parses the JSON body, answers `{}`. */
export async function startLimitServer(store) {
  const port = await freePort();
  const server = await startServer({
    name: 'limit-http', port, logDir: store.dir,
    cmd: process.execPath, args: [path.join(BENCH, 'limit-server.mjs'), String(port)],
  });
  return { ...server, kind: 'limit', store };
}

/** 1-minute load average and CPU count, for the notes. */
export function machineNotes() {
  const [l1, l5, l15] = os.loadavg();
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', memGb: Math.round(os.totalmem() / 2 ** 30), load: [l1, l5, l15].map((x) => x.toFixed(2)).join(' / '), node: process.version };
}
