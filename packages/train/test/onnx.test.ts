import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { type Columns, type ModelKind, type TabularModel, exportOnnx, toColumns, train } from '../src/index.js';
import { syntheticTable } from './support.js';

/** Feeds a table to an ONNX session: one [N,1] tensor per input column. */
async function runOnnx(bytes: Uint8Array, model: TabularModel, table: Columns): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  const { columns, rows } = toColumns(table);
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of model.inputs) {
    const col = columns[input.name]!;
    if (input.type === 'numeric') {
      feeds[input.name] = new ort.Tensor('float32', Float32Array.from({ length: rows }, (_, i) => (col[i] == null ? NaN : Number(col[i]))), [rows, 1]);
    } else {
      feeds[input.name] = new ort.Tensor('string', Array.from({ length: rows }, (_, i) => (col[i] == null ? '' : String(col[i]))), [rows, 1]);
    }
  }
  return session.run(feeds);
}

const train_ = syntheticTable(1500, 1);
const test_ = syntheticTable(700, 2);
// unseen category and fully-missing row values at scoring time
(test_.city as (string | null)[])[0] = 'atlantis';
(test_.x0 as (number | null)[])[1] = null;

const features = ['x0', 'x1', 'x2', 'city', 'plan'];
const classifierKinds: ModelKind[] = ['logistic_regression', 'gradient_boosting', 'random_forest'];
const regressorKinds: ModelKind[] = ['linear_regression', 'ridge', 'gradient_boosting', 'random_forest'];

describe('ONNX export equals the trainer', () => {
  for (const kind of classifierKinds) {
    for (const label of ['yBin', 'yMulti']) {
      it(`${kind} classifier on ${label}: labels exactly, probabilities within 1e-5`, async () => {
        const model = train({ data: train_, label, kind, features, seed: 3, params: kind === 'random_forest' ? { nEstimators: 30 } : {} });
        const bytes = exportOnnx(model);
        const out = await runOnnx(bytes, model, test_);
        const proba = model.predictProba(test_);
        const labels = model.predict(test_) as (number | string)[];
        const onnxProba = out.probabilities!.data as Float32Array;
        expect(out.probabilities!.dims).toEqual([700, model.classes!.length]);
        let maxDiff = 0;
        for (let i = 0; i < proba.length; i++) maxDiff = Math.max(maxDiff, Math.abs(proba[i]! - onnxProba[i]!));
        expect(maxDiff).toBeLessThan(1e-5);
        const onnxLabels = Array.from(out.label!.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v));
        expect(onnxLabels).toEqual(labels);
      });
    }
  }
  for (const kind of regressorKinds) {
    it(`${kind} regressor: variable within 1e-5 relative`, async () => {
      const model = train({ data: train_, label: 'yReg', kind, task: 'regression', features, seed: 3, params: kind === 'random_forest' ? { nEstimators: 30 } : {} });
      const out = await runOnnx(exportOnnx(model), model, test_);
      const pred = model.predict(test_) as Float64Array;
      const got = out.variable!.data as Float32Array;
      expect(out.variable!.dims).toEqual([700, 1]);
      let maxRel = 0;
      for (let i = 0; i < pred.length; i++) maxRel = Math.max(maxRel, Math.abs(pred[i]! - got[i]!) / Math.max(1, Math.abs(pred[i]!)));
      expect(maxRel).toBeLessThan(1e-5);
    });
  }
});
