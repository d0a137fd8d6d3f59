import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessExecutor } from '../../src/adapters/executors/in-process.js';
import { openHarness, waitFor, type Harness } from '../contract/executor.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/pipelines/', import.meta.url));
const PYTHON = fileURLToPath(new URL('../../../../.venv/bin/python', import.meta.url));

let h: Harness;
beforeAll(async () => {
  h = await openHarness(async (artifacts) => new InProcessExecutor({ artifacts }));
}, 30_000);
afterAll(async () => {
  await h?.close();
});

describe('bad pipelines are rejected before anything runs, naming the offender', () => {
  const base = (steps: unknown[], extra: object = {}) => ({ name: 'bad', steps, ...extra });
  const cases: [string, unknown, RegExp][] = [
    ['a cycle', base([{ name: 'a', command: 'true', after: ['c'] }, { name: 'b', command: 'true', after: ['a'] }, { name: 'c', command: 'true', after: ['b'] }]), /cycle: (a -> c -> b -> a|c -> b -> a -> c|b -> a -> c -> b)/],
    ['an unknown step', base([{ name: 'a', command: 'true', inputs: { x: 'steps.nope.outputs.y' } }]), /Step 'a': input 'x' references unknown step 'nope'/],
    ['an undeclared output', base([{ name: 'a', command: 'true', outputs: { m: 'Model' } }, { name: 'b', command: 'true', inputs: { x: 'steps.a.outputs.model' } }]), /output 'model' that step 'a' does not declare \(it declares: m\)/],
    ['a type mismatch', base([{ name: 'a', command: 'true', outputs: { m: 'Model' } }, { name: 'b', command: 'true', inputs: { x: { from: 'steps.a.outputs.m', type: 'Dataset' } } }]), /expects type Dataset but 'a.m' is Model/],
    ['an unknown parameter in a command', base([{ name: 'a', command: 'train --lr {{params.lr}}' }]), /unknown parameter 'lr'/],
    ['{{item}} without forEach', base([{ name: 'a', command: 'echo {{item}}' }]), /uses \{\{item\}\} but the step has no forEach/],
    ['two kinds in one step', base([{ name: 'a', command: 'true', approval: {} }]), /exactly one of command, function, gate, approval, register \(has command, approval\)/],
    ['a duplicate step name', base([{ name: 'a', command: 'true' }, { name: 'a', command: 'true' }]), /step name 'a' is used twice/],
    ['a wrong type in the spec', base([{ name: 'a', command: 42 }]), /Invalid pipeline spec: steps\.0\.command/],
    ['no steps', base([]), /steps/],
    ['a bad condition', base([{ name: 'a', command: 'true', when: 'steps.a.outputs.x >> 3' }]), /invalid when/],
    ['a bad cron', base([{ name: 'a', command: 'true' }], { schedules: [{ cron: 'every tuesday' }] }), /Invalid schedule 'every tuesday'/],
    ['path-like names', { name: '../etc', steps: [{ name: 'a', command: 'true' }] }, /name/],
    ['a path-like output name', base([{ name: 'a', command: 'true', outputs: { '../../x': 'File' } }]), /steps\.0\.outputs/],
    ['a bad environment variable name', base([{ name: 'a', command: 'true', env: { 'A=B': 'x' } }]), /steps\.0\.env\.A=B: Invalid key/],
  ];
  for (const [what, spec, message] of cases) {
    it(`rejects ${what}`, async () => {
      const before = (await h.service.listPipelines()).length;
      await expect(h.service.putPipeline(spec)).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(message) });
      expect((await h.service.listPipelines()).length).toBe(before);
    });
  }

  it('fails a run whose fan-out list is too long, naming the step', async () => {
    await h.service.putPipeline({ name: 'too-wide', params: { items: { type: 'json' } }, steps: [{ name: 'wide', forEach: 'params.items', command: 'true' }] });
    const run = await h.service.startRun('too-wide', { items: Array.from({ length: 10_001 }, (_, i) => i) }, { wait: true });
    expect(run.status).toBe('FAILED');
    expect(run.error).toContain("step 'wide': forEach has 10001 items; at most 10000 are allowed");
  });

  it('rejects missing, unknown and mistyped parameters at run time without creating a run', async () => {
    await h.service.putPipeline({ name: 'needs-params', params: { lr: { type: 'number' }, epochs: { type: 'number', default: 3 } }, steps: [{ name: 'a', command: 'echo {{params.lr}}' }] });
    await expect(h.service.startRun('needs-params', {})).rejects.toThrow(/needs parameter\(s\) 'lr'/);
    await expect(h.service.startRun('needs-params', { lr: 0.1, batch: 3 })).rejects.toThrow(/has no parameter\(s\) 'batch'/);
    await expect(h.service.startRun('needs-params', { lr: 'fast' })).rejects.toThrow(/'lr' must be a number/);
    await expect(h.service.startRun('no-such-pipeline', {})).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
    expect(await h.service.listRuns({ pipeline: 'needs-params' })).toEqual([]);
  });
});

describe('quality gates, registration, lineage and tracking', () => {
  const pipeline = (accuracy: number) => ({
    name: 'gated',
    params: { acc: { type: 'number', default: accuracy }, data: { type: 'string', default: 's3://lake/iris/v1.csv' } },
    steps: [
      { name: 'train', inputs: { data: { from: 'params.data', type: 'Dataset' } }, outputs: { model: 'Model', metrics: 'Metrics' }, command: ['sh', '-c', 'echo weights-{{params.acc}} > {{outputs.model}}; echo \'{"accuracy": {{params.acc}}}\' > {{outputs.metrics}}'] },
      { name: 'gate', gate: { candidate: 'steps.train.outputs.metrics', metric: 'accuracy', model: 'gated-model', alias: 'champion', minImprovement: 0.01 } },
      { name: 'register', register: { model: 'gated-model', from: 'steps.train.outputs.model', alias: 'champion' }, after: ['gate'] },
    ],
  });

  it('passes without a champion, registers, then fails a worse candidate with a readable reason', async () => {
    await h.service.putPipeline(pipeline(0.9));
    const first = await h.service.startRun('gated', {}, { wait: true });
    expect(first.status, first.error).toBe('SUCCEEDED');
    expect(first.steps!.find((s) => s.step === 'gate')!.values).toMatchObject({ passed: true, reason: expect.stringContaining('no champion') });
    const champion = await h.registry.getModelVersionByAlias('gated-model', 'champion');
    expect(champion.version).toBe(1);

    const worse = await h.service.startRun('gated', { acc: 0.85 }, { wait: true });
    expect(worse.status).toBe('FAILED');
    expect(worse.error).toBe("quality gate 'gate' failed: accuracy 0.85 does not beat champion gated-model@champion (version 1: 0.9) by at least 0.01 (higher is better)");
    expect(worse.steps!.find((s) => s.step === 'register')!.state).toBe('CANCELED');

    const better = await h.service.startRun('gated', { acc: 0.95 }, { wait: true });
    expect(better.status, better.error).toBe('SUCCEEDED');
    expect((await h.registry.getModelVersionByAlias('gated-model', 'champion')).version).toBe(2);

    const lineage = await h.service.lineage({ model: 'gated-model', version: 2, direction: 'upstream' });
    const train = lineage.executions.find((e) => e.step === 'train')!;
    expect(train.params).toMatchObject({ acc: 0.95, data: 's3://lake/iris/v1.csv' });
    expect(lineage.artifacts.map((a) => a.uri)).toContain('s3://lake/iris/v1.csv');

    const downstream = await h.service.lineage({ uri: 's3://lake/iris/v1.csv', direction: 'downstream' });
    expect(downstream.artifacts.filter((a) => a.type === 'ModelVersion').map((a) => a.uri).sort()).toEqual(['models:/gated-model/1', 'models:/gated-model/2']);
    await expect(h.service.lineage({ uri: 'nowhere', direction: 'upstream' })).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('gates on lower-is-better metrics and absolute thresholds', async () => {
    await h.service.putPipeline({
      name: 'loss-gate', params: { loss: { type: 'number' } },
      steps: [
        { name: 'eval', outputs: { loss: 'number' }, command: 'echo {{params.loss}} > {{outputs.loss}}' },
        { name: 'gate', gate: { candidate: 'steps.eval.outputs.loss', metric: 'loss', model: 'no-such-model', direction: 'min', threshold: 0.5 } },
      ],
    });
    expect((await h.service.startRun('loss-gate', { loss: 0.4 }, { wait: true })).status).toBe('SUCCEEDED');
    const high = await h.service.startRun('loss-gate', { loss: 0.7 }, { wait: true });
    expect(high.status).toBe('FAILED');
    expect(high.error).toBe("quality gate 'gate' failed: loss 0.7 does not reach the threshold 0.5 (lower is better)");
  });

  it('shows every pipeline run and step as MLflow runs, with metrics from Metrics outputs', async () => {
    const [run] = await h.service.listRuns({ pipeline: 'gated', status: 'SUCCEEDED', limit: 1 });
    const full = await h.service.getRun(run!.runId);
    const parent = await h.tracking.getRun(full.trackingRunId!);
    expect(parent.info.status).toBe('FINISHED');
    expect(parent.data.params).toContainEqual({ key: 'acc', value: '0.95' });
    const trainRun = await h.tracking.getRun(full.steps!.find((s) => s.step === 'train')!.trackingRunId!);
    expect(trainRun.data.tags).toContainEqual({ key: 'mlflow.parentRunId', value: full.trackingRunId });
    expect(trainRun.data.tags).toContainEqual({ key: 'capstan.param.acc', value: '0.95' });
    expect(trainRun.data.metrics.find((m) => m.key === 'accuracy')?.value).toBe(0.95);
  });
});

describe('triggers and schedules', () => {
  it('starts a run per new event, maps payload fields to parameters and drops duplicates', async () => {
    await h.service.putPipeline({
      name: 'on-data', params: { version: { type: 'string' } },
      steps: [{ name: 'echo', command: 'echo {{params.version}}', cache: false }],
      triggers: [{ event: 'dataset_version.created', filter: { dataset: 'iris' }, params: { version: '{{event.version}}' }, dedupKey: '{{event.dataset}}@{{event.version}}' }],
    });
    h.events.publish('dataset_version.created', { dataset: 'iris', version: '3', digest: 'd3' });
    h.events.publish('dataset_version.created', { dataset: 'iris', version: '3', digest: 'd3' });
    h.events.publish('dataset_version.created', { dataset: 'wine', version: '9', digest: 'd9' });
    await waitFor(async () => (await h.service.listRuns({ pipeline: 'on-data' })).length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    const runs = await h.service.listRuns({ pipeline: 'on-data' });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ params: { version: '3' }, trigger: { kind: 'event', detail: 'dataset_version.created dataset_version.created:iris@3' } });
    const done = await h.service.waitForRun(runs[0]!.runId);
    expect(done.status).toBe('SUCCEEDED');
  });

  it('starts on a model version registered in the real registry', async () => {
    await h.service.putPipeline({
      name: 'on-model', params: { version: { type: 'string' }, source: { type: 'string' } },
      steps: [{ name: 'evaluate', command: 'echo {{params.version}} {{params.source}}', cache: false }],
      triggers: [{ event: 'model_version.created', filter: { name: 'trigger-model' }, params: { version: '{{event.version}}', source: '{{event.source}}' } }],
    });
    await h.registry.createRegisteredModel({ name: 'trigger-model' });
    await h.registry.createModelVersion({ name: 'trigger-model', source: 's3://models/m1', storageLocation: 's3://models/m1' });
    await waitFor(async () => (await h.service.listRuns({ pipeline: 'on-model' })).length === 1);
    expect((await h.service.listRuns({ pipeline: 'on-model' }))[0]!.params).toEqual({ version: '1', source: 's3://models/m1' });
  });

  it('chains pipelines on pipeline_run.finished', async () => {
    await h.service.putPipeline({ name: 'upstream-p', steps: [{ name: 'a', command: 'true', cache: false }] });
    await h.service.putPipeline({
      name: 'downstream-p', params: { from: { type: 'string' } }, steps: [{ name: 'b', command: 'true', cache: false }],
      triggers: [{ event: 'pipeline_run.finished', filter: { pipeline: 'upstream-p', status: 'SUCCEEDED' }, params: { from: '{{event.runId}}' }, dedupKey: '{{event.runId}}' }],
    });
    const up = await h.service.startRun('upstream-p', {}, { wait: true });
    await waitFor(async () => (await h.service.listRuns({ pipeline: 'downstream-p' })).length === 1);
    expect((await h.service.listRuns({ pipeline: 'downstream-p' }))[0]!.params).toEqual({ from: up.runId });
  });

  it('fires a cron schedule (every second) once per tick', async () => {
    await h.service.putPipeline({ name: 'cron-p', params: { who: { type: 'string' } }, steps: [{ name: 'a', command: 'true', cache: false }], schedules: [{ cron: '* * * * * *', params: { who: 'cron' } }] });
    await waitFor(async () => (await h.service.listRuns({ pipeline: 'cron-p' })).length >= 2, 10_000);
    await h.service.putPipeline({ name: 'cron-p', params: { who: { type: 'string' } }, steps: [{ name: 'a', command: 'true', cache: false }] });
    const runs = await h.service.listRuns({ pipeline: 'cron-p' });
    expect(runs.every((r) => r.trigger?.kind === 'schedule' && r.params.who === 'cron')).toBe(true);
    expect(new Set(runs.map((r) => r.trigger?.detail)).size).toBe(runs.length);
  });
});

describe('pipelines in TypeScript and YAML', () => {
  it('runs function steps from a compiled module built with definePipeline, and caches them by code and params', async () => {
    const mod = (await import(join(EXAMPLES, 'ts-pipeline.mjs'))) as { default: { spec: unknown } };
    await h.service.putPipeline(mod.default.spec);
    const run = await h.service.startRun('ts-squares', { n: 10 }, { wait: true });
    expect(run.status, run.error).toBe('SUCCEEDED');
    expect(run.steps!.find((s) => s.step === 'powers')!.values).toEqual({ total: 285 });
    const again = await h.service.startRun('ts-squares', { n: 10, power: 3 }, { wait: true });
    expect(Object.fromEntries(again.steps!.map((s) => [s.step, s.state]))).toEqual({ generate: 'CACHED', powers: 'COMPLETE', report: 'COMPLETE' });
    expect(again.steps!.find((s) => s.step === 'powers')!.values).toEqual({ total: 2025 });
  });

  const hasPython = existsSync(PYTHON);
  (hasPython ? it : it.skip)('runs a YAML pipeline of Python scripts that log with the real mlflow client', async () => {
    const spec = { ...(parseYaml(readFileSync(join(EXAMPLES, 'iris.yaml'), 'utf8')) as object), baseDir: EXAMPLES };
    const { startCapstan } = await import('../../src/main.js');
    const server = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(h.dir, 'iris.db')}`, artifactsDestination: join(h.dir, 'iris-artifacts') });
    try {
      const res = await fetch(`${server.url}/api/v1/pipelines`, { method: 'POST', body: JSON.stringify({ spec }) });
      expect(res.status).toBe(200);
      const started = await fetch(`${server.url}/api/v1/pipelines/iris-ct/runs`, { method: 'POST', body: JSON.stringify({ params: { python: PYTHON }, wait: true }) });
      const { run } = (await started.json()) as { run: { status: string; error?: string; steps: { step: string; trackingRunId?: string; values?: Record<string, unknown> }[]; runId: string } };
      expect(run.status, run.error).toBe('SUCCEEDED');
      const accuracy = (run.steps.find((s) => s.step === 'evaluate')!.values!.metrics as { accuracy: number }).accuracy;
      expect(accuracy).toBeGreaterThan(0.8);
      const trainRunId = run.steps.find((s) => s.step === 'train')!.trackingRunId!;
      const mlflowRun = (await (await fetch(`${server.url}/api/2.0/mlflow/runs/get?run_id=${trainRunId}`)).json()) as { run: { data: { params?: { key: string; value: string }[]; metrics?: { key: string }[] } } };
      expect(mlflowRun.run.data.params).toContainEqual({ key: 'C', value: '1.0' });
      expect(mlflowRun.run.data.metrics?.map((m) => m.key)).toContain('train_accuracy');
      const version = (await (await fetch(`${server.url}/api/2.0/mlflow/registered-models/alias?name=iris&alias=challenger`)).json()) as { model_version: { version: string; run_id: string } };
      expect(version.model_version.run_id).toBe(trainRunId);
      const lineage = (await (await fetch(`${server.url}/api/v1/pipeline-lineage?model=iris&version=${version.model_version.version}`)).json()) as { executions: { step: string }[] };
      expect(lineage.executions.map((e) => e.step)).toEqual(['prepare', 'train', 'register']);
    } finally {
      await server.close();
    }
  }, 120_000);
});
