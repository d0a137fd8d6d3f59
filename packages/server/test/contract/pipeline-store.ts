import { describe, expect, it } from 'vitest';
import { pipelineSpecSchema, type PipelineSpec } from '@capstan/api';
import type { NewExecution, PipelineStore } from '../../src/ports/pipeline-store.js';

/** What a backend's test hands to {@link describePipelineStoreContract}. */
export interface OpenedPipelineStore {
  store: PipelineStore;
  cleanup: () => Promise<void>;
}

const T0 = 1_700_000_000_000;
let n = 0;
const uid = (p: string) => `${p}-${++n}-${Math.random().toString(36).slice(2, 7)}`;

function spec(name: string, extra: Partial<PipelineSpec> = {}): PipelineSpec {
  return pipelineSpecSchema.parse({ name, steps: [{ name: 'a', command: 'true', outputs: { out: 'File' } }], ...extra });
}

async function newRun(store: PipelineStore, pipeline: string): Promise<string> {
  const runId = uid('run');
  await store.createRun({ runId, pipeline, pipelineDigest: 'd', status: 'QUEUED', params: { lr: 0.1 }, createdAt: T0 }, spec(pipeline));
  return runId;
}

function exec(runId: string, extra: Partial<NewExecution> = {}): NewExecution {
  return { runId, step: 'a', node: 'a', attempt: 1, state: 'RUNNING', startedAt: T0, ...extra };
}

/** The pipeline store contract: every implementation runs it. */
export function describePipelineStoreContract(label: string, open: () => Promise<OpenedPipelineStore>): void {
  describe(`pipeline store contract: ${label}`, () => {
    const withStore = async (fn: (store: PipelineStore) => Promise<void>) => {
      const { store, cleanup } = await open();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    };

    it('stores, replaces and lists pipelines with their triggers and schedules', () => withStore(async (store) => {
      const name = uid('p');
      await store.putPipeline(spec(name, { triggers: [{ event: 'drift.alert', filter: {}, params: {} }], schedules: [{ cron: '0 * * * *', params: {} }] }), 'd1', T0);
      const replaced = await store.putPipeline(spec(name, { description: 'v2', triggers: [{ event: 'dataset_version.created', filter: { dataset: 'iris' }, params: {} }] }), 'd2', T0 + 5);
      expect(replaced).toMatchObject({ name, digest: 'd2', description: 'v2', createdAt: T0, updatedAt: T0 + 5 });
      const triggers = (await store.listTriggers()).filter((t) => t.pipeline === name);
      expect(triggers.map((t) => [t.kind, t.spec.event ?? t.spec.cron])).toEqual([['event', 'dataset_version.created']]);
      expect((await store.listPipelines()).map((p) => p.name)).toContain(name);
      expect(await store.getPipeline(uid('missing'))).toBeNull();
    }));

    it('keeps runs, guards status changes and lists newest first', () => withStore(async (store) => {
      const pipeline = uid('p');
      const first = await newRun(store, pipeline);
      expect(await store.updateRun(first, { status: 'RUNNING', startedAt: T0 + 1 }, ['QUEUED'])).toBe(true);
      expect(await store.updateRun(first, { status: 'RUNNING' }, ['QUEUED'])).toBe(false);
      expect(await store.updateRun(first, { status: 'SUCCEEDED', endedAt: T0 + 2, trackingRunId: 'abc' })).toBe(true);
      const run = (await store.getRun(first))!;
      expect(run).toMatchObject({ runId: first, pipeline, status: 'SUCCEEDED', params: { lr: 0.1 }, startedAt: T0 + 1, endedAt: T0 + 2, trackingRunId: 'abc', steps: [] });
      expect((await store.getRunSpec(first))!.name).toBe(pipeline);
      await newRun(store, pipeline);
      expect((await store.listRuns({ pipeline, limit: 10 }))).toHaveLength(2);
      expect((await store.listRuns({ pipeline, status: 'SUCCEEDED', limit: 10 })).map((r) => r.runId)).toEqual([first]);
      expect(await store.getRun(uid('none'))).toBeNull();
    }));

    it('completes an execution exactly once, even when two completions race', () => withStore(async (store) => {
      const runId = await newRun(store, uid('p'));
      const id = await store.createExecution(exec(runId, { cacheKey: 'k1', params: { lr: 0.1 } }));
      const result = (uri: string) => ({ inputs: [], outputs: [{ name: 'out', artifact: { type: 'File', uri, name: 'a.out', digest: `sha256:${uri}`, size: 3 } }], values: { v: 1 }, endedAt: T0 + 10, worker: 'w' });
      const outcomes = await Promise.all([store.completeExecution(id, result('mlflow-artifacts:/x1')), store.completeExecution(id, result('mlflow-artifacts:/x2'))]);
      expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
      expect(outcomes.find((o) => o !== null)!.map((o) => o.name)).toEqual(['out']);
      const run = (await store.getRun(runId))!;
      expect(run.steps).toHaveLength(1);
      expect(run.steps![0]).toMatchObject({ state: 'COMPLETE', values: { v: 1 }, worker: 'w', params: { lr: 0.1 } });
      expect(run.steps![0]!.outputs).toHaveLength(1);
      const loser = outcomes[0] ? 'mlflow-artifacts:/x2' : 'mlflow-artifacts:/x1';
      expect(await store.findArtifact({ uri: loser })).toBeNull();
    }));

    it('finds the newest complete execution for a cache key and records hits as CACHED with the same artifacts', () => withStore(async (store) => {
      const runId = await newRun(store, uid('p'));
      const key = uid('key');
      expect(await store.findCached(key)).toBeNull();
      const failed = await store.createExecution(exec(runId, { cacheKey: key }));
      await store.updateExecution(failed, { state: 'FAILED', error: 'boom' });
      expect(await store.findCached(key)).toBeNull();
      const ok = await store.createExecution(exec(runId, { cacheKey: key, attempt: 2 }));
      const uri = `mlflow-artifacts:/${uid('a')}`;
      await store.completeExecution(ok, { inputs: [], outputs: [{ name: 'out', artifact: { type: 'Model', uri, name: 'a.out', digest: 'sha256:1' } }], values: { acc: 0.9 }, endedAt: T0 });
      const hit = (await store.findCached(key))!;
      expect(hit.execution.id).toBe(ok);
      expect(hit.outputs.map((o) => [o.name, o.artifact.uri])).toEqual([['out', uri]]);
      const runId2 = await newRun(store, uid('p'));
      const cached = await store.recordCachedExecution({ ...exec(runId2), state: 'CACHED', cacheKey: key, cachedFrom: ok }, hit, []);
      const run2 = (await store.getRun(runId2))!;
      expect(run2.steps![0]).toMatchObject({ id: cached, state: 'CACHED', cachedFrom: ok });
      expect(run2.steps![0]!.outputs![0]!.artifact.id).toBe(hit.outputs[0]!.artifact.id);
    }));

    it('answers upstream and downstream lineage over several hops in one call', () => withStore(async (store) => {
      const runId = await newRun(store, uid('p'));
      const data = await store.ensureArtifact({ type: 'Dataset', uri: `s3://bucket/${uid('data')}.csv`, name: 'data', digest: 'uri:1' });
      expect((await store.ensureArtifact({ type: 'Dataset', uri: data.uri, name: 'again', digest: 'uri:2' })).id).toBe(data.id);
      const train = await store.createExecution(exec(runId, { step: 'train', node: 'train', params: { lr: 0.3 } }));
      const modelUri = `mlflow-artifacts:/${uid('model')}`;
      await store.completeExecution(train, { inputs: [{ name: 'data', artifactId: data.id }], outputs: [{ name: 'model', artifact: { type: 'Model', uri: modelUri, name: 'model', digest: 'sha256:m' } }], values: {}, endedAt: T0 });
      const model = (await store.findArtifact({ uri: modelUri }))!;
      const register = await store.createExecution(exec(runId, { step: 'register', node: 'register' }));
      const mvUri = `models:/${uid('m')}/7`;
      await store.completeExecution(register, { inputs: [{ name: 'model', artifactId: model.id }], outputs: [{ name: 'modelVersion', artifact: { type: 'ModelVersion', uri: mvUri, name: 'mv', digest: 'sha256:m' } }], values: {}, endedAt: T0 });
      const mv = (await store.findArtifact({ uri: mvUri }))!;
      await store.attribute({ type: 'ModelVersion', name: mvUri }, mv.id);
      const up = await store.lineage(mv.id, 'upstream');
      expect(up.executions.map((e) => [e.step, e.params])).toEqual([['train', { lr: 0.3 }], ['register', undefined]].map(([s, p]) => (p ? [s, p] : [s, undefined])));
      expect(up.artifacts.map((a) => a.type).sort()).toEqual(['Dataset', 'Model', 'ModelVersion']);
      expect(up.events).toContainEqual({ artifactId: data.id, executionId: train, type: 'INPUT', path: 'data' });
      const down = await store.lineage(data.id, 'downstream');
      expect(down.executions.map((e) => e.step)).toEqual(['train', 'register']);
      expect(down.artifacts.map((a) => a.uri)).toContain(mvUri);
      expect((await store.findArtifact({ digest: 'sha256:m' }))!.id).toBe(model.id);
    }));

    it('hands a silent coordinator\'s runs to exactly one other coordinator', () => withStore(async (store) => {
      const pipeline = uid('p');
      const runId = uid('run');
      await store.createRun({ runId, pipeline, pipelineDigest: 'd', status: 'RUNNING', params: {}, createdAt: T0 }, spec(pipeline), 'old');
      const done = uid('run');
      await store.createRun({ runId: done, pipeline, pipelineDigest: 'd', status: 'SUCCEEDED', params: {}, createdAt: T0 }, spec(pipeline), 'old');
      await store.heartbeat([runId], 'old', T0 + 1000);
      expect(await store.claimStaleRuns('new', T0 + 500, T0 + 2000)).not.toContain(runId);
      const claims = await Promise.all([store.claimStaleRuns('a', T0 + 5000, T0 + 6000), store.claimStaleRuns('b', T0 + 5000, T0 + 6000)]);
      expect(claims.flat().filter((id) => id === runId)).toHaveLength(1);
      expect(claims.flat()).not.toContain(done);
      await store.heartbeat([runId], 'old', T0 + 9000);
      expect(await store.claimStaleRuns('c', T0 + 6500, T0 + 9500)).toContain(runId);
      await store.heartbeat([runId], 'c', T0 + 10_000);
      expect(await store.claimStaleRuns('d', T0 + 9900, T0 + 11_000)).not.toContain(runId);
      expect(await store.runOwners([runId, done, uid('none')])).toEqual(expect.arrayContaining([
        { runId, status: 'RUNNING', coordinator: 'c' }, { runId: done, status: 'SUCCEEDED', coordinator: 'old' },
      ]));
      expect(await store.updateRun(runId, { status: 'FAILED' }, ['RUNNING'], 'old')).toBe(false);
      expect(await store.updateRun(runId, { status: 'FAILED' }, ['RUNNING'], 'c')).toBe(true);
    }));

    it('decides an approval once and de-duplicates trigger firings', () => withStore(async (store) => {
      const runId = await newRun(store, uid('p'));
      await store.createApproval({ runId, step: 'ok', state: 'PENDING', requestedAt: T0, timeoutAt: T0 + 1000, message: 'ship it?' });
      expect((await store.listApprovals({ state: 'PENDING', runId })).map((a) => a.step)).toEqual(['ok']);
      const decisions = await Promise.all([
        store.decideApproval(runId, 'ok', { state: 'APPROVED', by: 'alice', at: T0 + 5, comment: 'yes' }),
        store.decideApproval(runId, 'ok', { state: 'REJECTED', by: 'bob', at: T0 + 6 }),
      ]);
      expect(decisions.filter(Boolean)).toHaveLength(1);
      const decided = (await store.getApproval(runId, 'ok'))!;
      expect(['alice', 'bob']).toContain(decided.decidedBy);
      expect(decided.state).toBe(decided.decidedBy === 'alice' ? 'APPROVED' : 'REJECTED');
      const pipeline = uid('p');
      const claims = await Promise.all([store.claimFiring(pipeline, 'k', T0), store.claimFiring(pipeline, 'k', T0), store.claimFiring(pipeline, 'k2', T0)]);
      expect(claims.filter(Boolean)).toHaveLength(2);
    }));
  });
}
