// What the worker-thread hop costs: one request at a time (like c=1), batch 1, the same model,
// `session.run` inline on this thread vs sent to a worker thread that runs it and posts the
// outputs back (the way Capstan's runtime does: postMessage with the feeds, transfer of the
// output buffers). Run it pinned to one core to see what a busy core does to the thread wake-ups.
//
//   node bench/serving/hop.mjs MODELS_JSON SECONDS
//
// Prints one JSON line: { lr: { inline: { p50, p99, mean }, worker: { ... } }, ... } in µs.
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ort, openSession } from './ort.mjs';

const [modelsFile, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 2);
const spec = JSON.parse(readFileSync(modelsFile, 'utf8'));
const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const fs = require('node:fs');
let session, fetches;
parentPort.on('message', async (msg) => {
  if (msg.type === 'load') {
    session = await ort.InferenceSession.create(fs.readFileSync(msg.path), { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } });
    fetches = session.outputMetadata.filter((m) => m.isTensor).map((m) => m.name);
    parentPort.postMessage({ loaded: true });
    return;
  }
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor(msg.type, msg.data, msg.dims) }, fetches);
  const result = {}; const transfer = [];
  for (const [k, t] of Object.entries(out)) { result[k] = { type: t.type, dims: Array.from(t.dims, Number), data: t.data }; transfer.push(t.data.buffer); }
  parentPort.postMessage({ outputs: result }, transfer);
});`;

function stats(samples) {
  const s = Float64Array.from(samples).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  return { n: s.length, p50: q(50), p99: q(99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

async function timeLoop(fn, ms) {
  for (let i = 0; i < 200; i++) await fn();
  const samples = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    await fn();
    samples.push((performance.now() - t) * 1000);
  }
  return stats(samples);
}

const out = {};
for (const [name, m] of Object.entries(spec.models)) {
  const s = await openSession(m.path);
  const row = Float32Array.from(spec.row);
  const inline = () => s.session.run({ [s.input]: new ort.Tensor('float32', row.slice(), [1, row.length]) }, s.fetches);
  const worker = new Worker(WORKER, { eval: true, workerData: { ortPath } });
  await new Promise((resolve) => { worker.once('message', resolve); worker.postMessage({ type: 'load', path: m.path }); });
  const viaWorker = () => new Promise((resolve) => { worker.once('message', resolve); worker.postMessage({ type: 'float32', data: row.slice(), dims: [1, row.length] }); });
  out[name] = { inline: await timeLoop(inline, seconds * 500), worker: await timeLoop(viaWorker, seconds * 500) };
  out[name].inline2 = await timeLoop(inline, seconds * 500);
  out[name].worker2 = await timeLoop(viaWorker, seconds * 500);
  await worker.terminate();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
