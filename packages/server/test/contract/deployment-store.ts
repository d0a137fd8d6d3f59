import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import type { DeploymentSpec, PredictionRecord } from '../../src/core/serving/model.js';
import type { DeploymentStore } from '../../src/ports/deployment-store.js';

/** A fresh store and how to dispose of it. */
export interface OpenedDeploymentStore {
  store: DeploymentStore;
  cleanup: () => Promise<void>;
}

const T0 = 1_700_000_000_000;
const spec = (version: string, weight = 100): DeploymentSpec => ({ variants: [{ model: 'm', version, weight }] });

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (error) {
    return isCapstanError(error) ? error.code : String(error);
  }
}

function record(i: number, over: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    id: `p-${String(i).padStart(5, '0')}`, deployment: 'd', model: 'm', version: '1', time: T0 + i, latencyMs: i / 10,
    status: 'ok', shadow: false, inputs: { x: [i, i + 0.5], s: ['a'] }, outputs: { y: [i % 2] }, ...over,
  };
}

/** The behaviour every {@link DeploymentStore} implementation must have. */
export function describeDeploymentStoreContract(backend: string, open: () => Promise<OpenedDeploymentStore>): void {
  describe(`DeploymentStore contract (${backend})`, () => {
    let opened: OpenedDeploymentStore;
    let store: DeploymentStore;
    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    });
    afterAll(async () => opened?.cleanup());

    it('creates, reads and lists deployments; a duplicate name is refused and changes nothing', async () => {
      const d = await store.create({ name: 'b-dep', spec: spec('1'), user: 'ana', time: T0, summary: 'created' });
      expect(d).toEqual({ name: 'b-dep', spec: spec('1'), revision: 1, createdAt: T0, updatedAt: T0, createdBy: 'ana' });
      await store.create({ name: 'a-dep', spec: spec('2'), user: 'bo', time: T0 + 1, summary: 'created' });
      expect(await code(store.create({ name: 'b-dep', spec: spec('9'), user: 'x', time: T0 + 2, summary: 'again' }))).toBe('RESOURCE_ALREADY_EXISTS');
      expect(await store.get('b-dep')).toEqual(d);
      expect((await store.list()).map((x) => x.name)).toEqual(['a-dep', 'b-dep']);
      expect(await store.get('nope')).toBeNull();
    });

    it('updates only from the expected revision and records each change', async () => {
      const u = await store.update({ name: 'b-dep', expectedRevision: 1, spec: spec('2'), user: 'bo', time: T0 + 10, action: 'update', summary: 'to v2' });
      expect(u).toMatchObject({ revision: 2, spec: spec('2'), updatedAt: T0 + 10, createdBy: 'ana', createdAt: T0 });
      expect(await store.update({ name: 'b-dep', expectedRevision: 1, spec: spec('3'), user: 'cy', time: T0 + 11, action: 'update', summary: 'stale' })).toBeNull();
      expect((await store.get('b-dep'))!.spec).toEqual(spec('2'));
      expect(await code(store.update({ name: 'ghost', expectedRevision: 1, spec: spec('1'), user: 'x', time: T0, action: 'update', summary: '' }))).toBe('RESOURCE_DOES_NOT_EXIST');
      const history = await store.history('b-dep', 10);
      expect(history.map((h) => [h.revision, h.action, h.user, h.summary])).toEqual([[2, 'update', 'bo', 'to v2'], [1, 'create', 'ana', 'created']]);
      expect(history[0]!.spec).toEqual(spec('2'));
      expect((await store.history('b-dep', 1)).length).toBe(1);
    });

    it('lets exactly one of several concurrent updates from the same revision win', async () => {
      const current = (await store.get('a-dep'))!;
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.update({ name: 'a-dep', expectedRevision: current.revision, spec: spec(String(10 + i)), user: `u${i}`, time: T0 + 20, action: 'update', summary: `u${i}` })));
      expect(results.filter((r) => r !== null).length).toBe(1);
      expect((await store.get('a-dep'))!.revision).toBe(current.revision + 1);
      expect((await store.history('a-dep', 100)).length).toBe(2);
    });

    it('deletes a deployment but keeps its history; a new one of the same name continues the revisions', async () => {
      await store.delete('b-dep', 'dee', T0 + 30);
      expect(await store.get('b-dep')).toBeNull();
      expect(await code(store.delete('b-dep', 'dee', T0 + 31))).toBe('RESOURCE_DOES_NOT_EXIST');
      expect((await store.history('b-dep', 10))[0]).toMatchObject({ revision: 3, action: 'delete', user: 'dee' });
      const again = await store.create({ name: 'b-dep', spec: spec('5'), user: 'eve', time: T0 + 40, summary: 'recreated' });
      expect(again.revision).toBe(4);
      expect((await store.history('b-dep', 10)).map((h) => h.action)).toEqual(['create', 'delete', 'update', 'create']);
    });

    it('stores predictions in large batches, ignores repeated ids, and queries by window, shadow and id', async () => {
      const records = Array.from({ length: 1200 }, (_, i) => record(i, i % 10 === 0 ? { shadow: true, id: `p-${String(i).padStart(5, '0')}.shadow` } : {}));
      await store.insertPredictions(records);
      await store.insertPredictions([record(1, { outputs: { y: ['changed'] } })]);
      await store.insertPredictions([]);
      const all = await store.predictions({ deployment: 'd', limit: 10_000, includeShadow: true });
      expect(all.length).toBe(1200);
      expect(all[1]).toEqual(record(1));
      const noShadow = await store.predictions({ deployment: 'd', limit: 10_000 });
      expect(noShadow.length).toBe(1080);
      const window = await store.predictions({ deployment: 'd', since: T0 + 100, until: T0 + 200, limit: 1000, includeShadow: true });
      expect(window.map((r) => r.time)).toEqual(Array.from({ length: 100 }, (_, i) => T0 + 100 + i));
      expect((await store.predictions({ deployment: 'd', limit: 5 })).length).toBe(5);
      expect(await store.predictions({ deployment: 'other', limit: 5 })).toEqual([]);
      const timings = await store.predictionTimings({ deployment: 'd', since: T0 + 9, until: T0 + 12, limit: 10, includeShadow: true });
      expect(timings).toEqual([9, 10, 11].map((i) => ({ time: T0 + i, version: '1', latencyMs: i / 10, ok: true, shadow: i === 10 })));
      const err = record(5000, { status: 'error', outputs: null, error: 'boom' });
      await store.insertPredictions([err]);
      const byId = await store.predictionsById(['p-00003', 'p-05000', 'missing']);
      expect(byId.sort((a, b) => a.id.localeCompare(b.id))).toEqual([record(3), err]);
      expect((await store.predictionsById(Array.from({ length: 1200 }, (_, i) => `p-${String(i).padStart(5, '0')}`))).length).toBe(1080);
    });
  });
}
