import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapstanClient } from '@capstan/client';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MedianPruner, Study, TpeSampler, TrialPruned, evaluate, logEvaluation, logModel, mlflowModelFiles, trackStudy, train } from '../src/index.js';
import { writeMlflowModel } from '../src/node.js';
import { startTestServer } from '../../server/test/http/helpers.js';
import { HAS_PYTHON, PYTHON, syntheticTable } from './support.js';

const data = syntheticTable(800, 5);
const holdout = syntheticTable(300, 6);
const features = ['x0', 'x1', 'x2', 'city', 'plan'];

describe('MLflow model directory', () => {
  const model = train({ data, label: 'yMulti', kind: 'gradient_boosting', features, seed: 1, params: { maxIter: 20 } });

  it('MLmodel declares the onnx flavor, a column signature and the tensor outputs', () => {
    const files = mlflowModelFiles(model, { runId: 'abc', artifactPath: 'model', modelUuid: 'u1', createdAt: new Date(0) });
    const mlmodel = parse(files.MLmodel as string);
    expect(mlmodel.flavors.onnx).toMatchObject({ data: 'model.onnx', providers: ['CPUExecutionProvider'], code: null });
    expect(mlmodel.flavors.python_function).toMatchObject({ loader_module: 'mlflow.onnx', data: 'model.onnx', python_version: '3.11' });
    expect(mlmodel.model_uuid).toBe('u1');
    expect(mlmodel.utc_time_created).toBe('1970-01-01 00:00:00.000000');
    expect(JSON.parse(mlmodel.signature.inputs)).toEqual([
      { type: 'double', name: 'x0', required: false }, { type: 'double', name: 'x1', required: false }, { type: 'double', name: 'x2', required: false },
      { type: 'string', name: 'city', required: true }, { type: 'string', name: 'plan', required: true },
    ]);
    expect(JSON.parse(mlmodel.signature.outputs)).toEqual([
      { type: 'tensor', 'tensor-spec': { dtype: 'str', shape: [-1] }, name: 'label' },
      { type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 3] }, name: 'probabilities' },
    ]);
    const example = JSON.parse(files['input_example.json'] as string);
    expect(example.columns).toEqual(['x0', 'x1', 'x2', 'city', 'plan']);
    expect(example.data).toHaveLength(5);
  });

  it.skipIf(!HAS_PYTHON)('MLflow (Python) loads it as a pyfunc, onnx.checker (full_check) accepts it, and its session predicts what the trainer predicts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-train-mlmodel-'));
    try {
      await writeMlflowModel(dir, model);
      const out = JSON.parse(execFileSync(PYTHON, [join(import.meta.dirname, 'python/check_mlflow_model.py'), dir], { encoding: 'utf8', timeout: 120_000 }).trim().split('\n').pop()!);
      expect(out.signature_inputs).toEqual(features);
      const example = JSON.parse(readFileSync(join(dir, 'input_example.json'), 'utf8'));
      const table = Object.fromEntries(example.columns.map((c: string, j: number) => [c, example.data.map((r: unknown[]) => r[j])]));
      expect(out.outputs.label).toEqual(model.predict(table));
      const proba = model.predictProba(table);
      (out.outputs.probabilities as number[][]).flat().forEach((p, i) => expect(p).toBeCloseTo(proba[i]!, 5));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('logging to a Capstan server', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let client: CapstanClient;
  beforeAll(async () => {
    server = await startTestServer();
    client = new CapstanClient({ baseUrl: server.url });
  });
  afterAll(async () => server?.close());

  it('logs model, params, metrics and evaluation charts, and registers a version whose artifacts run in onnxruntime', async () => {
    const experimentId = await client.experiments.create('train-lifecycle');
    const run = await client.runs.create(experimentId, { run_name: 'gbt' });
    const runId = run.info.run_id;
    const model = train({ data, label: 'yBin', kind: 'gradient_boosting', features, seed: 2, params: { maxIter: 30 } });
    const evaluation = evaluate(model, holdout, { permutationRepeats: 2 });
    await logEvaluation(client, runId, evaluation);
    const version = await logModel(client, model, { runId, registeredModelName: 'churn', metrics: { test_accuracy: evaluation.metrics.accuracy! } });
    expect(version?.version).toBe('1');
    expect(version?.source).toContain(runId);
    const again = await logModel(client, model, { runId, artifactPath: 'model2', registeredModelName: 'churn' });
    expect(again?.version).toBe('2');

    const logged = await client.runs.get(runId);
    const metricKeys = (logged.data.metrics ?? []).map((m) => m.key);
    expect(metricKeys).toEqual(expect.arrayContaining(['test_accuracy', 'test_roc_auc', 'test_f1_macro', 'test_log_loss', 'training_time_ms']));
    const params = Object.fromEntries((logged.data.params ?? []).map((p) => [p.key, p.value]));
    expect(params).toMatchObject({ model_kind: 'gradient_boosting', maxIter: '30', learningRate: '0.1' });
    const evalFiles = (await client.runs.listArtifacts(runId, 'evaluation')).files.map((f) => f.path);
    expect(evalFiles).toEqual(expect.arrayContaining(['evaluation/roc_curve.svg', 'evaluation/confusion_matrix.json', 'evaluation/calibration_curve.svg', 'evaluation/feature_importance.svg', 'evaluation/precision_recall_curve.json']));
    const svg = await (await client.downloadRunArtifact(runId, 'evaluation/roc_curve.svg')).text();
    expect(svg.startsWith('<svg')).toBe(true);

    const mlmodel = parse(await (await client.downloadRunArtifact(runId, 'model/MLmodel')).text());
    expect(mlmodel.run_id).toBe(runId);
    const bytes = new Uint8Array(await (await client.downloadRunArtifact(runId, 'model/model.onnx')).arrayBuffer());
    const session = await ort.InferenceSession.create(bytes);
    expect([...session.inputNames]).toEqual(features);
    expect([...session.outputNames]).toEqual(['label', 'probabilities']);
    const feeds: Record<string, ort.Tensor> = {
      x0: new ort.Tensor('float32', Float32Array.of(NaN, 12), [2, 1]),
      x1: new ort.Tensor('float32', Float32Array.of(0.5, -1), [2, 1]),
      x2: new ort.Tensor('float32', Float32Array.of(30, 80), [2, 1]),
      city: new ort.Tensor('string', ['west', 'nowhere'], [2, 1]),
      plan: new ort.Tensor('string', ['pro', 'basic'], [2, 1]),
    };
    const out = await session.run(feeds);
    const expected = model.predictProba({ x0: [null, 12], x1: [0.5, -1], x2: [30, 80], city: ['west', 'nowhere'], plan: ['pro', 'basic'] });
    Array.from(out.probabilities!.data as Float32Array).forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 5));
  });

  it('tracks a study: one child run per trial under the parent, pruned trials KILLED, best trial tagged', async () => {
    const experimentId = await client.experiments.create('train-search');
    const hooks = trackStudy(client, { experimentId, metric: 'loss' });
    const study = new Study({ name: 'sphere', sampler: new TpeSampler({ seed: 3 }), pruner: new MedianPruner({ nStartupTrials: 3 }), hooks });
    await study.optimize(async (t) => {
      const x = t.suggestFloat('x', -4, 4);
      const kind = t.suggestCategorical('kind', ['a', 'b']);
      for (let step = 0; step < 3; step++) {
        await t.report((x - 1) ** 2 + (kind === 'a' ? 0 : 1) + 1 / (step + 1), step);
        if (t.shouldPrune()) throw new TrialPruned();
      }
      return (x - 1) ** 2 + (kind === 'a' ? 0 : 1);
    }, { nTrials: 12 });
    const parentId = await hooks.parentRunId();
    const children = (await client.runs.search(experimentId, { filter: `tags.mlflow.parentRunId = '${parentId}'`, max_results: 100 })).runs;
    expect(children).toHaveLength(12);
    const tag = (r: (typeof children)[number], k: string) => r.data.tags?.find((x) => x.key === k)?.value;
    const best = children.filter((r) => tag(r, 'capstan.best_trial') === 'true');
    expect(best).toHaveLength(1);
    expect(best[0]!.info.run_id).toBe(hooks.runIdOf(study.bestTrial.number));
    expect(best[0]!.data.params?.find((p) => p.key === 'x')?.value).toBe(String(study.bestTrial.params.x));
    const pruned = study.trials.filter((t) => t.state === 'pruned').map((t) => hooks.runIdOf(t.number));
    expect(pruned.length).toBeGreaterThan(0);
    for (const r of children) {
      expect(r.info.status).toBe(pruned.includes(r.info.run_id) ? 'KILLED' : 'FINISHED');
    }
    const parent = await client.runs.get(parentId);
    expect(parent.info.status).toBe('FINISHED');
    expect(parent.data.metrics?.find((m) => m.key === 'best_loss')?.value).toBe(study.bestTrial.value);
    expect(parent.data.tags?.find((t) => t.key === 'capstan.best_trial_run_id')?.value).toBe(best[0]!.info.run_id);
    const history = await client.runs.getMetricHistory(hooks.runIdOf(0)!, 'loss');
    expect(history.metrics.map((m) => m.step)).toEqual([0, 1, 2, 3]);
  });
});
