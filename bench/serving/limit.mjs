// The in-process limit: onnxruntime-node `session.run` in a loop on this thread, no HTTP.
//
//   node bench/serving/limit.mjs MODELS_JSON SECONDS
//
// For each model in MODELS_JSON (written by make_models.py): batch 1 and batch 64, after a
// warm-up, `await session.run()` back to back for SECONDS each. Prints one JSON line:
// { lr: { b1: { calls, us }, b64: { calls, us } }, rf: ... } (us = µs per call).
import { readFileSync } from 'node:fs';
import { ort, openSession } from './ort.mjs';

const [modelsFile, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 3);
const spec = JSON.parse(readFileSync(modelsFile, 'utf8'));
const width = spec.features;

async function loop(s, batch, ms) {
  const data = new Float32Array(batch * width);
  for (let r = 0; r < batch; r++) data.set(spec.row, r * width);
  const feeds = { [s.input]: new ort.Tensor('float32', data, [batch, width]) };
  const end = performance.now() + ms;
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await s.session.run(feeds, s.fetches);
    calls += 50;
  }
  const us = ((performance.now() - t0) * 1000) / calls;
  return { calls, us, perRowUs: us / batch, callsPerS: 1e6 / us, rowsPerS: (1e6 / us) * batch };
}

const out = {};
for (const [name, m] of Object.entries(spec.models)) {
  const s = await openSession(m.path);
  await loop(s, 1, 300);
  await loop(s, 64, 300);
  out[name] = { b1: await loop(s, 1, seconds * 1000), b64: await loop(s, 64, seconds * 1000) };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
