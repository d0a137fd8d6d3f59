#!/usr/bin/env node
// Scenario: model serving. Capstan vs `mlflow models serve` vs bare node:http + onnxruntime-node
// vs in-process onnxruntime-node (the limit), on the same two scikit-learn models (skl2onnx).
//
//   npx tsc -b packages/cli && node bench/scenarios/serving.mjs [--quick] [--keep] [--out FILE]
//
// 1. The limit: `session.run` in a loop in one process (bench/serving/limit.mjs), batch 1 and 64.
// 2. The floor of HTTP cost: bare node:http + ORT on the main thread (bench/serving/bare-server.mjs).
// 3. Capstan: OIP JSON, OIP binary tensors, /invocations (dataframe_split, and inputs as MLflow gets).
// 4. `mlflow models serve -m models:/NAME/1 --env-manager local` against the same registry.
// Per HTTP target: throughput at c=32 (autocannon, after warm-up), p50/p99 at c=1, and p50/p99 at a
// fixed offered 1,000 req/s both with autocannon overallRate and with a paced open-loop client.
// Batching gain: Capstan at c=64 with maxBatchRows 256 vs a deployment with maxBatchRows 1.
// Servers run pinned to CPU 0 and this process (the load generator) to CPU 1 when taskset exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import {
  BENCH, CAPSTAN_BIN, MLFLOW_BIN, PYTHON_BIN, ROOT, capstanBuilt, cleanupAll, freePort, machineNotes, startServer, tempDir,
} from '../lib/proc.mjs';
import { log, num, percentile, ratio, table } from '../lib/stats.mjs';

const autocannon = createRequire(import.meta.url)('autocannon');

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const KEEP = args.includes('--keep');
const OUT = args.includes('--out') ? args[args.indexOf('--out') + 1] : null;
const DURATION = QUICK ? 3 : 10;
/** Throughput at c=32 is measured in this many interleaved rounds of ROUND_S seconds; the median is reported. */
const ROUNDS = QUICK ? 1 : 3;
const ROUND_S = QUICK ? 3 : 5;
const WARMUP = QUICK ? 1 : 2;
const RATE = 1000;
const VENV_BIN = path.join(ROOT, '.venv', 'bin');
const HAS_TASKSET = spawnSync('taskset', ['-V']).status === 0;
const CPUS = machineNotes().cpus;
const PIN = HAS_TASKSET && CPUS >= 2;

/** Wraps a command so it runs on CPU 0 (the servers' core) when pinning is possible. */
function onServerCore(cmd, cmdArgs) {
  return PIN ? { cmd: 'taskset', args: ['-c', '0', cmd, ...cmdArgs] } : { cmd, args: cmdArgs };
}

function pinSelf() {
  if (!PIN) return 'not pinned (taskset missing or fewer than 2 CPUs): servers and load generator share the cores';
  execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
  return 'servers (and their worker threads / uvicorn worker) pinned to CPU 0 with `taskset -c 0`; this process (load generator: autocannon and the paced client) pinned to CPU 1';
}

// ---- load generation --------------------------------------------------------------------------

/**
 * autocannon against one target. Latencies come from its per-response event (float ms);
 * its own histogram has 1 ms resolution, too coarse for sub-millisecond servers.
 */
function cannon(target, { connections, duration, overallRate }) {
  return new Promise((resolve, reject) => {
    const lat = [];
    const instance = autocannon({
      url: target.base + target.path, method: 'POST', headers: target.headers, body: target.body,
      connections, duration, ...(overallRate ? { overallRate } : {}), timeout: 10,
    }, (error, result) => {
      if (error) return reject(error);
      const ok = result['2xx'];
      resolve({
        rps: ok / (result.duration || duration), p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length,
        bad: result.non2xx + result.errors + result.timeouts, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx,
      });
    });
    instance.on('response', (_client, status, _bytes, ms) => { if (status >= 200 && status < 300) lat.push(ms); });
  });
}

/**
 * A paced open-loop client: sends `rate` requests per second evenly spaced (not in a burst at the
 * start of each second, as autocannon's per-connection rate limit does), on up to 128 keep-alive
 * sockets. Latency is measured from each request's scheduled time, so a server that falls behind
 * is charged for the queueing it causes (no coordinated omission).
 */
async function paced(target, { rate, duration }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const u = new URL(target.base);
  const body = Buffer.isBuffer(target.body) ? target.body : Buffer.from(target.body);
  const headers = { ...target.headers, 'content-length': body.length };
  const lat = [];
  let bad = 0;
  let sent = 0;
  let inflight = 0;
  const total = rate * duration;
  const t0 = performance.now() + 5;
  await new Promise((resolveAll) => {
    const fire = (scheduled) => {
      inflight++;
      const req = http.request({ host: u.hostname, port: Number(u.port), path: target.path, method: 'POST', headers, agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          if (res.statusCode >= 200 && res.statusCode < 300) lat.push(performance.now() - scheduled); else bad++;
          if (--inflight === 0 && sent >= total) resolveAll();
        });
      });
      req.on('error', () => { bad++; if (--inflight === 0 && sent >= total) resolveAll(); });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + (sent * 1000) / rate <= now) fire(t0 + (sent++ * 1000) / rate);
      if (sent < total) setImmediate(tick);
      else if (inflight === 0) resolveAll();
    };
    setTimeout(tick, 5);
  });
  agent.destroy();
  const elapsed = (performance.now() - t0) / 1000;
  return { rps: lat.length / elapsed, p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length, bad };
}

// ---- targets ---------------------------------------------------------------------------------

function oipJson(model, row) {
  return JSON.stringify({ inputs: [{ name: 'X', shape: [1, row.length], datatype: 'FP32', data: row }] });
}

function oipBinary(row) {
  const header = Buffer.from(JSON.stringify({
    inputs: [{ name: 'X', shape: [1, row.length], datatype: 'FP32', parameters: { binary_data_size: row.length * 4 } }],
    parameters: { binary_data_output: true },
  }));
  return { body: Buffer.concat([header, Buffer.from(Float32Array.from(row).buffer)]), headerLength: header.length };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** One request to check that a target answers 200 with the expected probabilities. */
async function check(target, expected) {
  const res = await fetch(target.base + target.path, { method: 'POST', headers: target.headers, body: target.body });
  const buf = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${target.label}: HTTP ${res.status}: ${buf.toString('utf8').slice(0, 500)}`);
  const headerLength = res.headers.get('inference-header-content-length');
  let proba;
  if (headerLength) {
    const header = JSON.parse(buf.subarray(0, Number(headerLength)).toString());
    let offset = Number(headerLength);
    for (const o of header.outputs) {
      const size = o.parameters?.binary_data_size ?? 0;
      if (o.name === 'probabilities') proba = Array.from(new Float32Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + size)));
      offset += size;
    }
  } else {
    const json = JSON.parse(buf.toString('utf8'));
    if (json.outputs) proba = json.outputs.find((o) => o.name === 'probabilities').data.flat();
    else if (Array.isArray(json.predictions)) proba = json.predictions[0].probabilities;
    else proba = json.predictions.probabilities.flat();
  }
  const want = expected.probabilities.flat();
  if (!proba || proba.length !== want.length || proba.some((p, i) => Math.abs(p - want[i]) > 1e-5)) {
    throw new Error(`${target.label}: probabilities ${JSON.stringify(proba)} differ from Python onnxruntime's ${JSON.stringify(want)}`);
  }
}

// ---- servers ---------------------------------------------------------------------------------

async function startCapstanServer(dir) {
  const port = await freePort();
  const { cmd, args: a } = onServerCore(process.execPath, [CAPSTAN_BIN, 'server', '--host', '127.0.0.1', '--port', String(port), '--backend-store-uri', `sqlite:///${path.join(dir, 'store.db')}`, '--artifacts-destination', path.join(dir, 'artifacts')]);
  return startServer({ name: 'capstan', cmd, args: a, port, logDir: dir });
}

async function startBare(dir, modelsFile) {
  const port = await freePort();
  const { cmd, args: a } = onServerCore(process.execPath, [path.join(BENCH, 'serving', 'bare-server.mjs'), String(port), modelsFile]);
  return startServer({ name: 'bare', cmd, args: a, port, logDir: dir });
}

async function startMlflowServe(dir, trackingUri, model) {
  const port = await freePort();
  const { cmd, args: a } = onServerCore(MLFLOW_BIN, ['models', 'serve', '-m', `models:/${model}/1`, '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(port)]);
  // `mlflow models serve` execs `uvicorn` by name: the venv's bin must be on PATH (as when the venv is activated).
  const env = { MLFLOW_TRACKING_URI: trackingUri, PATH: `${VENV_BIN}:${process.env.PATH}`, GIT_PYTHON_REFRESH: 'quiet', PYTHONWARNINGS: 'ignore' };
  return startServer({ name: `mlflow-serve-${model}`, cmd, args: a, env, port, logDir: dir, healthPath: '/ping', timeoutMs: 180_000 });
}

async function post(base, p, body) {
  const res = await fetch(base + p, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${p} -> ${res.status}: ${text.slice(0, 400)}`);
  return JSON.parse(text);
}

// ---- the run ---------------------------------------------------------------------------------

const us = (ms) => (Number.isFinite(ms) ? (ms >= 1 ? `${num(ms, 2)} ms` : `${num(ms * 1000, 0)} µs`) : 'n/a');

async function main() {
  if (!capstanBuilt()) throw new Error('packages/cli/dist/bin.js is missing: run `npx tsc -b packages/cli` first');
  const command = `node bench/scenarios/serving.mjs ${args.join(' ')}`.trim();
  const started = new Date();
  const before = machineNotes();
  const pinning = pinSelf();
  log(`serving bench: ${command} (${before.cpus} CPUs, load ${before.load}); ${pinning}`);
  const notes = [pinning];
  const dir = tempDir('serving');
  const modelsDir = path.join(dir, 'models');

  log('starting Capstan and registering the models with the mlflow client (make_models.py)...');
  const capstan = await startCapstanServer(dir);
  execFileSync(PYTHON_BIN, [path.join(BENCH, 'serving', 'make_models.py'), modelsDir], {
    env: { ...process.env, MLFLOW_TRACKING_URI: capstan.url, GIT_PYTHON_REFRESH: 'quiet', MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR: 'false', PYTHONWARNINGS: 'ignore' },
    stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000,
  });
  const modelsFile = path.join(modelsDir, 'models.json');
  const spec = JSON.parse(readFileSync(modelsFile, 'utf8'));
  const MODELS = Object.keys(spec.models);
  for (const m of MODELS) {
    await post(capstan.url, '/api/v1/deployments', { name: m, variants: [{ modelUri: `models:/${m}/1` }], workers: 1, maxBatchRows: 256 });
    await post(capstan.url, '/api/v1/deployments', { name: `${m}-nobatch`, variants: [{ modelUri: `models:/${m}/1` }], workers: 1, maxBatchRows: 1 });
  }

  log('in-process limit (onnxruntime-node session.run loop)...');
  const limitCmd = onServerCore(process.execPath, [path.join(BENCH, 'serving', 'limit.mjs'), modelsFile, String(DURATION / 2)]);
  const limit = JSON.parse(execFileSync(limitCmd.cmd, limitCmd.args, { encoding: 'utf8' }).trim().split('\n').at(-1));
  log('worker-thread hop (session.run inline vs through a worker, one call at a time)...');
  const hopCmd = onServerCore(process.execPath, [path.join(BENCH, 'serving', 'hop.mjs'), modelsFile, String(QUICK ? 1 : 3)]);
  const hop = JSON.parse(execFileSync(hopCmd.cmd, hopCmd.args, { encoding: 'utf8' }).trim().split('\n').at(-1));

  log('starting the bare node:http + ORT server and mlflow models serve...');
  const bare = await startBare(dir, modelsFile);
  const mlflow = {};
  const mlflowFailures = {};
  for (const m of MODELS) {
    try {
      mlflow[m] = await startMlflowServe(dir, capstan.url, m);
    } catch (error) {
      mlflowFailures[m] = String(error.message ?? error).slice(0, 1500);
      log(`mlflow models serve (${m}) could not start: ${mlflowFailures[m]}`);
    }
  }

  const row = spec.row;
  const targets = {};
  for (const m of MODELS) {
    const bin = oipBinary(row);
    const list = [
      { key: 'bare', label: 'bare node:http + ORT (OIP JSON)', base: bare.url, path: `/v2/models/${m}/infer`, headers: JSON_HEADERS, body: oipJson(m, row) },
      { key: 'oip', label: 'Capstan OIP JSON', base: capstan.url, path: `/v2/models/${m}/infer`, headers: JSON_HEADERS, body: oipJson(m, row) },
      { key: 'bin', label: 'Capstan OIP binary tensors', base: capstan.url, path: `/v2/models/${m}/infer`, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(bin.headerLength) }, body: bin.body },
      { key: 'inv', label: 'Capstan /invocations (dataframe_split)', base: capstan.url, path: `/deployments/${m}/invocations`, headers: JSON_HEADERS, body: JSON.stringify({ dataframe_split: { columns: row.map((_, i) => String(i)), data: [row] } }) },
      { key: 'invIn', label: 'Capstan /invocations (inputs)', base: capstan.url, path: `/deployments/${m}/invocations`, headers: JSON_HEADERS, body: JSON.stringify({ inputs: [row] }) },
    ];
    if (mlflow[m]) list.push({ key: 'mlflow', label: 'mlflow models serve /invocations (inputs)', base: mlflow[m].url, path: '/invocations', headers: JSON_HEADERS, body: JSON.stringify({ inputs: [row] }) });
    for (const t of list) await check(t, spec.models[m]);
    targets[m] = list;
  }
  // MLflow's answer to dataframe_split for these models (it fails: see the note).
  const dfFailures = [];
  for (const m of MODELS) {
    if (!mlflow[m]) continue;
    const res = await fetch(`${mlflow[m].url}/invocations`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ dataframe_split: { columns: row.map((_, i) => String(i)), data: [row] } }) });
    if (res.status !== 200) dfFailures.push(`${m}: HTTP ${res.status}, ${/ValueError: (.*?)(\\n|")/.exec(await res.text())?.[1] ?? 'see its log'}`);
  }
  if (dfFailures.length) notes.push(`mlflow models serve answers dataframe_split with an error for these models (${dfFailures.join('; ')}): mlflow.onnx's pyfunc builds a DataFrame from the outputs label [n] and probabilities [n, 2]. So MLflow is driven with its tensor format \`{"inputs": [[...]]}\`; Capstan /invocations is measured with both.`);

  const results = {};
  const measure = async (kind, fn) => {
    for (const m of MODELS) {
      for (const t of targets[m]) {
        log(`${m} ${kind}: ${t.label}`);
        try {
          (results[`${m}/${t.key}`] ??= {})[kind] = await fn(t);
        } catch (error) {
          (results[`${m}/${t.key}`] ??= {})[kind] = { error: String(error.message ?? error) };
        }
      }
    }
  };
  for (let round = 0; round < ROUNDS; round++) {
    await measure(`c32#${round}`, async (t) => {
      await cannon(t, { connections: 32, duration: WARMUP });
      return cannon(t, { connections: 32, duration: ROUND_S });
    });
  }
  for (const r of Object.values(results)) {
    const rounds = Array.from({ length: ROUNDS }, (_, i) => r[`c32#${i}`]).filter((x) => x && !x.error);
    if (rounds.length === 0) { r.c32 = r['c32#0']; continue; }
    const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
    r.c32 = { ...sorted[Math.floor(sorted.length / 2)], min: sorted[0].rps, max: sorted.at(-1).rps, bad: rounds.reduce((s, x) => s + x.bad, 0) };
  }
  await measure('c1', (t) => cannon(t, { connections: 1, duration: DURATION }));
  await measure('rate', (t) => cannon(t, { connections: 32, duration: DURATION, overallRate: RATE }));
  await measure('paced', (t) => paced(t, { rate: RATE, duration: DURATION }));

  log('batching gain: c=64 against maxBatchRows 256 vs maxBatchRows 1...');
  const batching = {};
  const batchStats = async (m) => {
    const text = await (await fetch(`${capstan.url}/metrics`)).text();
    const val = (metric) => Number(new RegExp(`^${metric}\\{version="${m}/1"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { requests: val('capstan_batch_requests_sum'), batches: val('capstan_batch_requests_count') };
  };
  for (const m of MODELS) {
    for (const [key, name] of [['batched', m], ['nobatch', `${m}-nobatch`]]) {
      const t = { base: capstan.url, path: `/v2/models/${name}/infer`, headers: JSON_HEADERS, body: oipJson(m, row) };
      await cannon(t, { connections: 64, duration: WARMUP });
      const s0 = await batchStats(m);
      const r = await cannon(t, { connections: 64, duration: DURATION });
      const s1 = await batchStats(m);
      r.meanBatch = (s1.requests - s0.requests) / (s1.batches - s0.batches);
      (batching[m] ??= {})[key] = r;
    }
  }

  // ---- report ----
  const after = machineNotes();
  const cell = (r, f) => (r && !r.error ? f(r) : r?.error ? `error: ${r.error.slice(0, 80)}` : 'n/a');
  const sustained = (r) => r && !r.error && r.rps >= RATE * 0.95;
  const rateCell = (r) => cell(r, (x) => (sustained(x) ? `${us(x.p50)} / ${us(x.p99)}` : `not sustained (${num(x.rps, 0)} req/s): ${us(x.p50)} / ${us(x.p99)}`));
  const errCell = (r) => [r?.c32, r?.c1, r?.rate, r?.paced].reduce((s, x) => s + (x && !x.error ? x.bad : 0), 0);

  const lines = [`# Serving benchmark ${started.toISOString()}`, '', `Command: \`${command}\``, ''];
  let code = '?';
  try { code = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
  lines.push(`Code: commit ${code}, Capstan from packages/cli/dist. Machine: ${after.cpus} vCPU (${after.cpuModel}), Node ${after.node}; load average (1/5/15 min) at start ${before.load}, at end ${after.load}.`, '');
  lines.push(`Windows: throughput at c=32 in ${ROUNDS} round(s) of ${ROUND_S} s, each after a ${WARMUP} s warm-up (median, range in brackets); c=1 and the 1,000 req/s runs ${DURATION} s each; targets interleaved per measurement kind and round, so the machine's other load hits them alike.`, '');

  lines.push('## In-process limit: onnxruntime-node `session.run` in a loop (one thread, CPU 0)', '');
  lines.push(table(['model', 'batch 1: µs/call', 'batch 1: calls/s', 'batch 64: µs/call', 'batch 64: µs/row', 'batch 64: rows/s'],
    MODELS.map((m) => [m, num(limit[m].b1.us, 1), num(limit[m].b1.callsPerS, 0), num(limit[m].b64.us, 1), num(limit[m].b64.perRowUs, 2), num(limit[m].b64.rowsPerS, 0)])), '');

  lines.push('## The worker-thread hop: one `session.run` at a time, batch 1, inline vs through a worker thread (bench/serving/hop.mjs, same core as the servers)', '');
  lines.push(table(['model', 'inline p50 / p99 / mean', 'via worker p50 / p99 / mean', 'hop cost (p50, mean)'],
    MODELS.map((m) => { const h = hop[m]; const f = (x) => `${num(x.p50, 0)} / ${num(x.p99, 0)} / ${num(x.mean, 0)} µs`; return [m, f(h.inline2), f(h.worker2), `+${num(h.worker2.p50 - h.inline2.p50, 0)} µs, +${num(h.worker2.mean - h.inline2.mean, 0)} µs`]; })), '');
  lines.push('Each loop runs twice; the table shows the second pass. The worker is a copy of Capstan\'s (postMessage of the feeds, outputs transferred back).', '');

  for (const m of MODELS) {
    lines.push(`## HTTP targets, model \`${m}\` (${m === 'lr' ? 'logistic regression, 20 features' : 'random forest, 100 trees, depth 10'}), one row per request`, '');
    lines.push(table(['target', 'req/s at c=32', 'p50 / p99 at c=1', `p50 / p99 at ${num(RATE, 0)} req/s (autocannon overallRate)`, `p50 / p99 at ${num(RATE, 0)} req/s (paced)`, 'failed requests'],
      targets[m].map((t) => {
        const r = results[`${m}/${t.key}`];
        return [t.label, cell(r.c32, (x) => (ROUNDS > 1 ? `${num(x.rps, 0)} (${num(x.min, 0)}–${num(x.max, 0)})` : num(x.rps, 0))), cell(r.c1, (x) => `${us(x.p50)} / ${us(x.p99)}`), rateCell(r.rate), rateCell(r.paced), String(errCell(r))];
      })), '');
    if (mlflowFailures[m]) lines.push(`_mlflow models serve for ${m} could not start: ${mlflowFailures[m].replace(/\n/g, ' ')}_`, '');
  }

  lines.push('## Batching gain: Capstan OIP JSON at c=64', '');
  lines.push(table(['model', 'maxBatchRows 256: req/s', 'p50 / p99', 'mean requests per model call', 'maxBatchRows 1: req/s', 'p50 / p99', 'gain'],
    MODELS.map((m) => { const b = batching[m]; return [m, num(b.batched.rps, 0), `${us(b.batched.p50)} / ${us(b.batched.p99)}`, num(b.batched.meanBatch, 1), num(b.nobatch.rps, 0), `${us(b.nobatch.p50)} / ${us(b.nobatch.p99)}`, ratio(b.batched.rps, b.nobatch.rps)]; })), '');
  lines.push('Mean requests per model call: from Capstan\'s /metrics (capstan_batch_requests) over the measured window.', '');

  lines.push('## Ratios vs the goals', '');
  const goal = [];
  for (const m of MODELS) {
    const r = (k) => results[`${m}/${k}`];
    const ok = (x) => x && !x.error;
    const best = ['oip', 'bin'].map((k) => r(k)?.c32).filter(ok).sort((a, b) => b.rps - a.rps)[0];
    if (ok(r('mlflow')?.c32)) {
      goal.push([m, 'throughput vs mlflow models serve (c=32, /invocations inputs vs inputs)', '≥ 10×', ratio(r('invIn').c32.rps, r('mlflow').c32.rps)]);
      goal.push([m, 'throughput vs mlflow models serve (c=32, Capstan dataframe_split vs MLflow inputs)', '≥ 10×', ratio(r('inv').c32.rps, r('mlflow').c32.rps)]);
      goal.push([m, 'throughput vs mlflow models serve (c=32, Capstan OIP JSON vs MLflow inputs)', '≥ 10×', ratio(r('oip').c32.rps, r('mlflow').c32.rps)]);
    } else goal.push([m, 'throughput vs mlflow models serve', '≥ 10×', 'mlflow models serve did not run']);
    if (ok(r('bare')?.c32) && ok(r('oip')?.c32)) {
      goal.push([m, 'bare node:http + ORT ÷ Capstan OIP JSON (c=32 req/s)', '≤ 1.5×', ratio(r('bare').c32.rps, r('oip').c32.rps)]);
      if (best) goal.push([m, 'bare node:http + ORT ÷ Capstan best (binary or JSON)', '≤ 1.5×', ratio(r('bare').c32.rps, best.rps)]);
      goal.push([m, 'p50 at c=1: Capstan OIP JSON vs bare', '', `${us(r('oip').c1.p50)} vs ${us(r('bare').c1.p50)}`]);
    }
    for (const [k, what] of [['oip', 'OIP JSON'], ['bin', 'OIP binary'], ['inv', '/invocations']]) {
      const x = r(k);
      goal.push([m, `Capstan ${what} p99 at ${num(RATE, 0)} req/s (paced / autocannon)`, '≤ 2 ms', `${cell(x?.paced, (y) => (sustained(y) ? us(y.p99) : 'not sustained'))} / ${cell(x?.rate, (y) => (sustained(y) ? us(y.p99) : 'not sustained'))}`]);
    }
    if (ok(r('mlflow')?.paced)) goal.push([m, `mlflow models serve p99 at ${num(RATE, 0)} req/s (paced)`, '', sustained(r('mlflow').paced) ? us(r('mlflow').paced.p99) : `not sustained (${num(r('mlflow').paced.rps, 0)} req/s)`]);
    goal.push([m, 'Capstan OIP JSON c=32 ÷ in-process limit batch 1 (calls/s)', '', ratio(r('oip')?.c32?.rps, limit[m].b1.callsPerS)]);
  }
  lines.push(table(['model', 'measure', 'goal', 'measured'], goal), '');

  notes.push(
    'Latency percentiles are computed from every response (autocannon\'s per-response float times; its own histogram has 1 ms resolution). "p50 / p99 at c=1": one connection, closed loop.',
    `"autocannon overallRate": ${RATE} req/s over 32 connections; autocannon releases each connection's quota at the start of every second (a burst, then idle), so its p99 is the tail of a c=32 burst, not of a steady 1,000 req/s. "paced": this harness's open-loop client sends one request every ${1000 / RATE} ms on keep-alive sockets and measures from the scheduled send time (queueing behind a slow server counts). "not sustained": fewer than 95% of the offered rate answered.`,
    'Capstan runs each deployment\'s model in one worker thread (workers: 1) on the same pinned core as its HTTP thread, logs every prediction (payload log to SQLite) and keeps metrics; the bare server runs ORT on its main thread and does nothing else.',
    '`mlflow models serve --env-manager local` runs uvicorn with 1 worker (MLflow\'s default); it needs the venv\'s bin on PATH because it execs `uvicorn` by name (without it: exit code 127).',
    'Every target\'s answer was checked once against Python onnxruntime\'s probabilities for the same row before measuring.',
  );
  for (const n of notes) lines.push(`- ${n}`);
  const md = lines.join('\n');
  process.stdout.write(`\n${md}\n`);
  const out = OUT ?? path.join(BENCH, 'results', `serving-${started.toISOString().replace(/[:.]/g, '-')}${QUICK ? '-quick' : ''}.md`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, md);
  writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify({ command, started, before, after, limit, hop, results, batching }, null, 1));
  log(`report written to ${out}`);
  if (KEEP) log(`kept ${dir} (server logs: ${capstan.logFile})`);
}

main()
  .catch((error) => {
    log(`serving bench failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll({ keepDirs: KEEP });
    process.exit();
  });
