// The floor of HTTP cost: bare node:http + onnxruntime-node on the main thread, answering the
// same OIP v2 JSON request as Capstan (`POST /v2/models/{name}/infer`, one FP32 input) with an
// OIP JSON response. No validation beyond what JSON.parse and the tensor need, no logging.
//
//   node bench/serving/bare-server.mjs PORT MODELS_JSON
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { ort, openSession } from './ort.mjs';

const [portArg, modelsFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(modelsFile, 'utf8'));
const models = {};
for (const [name, m] of Object.entries(spec.models)) models[name] = await openSession(m.path);
const DATATYPE = { float32: 'FP32', float64: 'FP64', int64: 'INT64', int32: 'INT32' };

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return reply(res, 200, '{}');
  const match = /^\/v2\/models\/([^/]+)\/infer$/.exec(req.url ?? '');
  const model = match && models[match[1]];
  if (req.method !== 'POST' || !model) return reply(res, 404, '{"error":"not found"}');
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8'));
      const input = body.inputs[0];
      const out = await model.session.run({ [model.input]: new ort.Tensor('float32', Float32Array.from(input.data.flat(Infinity)), input.shape) }, model.fetches);
      const outputs = model.fetches.map((name) => {
        const t = out[name];
        return { name, datatype: DATATYPE[t.type] ?? t.type, shape: Array.from(t.dims, Number), data: Array.from(t.data, Number) };
      });
      reply(res, 200, JSON.stringify({ model_name: match[1], outputs }));
    } catch (error) {
      reply(res, 400, JSON.stringify({ error: String(error.message ?? error) }));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portArg), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
