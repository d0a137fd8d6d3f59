import { describe, expect, it } from 'vitest';
import { AdaptiveBatcher, concatFeeds, splitOutputs } from '../../src/core/serving/batcher.js';
import { decodeOipRequest, encodeOipResponse } from '../../src/core/serving/oip.js';
import { decodeScoringRequest, parseCsv } from '../../src/core/serving/scoring.js';
import { parseMlModel } from '../../src/core/serving/mlmodel.js';
import { evaluateCanary, keyPoint, pickVariant, validateCanaryPlan, validateSpec, VersionStats } from '../../src/core/serving/traffic.js';
import type { CanaryState } from '../../src/core/serving/model.js';
import type { Tensor } from '../../src/core/serving/tensors.js';

const f32 = (rows: number[][]): Tensor => ({ type: 'float32', dims: [rows.length, rows[0]!.length], data: Float32Array.from(rows.flat()) });

function controlled() {
  const calls: Record<string, Tensor>[] = [];
  const pending: (() => void)[] = [];
  const run = (feeds: Record<string, Tensor>) => {
    calls.push(feeds);
    return new Promise<Record<string, Tensor>>((resolve) => pending.push(() => {
      const x = feeds.x!;
      resolve({ y: { type: 'float32', dims: [x.dims[0]!], data: Float32Array.from({ length: x.dims[0]! }, (_, i) => (x.data as Float32Array)[i * x.dims[1]!]! * 10) } });
    }));
  };
  return { calls, run, release: () => pending.splice(0).forEach((f) => f()) };
}

describe('adaptive batcher', () => {
  it('runs at once when idle and merges what queued while busy, splitting outputs back', async () => {
    const c = controlled();
    const sizes: [number, number][] = [];
    const b = new AdaptiveBatcher(c.run, { maxBatchRows: 100, slots: 1, batchable: true }, (r, n) => sizes.push([r, n]));
    const first = b.submit({ x: f32([[1, 0]]) });
    expect(c.calls.length).toBe(1);
    const rest = [2, 3, 4].map((v) => b.submit({ x: f32([[v, 0], [v + 0.5, 0]]) }));
    expect(b.queued).toBe(3);
    c.release();
    expect(Array.from((await first).y!.data as Float32Array)).toEqual([10]);
    await new Promise((r) => setTimeout(r, 0));
    expect(c.calls.length).toBe(2);
    expect(c.calls[1]!.x!.dims).toEqual([6, 2]);
    c.release();
    const outs = await Promise.all(rest);
    expect(outs.map((o) => Array.from(o.y!.data as Float32Array))).toEqual([[20, 25], [30, 35], [40, 45]]);
    expect(sizes).toEqual([[1, 1], [3, 6]]);
  });

  it('never merges incompatible shapes, beyond maxBatchRows, or for non-batchable models', async () => {
    const c = controlled();
    const b = new AdaptiveBatcher(c.run, { maxBatchRows: 3, slots: 1, batchable: true });
    const all = [b.submit({ x: f32([[1, 0]]) }), b.submit({ x: f32([[2, 0], [2, 0]]) }), b.submit({ x: f32([[3, 0, 0]]) }), b.submit({ x: f32([[4, 0]]) }), b.submit({ x: f32([[5, 0]]) })];
    for (let i = 0; i < 6 && c.calls.length < 10; i++) {
      c.release();
      await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(all);
    expect(c.calls.map((f) => f.x!.dims)).toEqual([[1, 2], [3, 2], [1, 3], [1, 2]]);
    const d = controlled();
    const single = new AdaptiveBatcher(d.run, { maxBatchRows: 100, slots: 1, batchable: false });
    const two = [single.submit({ x: f32([[1, 0]]) }), single.submit({ x: f32([[2, 0]]) }), single.submit({ x: f32([[3, 0]]) })];
    for (let i = 0; i < 4; i++) {
      d.release();
      await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(two);
    expect(d.calls.length).toBe(3);
  });

  it('fails every request of a failed batch and keeps going', async () => {
    let n = 0;
    const b = new AdaptiveBatcher(async () => {
      n++;
      if (n === 1) await new Promise((r) => setTimeout(r, 5));
      if (n === 2) throw new Error('boom');
      return { y: { type: 'float32', dims: [1], data: new Float32Array(1) } };
    }, { maxBatchRows: 10, slots: 1, batchable: true });
    const first = b.submit({ x: f32([[1]]) });
    const failed = [b.submit({ x: f32([[2]]) }), b.submit({ x: f32([[3]]) })];
    await first;
    for (const p of failed) await expect(p).rejects.toThrow('boom');
    await expect(b.submit({ x: f32([[4]]) })).resolves.toBeDefined();
  });

  it('concatenates and splits string tensors and leaves unsplittable outputs whole', () => {
    const merged = concatFeeds([{ s: { type: 'string', dims: [1, 1], data: ['a'] } }, { s: { type: 'string', dims: [2, 1], data: ['b', 'c'] } }]);
    expect(merged.s).toEqual({ type: 'string', dims: [3, 1], data: ['a', 'b', 'c'] });
    const parts = splitOutputs({ y: { type: 'int64', dims: [3], data: BigInt64Array.from([1n, 2n, 3n]) }, z: { type: 'float32', dims: [1], data: Float32Array.from([9]) } }, [1, 2]);
    expect(Array.from(parts[1]!.y!.data as BigInt64Array)).toEqual([2n, 3n]);
    expect(parts[0]!.z!.dims).toEqual([1]);
  });
});

describe('traffic rules', () => {
  const base: CanaryState = { stable: { model: 'm', version: '1' }, candidate: { model: 'm', version: '2' }, steps: [10, 50, 100], stepSeconds: 10, maxErrorRate: 0.01, maxP99Ms: 50, minRequests: 20, step: 0, stepStartedAt: 0, status: 'running' };

  it('judges a canary: hold, roll back on errors or latency once enough requests, advance, promote', () => {
    expect(evaluateCanary(base, { requests: 5, errors: 5, p99Ms: 1 }, 1000)).toEqual({ action: 'hold' });
    expect(evaluateCanary(base, { requests: 100, errors: 2, p99Ms: 1 }, 1000)).toMatchObject({ action: 'rollback', reason: expect.stringMatching(/error rate 2.00% > 1.00% over 100 requests at step 1 \(10%\)/) });
    expect(evaluateCanary(base, { requests: 100, errors: 0, p99Ms: 51 }, 1000)).toMatchObject({ action: 'rollback', reason: expect.stringMatching(/p99 latency 51.00 ms > 50 ms/) });
    expect(evaluateCanary(base, { requests: 100, errors: 1, p99Ms: 49 }, 9_999)).toEqual({ action: 'hold' });
    expect(evaluateCanary(base, { requests: 100, errors: 1, p99Ms: 49 }, 10_000)).toEqual({ action: 'advance', step: 1 });
    expect(evaluateCanary(base, { requests: 10, errors: 0, p99Ms: 1 }, 20_000)).toEqual({ action: 'hold' });
    expect(evaluateCanary({ ...base, step: 2 }, { requests: 30, errors: 0, p99Ms: 1 }, 20_000)).toEqual({ action: 'promote' });
    expect(evaluateCanary({ ...base, status: 'promoted' }, { requests: 100, errors: 100, p99Ms: 1e9 }, 1e9)).toEqual({ action: 'hold' });
  });

  it('routes keys stably and by weight; zero-weight versions get nothing', () => {
    const variants = [{ model: 'm', version: '1', weight: 0 }, { model: 'm', version: '2', weight: 30 }, { model: 'm', version: '3', weight: 70 }];
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const v = pickVariant(variants, keyPoint(`k${i}`)).version;
      counts[v] = (counts[v] ?? 0) + 1;
    }
    expect(counts['1']).toBeUndefined();
    expect(Math.abs(counts['2']! / 20_000 - 0.3)).toBeLessThan(0.02);
    expect(pickVariant(variants, keyPoint('same')).version).toBe(pickVariant(variants, keyPoint('same')).version);
  });

  it('rejects bad specs and plans with messages that say what to fix', () => {
    expect(() => validateSpec({ variants: [] })).toThrow(/at least one model version/);
    expect(() => validateSpec({ variants: [{ model: 'm', version: '1', weight: 70 }] })).toThrow(/sum to 100; they sum to 70/);
    expect(() => validateSpec({ variants: [{ model: 'm', version: '1', weight: 50 }, { model: 'm', version: '1', weight: 50 }] })).toThrow(/listed twice/);
    expect(() => validateSpec({ variants: [{ model: 'm', version: '1', weight: 100 }], shadow: { model: 'm', version: '2', fraction: 0 } })).toThrow(/Shadow fraction/);
    expect(() => validateCanaryPlan({ ...base, steps: [50, 20, 100] })).toThrow(/must increase/);
    expect(() => validateCanaryPlan({ ...base, steps: [10, 50] })).toThrow(/last canary step must be 100/);
    expect(() => validateCanaryPlan({ ...base, candidate: base.stable })).toThrow(/must differ/);
  });

  it('p99 covers the most recent requests of the window', () => {
    const s = new VersionStats(100);
    for (let i = 1; i <= 100; i++) s.record(i, i !== 7);
    expect(s.snapshot()).toEqual({ requests: 100, errors: 1, p99Ms: 99 });
    s.reset();
    expect(s.snapshot()).toEqual({ requests: 0, errors: 0, p99Ms: 0 });
  });
});

describe('protocol codecs', () => {
  const specs = [{ name: 's', type: 'string' as const, shape: [-1] }, { name: 'i', type: 'int64' as const, shape: [-1] }, { name: 'b', type: 'bool' as const, shape: [-1] }];

  it('decodes BYTES, INT64 and BOOL from binary and JSON, and encodes binary outputs', () => {
    const strings = Buffer.concat(['hé', ''].map((s) => { const b = Buffer.from(s); const l = Buffer.alloc(4); l.writeUInt32LE(b.length); return Buffer.concat([l, b]); }));
    const ints = Buffer.from(BigInt64Array.from([5n, -3n]).buffer);
    const header = Buffer.from(JSON.stringify({ id: 'q', inputs: [
      { name: 's', shape: [2], datatype: 'BYTES', parameters: { binary_data_size: strings.length } },
      { name: 'i', shape: [2], datatype: 'INT64', parameters: { binary_data_size: 16 } },
      { name: 'b', shape: [2], datatype: 'BOOL', data: [true, false] },
    ], parameters: { binary_data_output: true } }));
    const req = decodeOipRequest(Buffer.concat([header, strings, ints]), header.length, specs);
    expect(req.feeds.s!.data).toEqual(['hé', '']);
    expect(Array.from(req.feeds.i!.data as BigInt64Array)).toEqual([5n, -3n]);
    expect(Array.from(req.feeds.b!.data as Uint8Array)).toEqual([1, 0]);
    const out = encodeOipResponse({ modelName: 'm', modelVersion: '1', id: 'q' }, { s: req.feeds.s! }, req);
    expect(out.body.subarray(out.headerLength!)).toEqual(strings);
    expect(() => decodeOipRequest(Buffer.from(JSON.stringify({ inputs: [{ name: 'i', shape: [1], datatype: 'INT64', data: [1.5] }, { name: 's', shape: [1], datatype: 'BYTES', data: ['x'] }, { name: 'b', shape: [1], datatype: 'BOOL', data: [true] }] })), undefined, specs)).toThrow(/element 0 is 1.5; expected an integer/);
    expect(() => decodeOipRequest(Buffer.concat([header, strings]), header.length, specs)).toThrow(/runs past the end of the body/);
    expect(() => decodeOipRequest(Buffer.from('[]'), undefined, specs)).toThrow(/JSON object with an "inputs" list/);
  });

  it('parses CSV with quotes and rejects ragged lines', () => {
    expect(parseCsv('a,b\n"x, y","say ""hi"""\r\n1,\n')).toEqual({ columns: ['a', 'b'], rows: [['x, y', 'say "hi"'], ['1', null]] });
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow(/line 2 has 3 field\(s\) but the header has 2/);
    expect(() => parseCsv('')).toThrow(/empty/);
  });

  it('feeds optional signature columns as NaN and refuses missing required values', () => {
    const model = { tensors: [{ name: 'X', type: 'float32' as const, shape: [-1, 2] }], columns: [{ name: 'a', type: 'float', required: true }, { name: 'b', type: 'float', required: false }] };
    const ok = decodeScoringRequest({ dataframe_records: [{ a: 1 }, { a: 2, b: 3 }] }, 'application/json', model);
    expect(Array.from(ok.feeds.X!.data as Float32Array)).toEqual([1, Number.NaN, 2, 3]);
    expect(() => decodeScoringRequest({ dataframe_records: [{ b: 1 }] }, 'application/json', model)).toThrow(/Missing column\(s\) 'a'/);
    expect(() => decodeScoringRequest({ dataframe_split: { columns: ['a', 'b'], data: [[null, 1]] } }, 'application/json', model)).toThrow(/Column 'a' row 0 is missing/);
    expect(() => decodeScoringRequest([1, 2], 'application/json', model)).toThrow(/exactly one of the input fields/);
  });

  it('reads MLmodel files and refuses flavors that cannot run here', () => {
    const info = parseMlModel(`flavors:\n  onnx:\n    data: model.onnx\n  python_function:\n    loader_module: mlflow.onnx\nsignature:\n  inputs: '[{"type": "double", "name": "a", "required": true}]'\n`, 'v1');
    expect(info).toEqual({ flavors: ['onnx', 'python_function'], onnxFile: 'model.onnx', columns: [{ name: 'a', type: 'double', required: true }] });
    expect(() => parseMlModel('flavors:\n  sklearn: {}\n  python_function: {}\n', 'v2')).toThrow(/flavor\(s\) sklearn, python_function cannot be served.*skl2onnx/);
    expect(() => parseMlModel('flavors:\n  pytorch: {}\n', 'v3')).toThrow(/torch.onnx.export/);
    expect(() => parseMlModel('flavors:\n  onnx:\n    data: ../../etc/passwd\n', 'v4')).toThrow(/inside the model directory/);
    expect(() => parseMlModel('flavors: [unclosed', 'v5')).toThrow(/not valid YAML/);
  });
});
