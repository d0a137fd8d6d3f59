/**
 * Serving end to end on a real server: models trained with scikit-learn, converted with
 * skl2onnx and registered with the official mlflow client (Python), deployed through the native
 * API, and called over OIP v2 (JSON and binary) and MLflow's /invocations. Predictions are
 * compared with Python onnxruntime on the same inputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer } from '../http/helpers.js';
import { makeModels, pythonMissing, type Expected } from './fixtures.js';

const missing = pythonMissing();
const suite = missing ? describe.skip : describe;

type Server = Awaited<ReturnType<typeof startTestServer>>;

function binaryRequest(header: object, tensors: Buffer[]): { body: Buffer; headers: Record<string, string> } {
  const json = Buffer.from(JSON.stringify(header));
  return { body: Buffer.concat([json, ...tensors]), headers: { 'inference-header-content-length': String(json.length), 'content-type': 'application/octet-stream' } };
}

function closeTo(actual: number[][], expected: number[][], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThan(tol)));
}

suite(`serving (Python fixtures${missing ? `: skipped, ${missing}` : ''})`, () => {
  let s: Server;
  let e: Expected;
  const infer = (name: string, inputs: unknown, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    fetch(`${s.url}/v2/models/${name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ inputs, ...extra }) });
  const x = (rows: number[][]) => [{ name: 'X', shape: [rows.length, 4], datatype: 'FP32', data: rows }];

  beforeAll(async () => {
    s = await startTestServer(undefined, { serving: { syncIntervalMs: 0, canaryIntervalMs: 0 } });
    e = await makeModels(s.url, s.dir);
    const created = await call(s.url, 'POST', '/api/v1/deployments', { name: 'churn', variants: [{ modelUri: 'models:/churn/1' }] });
    expect(created.status, created.text).toBe(200);
  }, 300_000);
  afterAll(async () => s?.close());

  it('OIP JSON inference equals Python onnxruntime and names the version', async () => {
    const res = await infer('churn', x(e.churn.inputs), { id: 'req-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-capstan-model-version')).toBe('churn/1');
    expect(res.headers.get('x-capstan-prediction-id')).toBeTruthy();
    const body = await res.json() as { id: string; model_name: string; model_version: string; outputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };
    expect(body).toMatchObject({ id: 'req-1', model_name: 'churn', model_version: '1' });
    const label = body.outputs.find((o) => o.name === 'label')!;
    const proba = body.outputs.find((o) => o.name === 'probabilities')!;
    expect(label).toMatchObject({ datatype: 'INT64', shape: [16] });
    expect(label.data).toEqual(e.churn.versions['1']!.label);
    expect(proba.shape).toEqual([16, 2]);
    const rows = Array.from({ length: 16 }, (_, i) => proba.data.slice(i * 2, i * 2 + 2));
    closeTo(rows, e.churn.versions['1']!.probabilities, 1e-6);
    closeTo(rows, e.churn.versions['1']!.sklearn_proba, 1e-4);
  });

  it('chooses where a model runs under auto, and runs it in worker threads or inline when told, with the same answers', async () => {
    const status = async (name: string) => ((await call(s.url, 'GET', `/api/v1/deployments/${name}`)).body.status as { execution: string }[])[0]!.execution;
    expect(['inline', 'workers']).toContain(await status('churn'));
    for (const execution of ['workers', 'inline'] as const) {
      const name = `churn-${execution}`;
      const created = await call(s.url, 'POST', '/api/v1/deployments', { name, variants: [{ modelUri: 'models:/churn/1' }], execution });
      expect(created.status, created.text).toBe(200);
      expect(await status(name)).toBe(execution);
      const res = await infer(name, x(e.churn.inputs));
      const body = await res.json() as { outputs: { name: string; data: number[] }[] };
      expect(body.outputs.find((o) => o.name === 'label')!.data).toEqual(e.churn.versions['1']!.label);
      expect((await call(s.url, 'DELETE', `/api/v1/deployments/${name}`)).status).toBe(200);
    }
    const bad = await call(s.url, 'POST', '/api/v1/deployments', { name: 'bad-exec', variants: [{ modelUri: 'models:/churn/1' }], execution: 'gpu' });
    expect(bad.status).toBe(400);
  });

  it('OIP binary tensor extension in and out', async () => {
    const f32 = Float32Array.from(e.churn.inputs.flat());
    const req = binaryRequest({
      inputs: [{ name: 'X', shape: [16, 4], datatype: 'FP32', parameters: { binary_data_size: f32.byteLength } }],
      outputs: [{ name: 'probabilities', parameters: { binary_data: true } }, { name: 'label' }],
    }, [Buffer.from(f32.buffer)]);
    const res = await fetch(`${s.url}/v2/models/churn/infer`, { method: 'POST', headers: req.headers, body: req.body });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const headerLength = Number(res.headers.get('inference-header-content-length'));
    const header = JSON.parse(bytes.subarray(0, headerLength).toString()) as { outputs: { name: string; data?: number[]; parameters?: { binary_data_size: number } }[] };
    expect(header.outputs.map((o) => o.name)).toEqual(['probabilities', 'label']);
    expect(header.outputs[0]!.parameters!.binary_data_size).toBe(16 * 2 * 4);
    const copy = Uint8Array.from(bytes.subarray(headerLength));
    const proba = new Float32Array(copy.buffer, 0, 32);
    closeTo(Array.from({ length: 16 }, (_, i) => Array.from(proba.slice(i * 2, i * 2 + 2))), e.churn.versions['1']!.probabilities, 1e-6);
    expect(header.outputs[1]!.data).toEqual(e.churn.versions['1']!.label);
  });

  it('OIP health, server metadata, model metadata and readiness', async () => {
    expect((await call(s.url, 'GET', '/v2/health/live')).body).toEqual({ live: true });
    expect((await call(s.url, 'GET', '/v2/health/ready')).body).toEqual({ ready: true });
    expect((await call(s.url, 'GET', '/v2')).body).toMatchObject({ name: 'capstan', extensions: ['binary_tensor_data'] });
    const meta = await call(s.url, 'GET', '/v2/models/churn');
    expect(meta.body).toMatchObject({ name: 'churn', versions: ['1'], platform: 'onnx_onnxv1', inputs: [{ name: 'X', datatype: 'FP32', shape: [-1, 4] }] });
    expect((meta.body.outputs as { name: string }[]).map((o) => o.name)).toEqual(['label', 'probabilities']);
    expect((await call(s.url, 'GET', '/v2/models/churn/ready')).body).toEqual({ name: 'churn', ready: true });
    expect((await call(s.url, 'GET', '/v2/models/churn/versions/1/ready')).status).toBe(200);
    const nope = await call(s.url, 'GET', '/v2/models/nope/ready');
    expect(nope.status).toBe(404);
    expect(nope.body.error).toMatch(/nope/);
    expect((await call(s.url, 'GET', '/v2/models/churn/versions/9')).status).toBe(404);
  });

  it('MLflow /invocations: dataframe_split, dataframe_records, instances, inputs and CSV agree', async () => {
    const rows = e.churn.inputs.slice(0, 3);
    const want = e.churn.versions['1']!;
    const split = await call(s.url, 'POST', '/deployments/churn/invocations', { dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: rows } });
    expect(split.status, split.text).toBe(200);
    const preds = split.body.predictions as { label: number; probabilities: number[] }[];
    expect(preds.map((p) => p.label)).toEqual(want.label.slice(0, 3));
    closeTo(preds.map((p) => p.probabilities), want.probabilities.slice(0, 3), 1e-6);
    const records = await call(s.url, 'POST', '/api/v1/deployments/churn/invocations', { dataframe_records: rows.map(([a, b, c, d]) => ({ a, b, c, d })) });
    expect(records.body.predictions).toEqual(split.body.predictions);
    const instances = await call(s.url, 'POST', '/deployments/churn/invocations', { instances: rows });
    expect((instances.body.predictions as Record<string, unknown>).label).toEqual(want.label.slice(0, 3));
    const inputs = await call(s.url, 'POST', '/deployments/churn/invocations', { inputs: { X: rows } });
    expect(inputs.body.predictions).toEqual(instances.body.predictions);
    const csv = await fetch(`${s.url}/deployments/churn/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body: `a,b,c,d\n${rows.map((r) => r.join(',')).join('\n')}\n` });
    expect(csv.status).toBe(200);
    const csvBody = await csv.json() as { predictions: { label: number }[] };
    expect(csvBody.predictions.map((p) => p.label)).toEqual(want.label.slice(0, 3));
  });

  it('a pipeline with a string column: one ONNX input per column, fed from dataframe records', async () => {
    const created = await call(s.url, 'POST', '/api/v1/deployments', { name: 'mixed', variants: [{ model: 'mixed', version: 1 }] });
    expect(created.status, created.text).toBe(200);
    const res = await call(s.url, 'POST', '/deployments/mixed/invocations', { dataframe_records: e.mixed.records });
    expect(res.status, res.text).toBe(200);
    const preds = res.body.predictions as { label: number; probabilities: number[] }[];
    expect(preds.map((p) => p.label)).toEqual(e.mixed.label);
    closeTo(preds.map((p) => p.probabilities), e.mixed.probabilities, 1e-5);
    const missingColumn = await call(s.url, 'POST', '/deployments/mixed/invocations', { dataframe_records: e.mixed.records.map(({ plan, tenure }) => ({ plan, tenure })) });
    expect(missingColumn.status).toBe(400);
    expect(missingColumn.body.message).toMatch(/Missing column\(s\) 'spend'/);
    const extra = await call(s.url, 'POST', '/deployments/mixed/invocations', { dataframe_records: e.mixed.records.map((r) => ({ ...r, bogus: 1 })) });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toMatch(/Unexpected column\(s\) 'bogus'/);
    const wrongType = await call(s.url, 'POST', '/deployments/mixed/invocations', { dataframe_records: [{ plan: 3, tenure: 1, spend: 2 }] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toMatch(/Column 'plan' row 0 is 3; expected a string/);
  });

  it('refuses a pickled scikit-learn model at deploy time with how to convert it, storing nothing', async () => {
    const res = await call(s.url, 'POST', '/api/v1/deployments', { name: 'pk', variants: [{ modelUri: 'models:/pickled/1' }] });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/flavor\(s\) .*sklearn.* cannot be served/);
    expect(res.body.message).toMatch(/skl2onnx/);
    expect((await call(s.url, 'GET', '/api/v1/deployments/pk')).status).toBe(404);
  });

  it.each([
    ['wrong datatype', [{ name: 'X', shape: [1, 4], datatype: 'FP64', data: [1, 2, 3, 4] }], /datatype FP64 does not match the model's FP32/],
    ['wrong width', [{ name: 'X', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }], /dimension 1 is 3; the model expects 4/],
    ['wrong rank', [{ name: 'X', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] }], /1 dimension\(s\); the model expects 2/],
    ['too few elements', [{ name: 'X', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4] }], /4 element\(s\) in data but shape \[2, 4\] needs 8/],
    ['a string among numbers', [{ name: 'X', shape: [1, 4], datatype: 'FP32', data: [1, 'x', 3, 4] }], /element 1 is "x"; expected a number/],
    ['a null', [{ name: 'X', shape: [1, 4], datatype: 'FP32', data: [1, null, 3, 4] }], /element 1 is null/],
    ['an unknown input', [{ name: 'Y', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }], /unknown input 'Y'/],
    ['no inputs', [], /Missing input\(s\) 'X'/],
    ['a negative dimension', [{ name: 'X', shape: [-1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }], /shape must be a list of non-negative integers/],
  ])('OIP rejects %s with a 400 naming the field', async (_what, inputs, message) => {
    const res = await infer('churn', inputs);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('rejects non-finite binary floats, malformed JSON and unknown deployments, and keeps serving', async () => {
    const f32 = Float32Array.from([1, Number.NaN, 3, 4]);
    const req = binaryRequest({ inputs: [{ name: 'X', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } }] }, [Buffer.from(f32.buffer)]);
    const nan = await fetch(`${s.url}/v2/models/churn/infer`, { method: 'POST', headers: req.headers, body: req.body });
    expect(nan.status).toBe(400);
    expect(((await nan.json()) as { error: string }).error).toMatch(/element 1 is not a finite number/);
    const short = binaryRequest({ inputs: [{ name: 'X', shape: [1, 4], datatype: 'FP32', parameters: { binary_data_size: 16 } }] }, [Buffer.alloc(8)]);
    expect((await fetch(`${s.url}/v2/models/churn/infer`, { method: 'POST', headers: short.headers, body: short.body })).status).toBe(400);
    const bad = await fetch(`${s.url}/v2/models/churn/infer`, { method: 'POST', body: '{"inputs": [' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/Malformed JSON/);
    expect((await infer('ghost', x([[1, 2, 3, 4]]))).status).toBe(404);
    const scoring = await call(s.url, 'POST', '/deployments/churn/invocations', { dataframe_split: { columns: ['a'], data: [[1]] }, instances: [[1, 2, 3, 4]] });
    expect(scoring.status).toBe(400);
    expect(scoring.body.message).toMatch(/exactly one of the input fields/);
    const media = await fetch(`${s.url}/deployments/churn/invocations`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(media.status).toBe(415);
    const ok = await infer('churn', x([[1, 2, 3, 4]]));
    expect(ok.status).toBe(200);
  });

  it('rejects bad deployment specs and unknown versions without storing anything', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'a b', variants: [{ modelUri: 'models:/churn/1' }] }, /Invalid deployment name/],
      [{ name: 'w', variants: [{ modelUri: 'models:/churn/1', weight: 60 }, { modelUri: 'models:/churn/2', weight: 60 }] }, /sum to 100; they sum to 120/],
      [{ name: 'u', variants: [{ modelUri: 'models:/churn/99' }] }, /not found|does not exist/i],
      [{ name: 'v', variants: [{ modelUri: 'runs:/abc/model' }] }, /Invalid model URI/],
      [{ name: 'x', variants: [] }, /variants/],
      [{ name: 'churn', variants: [{ modelUri: 'models:/churn/1' }] }, /already exists/],
    ];
    for (const [body, message] of cases) {
      const res = await call(s.url, 'POST', '/api/v1/deployments', body);
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.message).toMatch(message);
    }
    const list = await call(s.url, 'GET', '/api/v1/deployments');
    expect((list.body.deployments as { name: string }[]).map((d) => d.name).sort()).toEqual(['churn', 'mixed']);
  });
});
