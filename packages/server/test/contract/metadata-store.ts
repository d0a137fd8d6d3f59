import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import type { ErrorCode } from '@capstan/api';
import type {
  DatasetInput, KeyValue, LoggedModel, Metric, ModelVersion, Page, RunInfo,
} from '../../src/core/model.js';
import type { Comparator, Comparison, EntityType, OrderBy } from '../../src/core/search/ast.js';
import type { MetadataStore, NewModelVersion, SearchQuery, ViewType } from '../../src/ports/metadata-store.js';

/** What a backend's test file hands to {@link describeMetadataStoreContract}. */
export interface OpenedMetadataStore {
  store: MetadataStore;
  /** Closes the store and removes everything it wrote (file, database). */
  cleanup: () => Promise<void>;
}

/** Opens a fresh, empty store. */
export type OpenMetadataStore = () => Promise<OpenedMetadataStore>;

/** A fixed epoch-millisecond origin for every time the suite writes. */
export const T0 = 1_700_000_000_000;

let sequence = 0;

/** A name no other test uses; free of LIKE wildcards so it can serve as a search prefix. */
export function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A run id as MLflow makes them: 32 lower-case hex digits. */
export function newRunId(): string {
  return randomUUID().replaceAll('-', '');
}

/** Settles `promise` and asserts it was rejected with a `CapstanError` of `code`. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const outcome = await promise.then(
    () => 'resolved without error',
    (e: unknown) => (isCapstanError(e) ? e.code : `non-Capstan error: ${String(e)}`),
  );
  expect(outcome).toBe(code);
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sortKv = (kvs: readonly KeyValue[]): KeyValue[] => kvs.toSorted((a, b) => byteOrder(a.key, b.key));
const sorted = (values: readonly string[]): string[] => values.toSorted(byteOrder);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

const cmp = (type: EntityType, key: string, comparator: Comparator, value: Comparison['value']): Comparison =>
  ({ type, key, comparator, value });
const attr = (key: string, comparator: Comparator, value: Comparison['value']): Comparison => cmp('attribute', key, comparator, value);
const metric = (key: string, comparator: Comparator, value: number): Comparison => cmp('metric', key, comparator, value);
const param = (key: string, comparator: Comparator, value: string): Comparison => cmp('param', key, comparator, value);
const tag = (key: string, comparator: Comparator, value: string): Comparison => cmp('tag', key, comparator, value);
const dataset = (key: string, comparator: Comparator, value: Comparison['value']): Comparison => cmp('dataset', key, comparator, value);
const order = (type: EntityType, key: string, ascending = true): OrderBy => ({ type, key, ascending });

const query = (over: Partial<SearchQuery> = {}): SearchQuery => ({ filter: [], orderBy: [], maxResults: 1000, offset: 0, ...over });
const point = (key: string, value: number, step = 0, timestamp = T0): Metric => ({ key, value, timestamp, step });

/** A run's info with defaults; `over` wins. */
function runInfo(experimentId: string, over: Partial<RunInfo> = {}): RunInfo {
  const runId = over.runId ?? newRunId();
  return {
    runId, runName: 'run', experimentId, userId: 'alice', status: 'RUNNING', startTime: T0, endTime: null,
    artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`, lifecycleStage: 'active', ...over,
  };
}

/** A logged model to create, with defaults; `over` wins. */
function loggedModel(experimentId: string, over: Partial<Omit<LoggedModel, 'metrics' | 'lifecycleStage'>> = {}): Omit<LoggedModel, 'metrics' | 'lifecycleStage'> {
  const modelId = over.modelId ?? `m-${newRunId()}`;
  return {
    modelId, experimentId, name: 'model', artifactLocation: `mlflow-artifacts:/${experimentId}/models/${modelId}/artifacts`,
    creationTimestampMs: T0, lastUpdatedTimestampMs: T0, status: 'LOGGED_MODEL_PENDING', statusMessage: null,
    creatorId: 'alice', modelType: 'sklearn', sourceRunId: null, tags: [], params: [], ...over,
  };
}

/** A model version to create, with defaults; `over` wins. */
function version(name: string, over: Partial<NewModelVersion> = {}): NewModelVersion {
  return {
    name, source: 'models:/m-abc', storageLocation: 'mlflow-artifacts:/1/models/m-abc/artifacts', runId: null,
    runLink: null, description: null, userId: null, modelId: null, tags: [], time: T0, ...over,
  };
}

/** Follows `nextOffset` until it is absent and returns every page. */
async function allPages<T>(fetchPage: (offset: number) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let offset = 0;
  for (let guard = 0; guard < 100; guard++) {
    const page = await fetchPage(offset);
    pages.push(page.items);
    if (page.nextOffset === undefined) return pages;
    expect(page.nextOffset).toBeGreaterThan(offset);
    offset = page.nextOffset;
  }
  throw new Error('paging did not terminate');
}

/**
 * The behaviour every {@link MetadataStore} implementation must show. `open` is called once; the
 * tests share that store and isolate themselves with unique names, experiments and run ids.
 */
export function describeMetadataStoreContract(label: string, open: OpenMetadataStore): void {
  describe(`MetadataStore contract: ${label}`, () => {
    let store!: MetadataStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ store, cleanup } = await open());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    async function newExperiment(over: { name?: string; tags?: KeyValue[]; time?: number } = {}): Promise<string> {
      return store.createExperiment({
        name: over.name ?? unique('exp'),
        artifactLocation: (id) => `mlflow-artifacts:/${id}`,
        tags: over.tags ?? [],
        time: over.time ?? T0,
      });
    }

    async function newRun(experimentId: string, over: Partial<RunInfo> = {}, tags: KeyValue[] = []): Promise<RunInfo> {
      const info = runInfo(experimentId, over);
      await store.createRun(info, tags);
      return info;
    }

    async function logMetrics(runId: string, ...metrics: Metric[]): Promise<void> {
      await store.logBatch(runId, { metrics, params: [], tags: [] });
    }

    async function experimentNames(q: Partial<SearchQuery>, viewType: ViewType = 'ACTIVE_ONLY'): Promise<string[]> {
      const page = await store.searchExperiments({ ...query(q), viewType });
      return page.items.map((e) => e.name);
    }

    it('declares itself a SqlStore', () => {
      expect(store.capabilities.storeType).toBe('SqlStore');
      expect(store.capabilities.backend).toMatch(/\S/);
    });

    // ---------------------------------------------------------------------------------------
    describe('experiments', () => {
      it('creates an experiment and reads it back by id and by name', async () => {
        const name = unique('exp');
        const tags = [{ key: 'team', value: 'ml' }, { key: 'mlflow.note.content', value: 'hello' }];
        const id = await store.createExperiment({ name, artifactLocation: (eid) => `mlflow-artifacts:/${eid}`, tags, time: T0 + 5 });
        expect(typeof id).toBe('string');
        expect(id).not.toBe('');
        const expected = {
          experimentId: id, name, artifactLocation: `mlflow-artifacts:/${id}`, lifecycleStage: 'active',
          creationTime: T0 + 5, lastUpdateTime: T0 + 5, tags: sortKv(tags),
        };
        const byId = await store.getExperiment(id);
        expect(byId && { ...byId, tags: sortKv(byId.tags) }).toEqual(expected);
        const byName = await store.getExperimentByName(name);
        expect(byName && { ...byName, tags: sortKv(byName.tags) }).toEqual(expected);
      });

      it('passes the new id to an artifact-location function and keeps an explicit location verbatim', async () => {
        const seen: string[] = [];
        const id = await store.createExperiment({
          name: unique('exp'), tags: [], time: T0,
          artifactLocation: (eid) => { seen.push(eid); return `s3://bucket/root/${eid}`; },
        });
        expect(seen.length).toBeGreaterThan(0);
        expect(new Set(seen)).toEqual(new Set([id]));
        expect((await store.getExperiment(id))?.artifactLocation).toBe(`s3://bucket/root/${id}`);

        const other = await store.createExperiment({ name: unique('exp'), artifactLocation: 'file:///data/explicit', tags: [], time: T0 });
        expect(other).not.toBe(id);
        expect((await store.getExperiment(other))?.artifactLocation).toBe('file:///data/explicit');
      });

      it('returns null for unknown experiments, including ids that are not numbers', async () => {
        expect(await store.getExperiment('987654321')).toBeNull();
        expect(await store.getExperiment('not-an-id')).toBeNull();
        expect(await store.getExperiment('99999999999999999999999')).toBeNull();
        expect(await store.getExperimentByName(unique('missing'))).toBeNull();
      });

      it('rejects a duplicate name with RESOURCE_ALREADY_EXISTS, also when the holder is deleted', async () => {
        const name = unique('dup');
        const id = await newExperiment({ name });
        await expectCode(newExperiment({ name }), 'RESOURCE_ALREADY_EXISTS');
        await store.setExperimentLifecycle(id, 'deleted', T0 + 1);
        await expectCode(newExperiment({ name }), 'RESOURCE_ALREADY_EXISTS');
        expect(await experimentNames({ filter: [attr('name', '=', name)] }, 'ALL')).toEqual([name]);
      });

      it('renames an experiment and bumps its last update time', async () => {
        const oldName = unique('old');
        const newName = unique('new');
        const id = await newExperiment({ name: oldName, time: T0 });
        await store.renameExperiment(id, newName, T0 + 100);
        const exp = await store.getExperiment(id);
        expect(exp?.name).toBe(newName);
        expect(exp?.lastUpdateTime).toBe(T0 + 100);
        expect(exp?.creationTime).toBe(T0);
        expect(await store.getExperimentByName(oldName)).toBeNull();
        expect((await store.getExperimentByName(newName))?.experimentId).toBe(id);
      });

      it('refuses to rename onto a taken name and to rename an unknown experiment', async () => {
        const taken = unique('taken');
        await newExperiment({ name: taken });
        const mine = unique('mine');
        const id = await newExperiment({ name: mine });
        await expectCode(store.renameExperiment(id, taken, T0 + 1), 'RESOURCE_ALREADY_EXISTS');
        expect((await store.getExperiment(id))?.name).toBe(mine);
        await expectCode(store.renameExperiment('987654321', unique('x'), T0), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('soft-deletes and restores an experiment', async () => {
        const name = unique('life');
        const id = await newExperiment({ name, time: T0 });
        await store.setExperimentLifecycle(id, 'deleted', T0 + 10);
        let exp = await store.getExperiment(id);
        expect(exp?.lifecycleStage).toBe('deleted');
        expect(exp?.lastUpdateTime).toBe(T0 + 10);
        expect((await store.getExperimentByName(name))?.lifecycleStage).toBe('deleted');
        await store.setExperimentLifecycle(id, 'active', T0 + 20);
        exp = await store.getExperiment(id);
        expect(exp?.lifecycleStage).toBe('active');
        expect(exp?.lastUpdateTime).toBe(T0 + 20);
        await expectCode(store.setExperimentLifecycle('987654321', 'deleted', T0), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('sets, overwrites and deletes experiment tags', async () => {
        const id = await newExperiment({ tags: [{ key: 'a', value: '1' }] });
        await store.setExperimentTag(id, { key: 'b', value: '2' });
        await store.setExperimentTag(id, { key: 'a', value: 'one' });
        expect(sortKv((await store.getExperiment(id))!.tags)).toEqual([{ key: 'a', value: 'one' }, { key: 'b', value: '2' }]);
        await store.deleteExperimentTag(id, 'a');
        expect((await store.getExperiment(id))!.tags).toEqual([{ key: 'b', value: '2' }]);
        await expectCode(store.deleteExperimentTag(id, 'a'), 'RESOURCE_DOES_NOT_EXIST');
        await expectCode(store.setExperimentTag('987654321', { key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST');
        await expectCode(store.deleteExperimentTag('987654321', 'b'), 'RESOURCE_DOES_NOT_EXIST');
      });

      describe('searchExperiments', () => {
        let p = '';
        const n = { Abc: '', a: '', Default: '', ab: '' };
        const ids = { Abc: '', a: '', Default: '', ab: '' };
        const inP = (): Comparison => attr('name', 'LIKE', `${p}%`);

        beforeAll(async () => {
          p = unique('xs');
          n.Abc = `${p}Abc`; n.a = `${p}a`; n.Default = `${p}Default`; n.ab = `${p}ab`;
          ids.Abc = await newExperiment({ name: n.Abc, time: T0 + 1, tags: [{ key: 'team', value: 'Value' }] });
          ids.Default = await newExperiment({ name: n.Default, time: T0 + 2, tags: [{ key: 'team', value: 'other' }] });
          ids.ab = await newExperiment({ name: n.ab, time: T0 + 3 });
          ids.a = await newExperiment({ name: n.a, time: T0 + 4 });
        });

        it('filters by name with case-sensitive LIKE, ILIKE and =', async () => {
          expect(sorted(await experimentNames({ filter: [attr('name', 'LIKE', `${p}a%`)] }))).toEqual(sorted([n.a, n.ab]));
          expect(sorted(await experimentNames({ filter: [inP(), attr('name', 'ILIKE', `${p}A%`)] }))).toEqual(sorted([n.a, n.ab, n.Abc]));
          expect(await experimentNames({ filter: [attr('name', '=', n.a)] })).toEqual([n.a]);
        });

        it('filters by tag and creation time', async () => {
          expect(await experimentNames({ filter: [inP(), tag('team', '=', 'Value')] })).toEqual([n.Abc]);
          expect(await experimentNames({ filter: [inP(), tag('team', 'ILIKE', '%VAL%')] })).toEqual([n.Abc]);
          expect(await experimentNames({ filter: [inP(), tag('team', 'LIKE', '%VAL%')] })).toEqual([]);
          expect(await experimentNames({ filter: [inP(), tag('team', '!=', 'Value')] })).toEqual([n.Default]);
          expect(sorted(await experimentNames({ filter: [inP(), attr('creation_time', '>=', T0 + 3)] }))).toEqual(sorted([n.a, n.ab]));
        });

        it('orders by name in byte order and by creation time', async () => {
          expect(await experimentNames({ filter: [inP()], orderBy: [order('attribute', 'name', false)] }))
            .toEqual([n.ab, n.a, n.Default, n.Abc]);
          expect(await experimentNames({ filter: [inP()], orderBy: [order('attribute', 'name', true)] }))
            .toEqual([n.Abc, n.Default, n.a, n.ab]);
          expect(await experimentNames({ filter: [inP()], orderBy: [order('attribute', 'creation_time', true)] }))
            .toEqual([n.Abc, n.Default, n.ab, n.a]);
          expect(await experimentNames({ filter: [inP()], orderBy: [order('attribute', 'creation_time', false)] }))
            .toEqual([n.a, n.ab, n.Default, n.Abc]);
        });

        it('orders by last update time, newest first, by default', async () => {
          expect(await experimentNames({ filter: [inP()] })).toEqual([n.a, n.ab, n.Default, n.Abc]);
          const renamed = `${p}Abcd`;
          await store.renameExperiment(ids.Abc, renamed, T0 + 10);
          n.Abc = renamed;
          expect(await experimentNames({ filter: [inP()] })).toEqual([n.Abc, n.a, n.ab, n.Default]);
        });

        it('honours the view type', async () => {
          await store.setExperimentLifecycle(ids.Default, 'deleted', T0 + 11);
          expect(sorted(await experimentNames({ filter: [inP()] }, 'ACTIVE_ONLY'))).toEqual(sorted([n.a, n.ab, n.Abc]));
          expect(await experimentNames({ filter: [inP()] }, 'DELETED_ONLY')).toEqual([n.Default]);
          expect(sorted(await experimentNames({ filter: [inP()] }, 'ALL'))).toEqual(sorted([n.a, n.ab, n.Abc, n.Default]));
        });

        it('pages with maxResults and offset; the last page has no nextOffset', async () => {
          const all = await experimentNames({ filter: [inP()], orderBy: [order('attribute', 'name', true)] }, 'ALL');
          expect(all).toHaveLength(4);
          for (const size of [1, 2, 3, 4, 5]) {
            const pages = await allPages(async (offset) => {
              const page = await store.searchExperiments({ ...query({ filter: [inP()], orderBy: [order('attribute', 'name', true)], maxResults: size, offset }), viewType: 'ALL' });
              return { ...page, items: page.items.map((e) => e.name) };
            });
            expect(pages.map((pg) => pg.length), `page sizes for maxResults=${size}`).toEqual(
              range(Math.ceil(4 / size)).map((i) => Math.min(size, 4 - i * size)),
            );
            expect(pages.flat()).toEqual(all);
          }
        });
      });
    });

    // ---------------------------------------------------------------------------------------
    describe('runs', () => {
      let exp = '';
      beforeAll(async () => {
        exp = await newExperiment();
      });

      it('round-trips a run with its info and initial tags', async () => {
        const tags = [{ key: 'mlflow.user', value: 'alice' }, { key: 'mlflow.source.name', value: 'train.py' }, { key: 'note', value: 'ünï 🚀' }];
        const info = runInfo(exp, { runName: 'brave-owl-42', startTime: T0 + 7 });
        await store.createRun(info, tags);
        const run = await store.getRun(info.runId);
        expect(run).not.toBeNull();
        expect(run!.info).toEqual(info);
        expect(run!.data.tags).toEqual(expect.arrayContaining(tags));
        expect(run!.data.metrics).toEqual([]);
        expect(run!.data.params).toEqual([]);
        expect(run!.inputs).toEqual({ datasetInputs: [], modelInputs: [] });
        expect(run!.outputs).toEqual({ modelOutputs: [] });
        expect(await store.getRunInfo(info.runId)).toEqual(info);

        const finished = await newRun(exp, { status: 'FINISHED', endTime: T0 + 99 });
        expect(await store.getRunInfo(finished.runId)).toEqual(finished);
      });

      it('returns null for unknown runs', async () => {
        expect(await store.getRun(newRunId())).toBeNull();
        expect(await store.getRunInfo(newRunId())).toBeNull();
      });

      it('refuses to create a run in an unknown experiment', async () => {
        const info = runInfo('987654321');
        await expectCode(store.createRun(info, []), 'RESOURCE_DOES_NOT_EXIST');
        expect(await store.getRun(info.runId)).toBeNull();
      });

      it('updates only the given run fields', async () => {
        const info = await newRun(exp, { runName: 'before' });
        const afterStatus = await store.updateRunInfo(info.runId, { status: 'FINISHED', endTime: T0 + 50 });
        expect(afterStatus).toEqual({ ...info, status: 'FINISHED', endTime: T0 + 50 });
        const afterName = await store.updateRunInfo(info.runId, { runName: 'after' });
        expect(afterName).toEqual({ ...info, status: 'FINISHED', endTime: T0 + 50, runName: 'after' });
        expect(await store.getRunInfo(info.runId)).toEqual(afterName);
        await expectCode(store.updateRunInfo(newRunId(), { status: 'FAILED' }), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('soft-deletes and restores a run', async () => {
        const info = await newRun(exp);
        await store.setRunLifecycle(info.runId, 'deleted', T0 + 1);
        expect((await store.getRun(info.runId))?.info.lifecycleStage).toBe('deleted');
        await store.setRunLifecycle(info.runId, 'active', T0 + 2);
        expect((await store.getRun(info.runId))?.info.lifecycleStage).toBe('active');
        await expectCode(store.setRunLifecycle(newRunId(), 'deleted', T0), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('stores a batch of metrics, params and tags', async () => {
        const { runId } = await newRun(exp);
        await store.logBatch(runId, {
          metrics: [point('acc', 0.5, 0, T0 + 1), point('loss', 1.25, 3, T0 + 2)],
          params: [{ key: 'lr', value: '0.01' }, { key: 'empty', value: '' }],
          tags: [{ key: 'stage', value: 'dev' }],
        });
        const run = (await store.getRun(runId))!;
        expect(sortKv(run.data.params)).toEqual([{ key: 'empty', value: '' }, { key: 'lr', value: '0.01' }]);
        expect(run.data.tags).toContainEqual({ key: 'stage', value: 'dev' });
        const metrics = [...run.data.metrics].toSorted((a, b) => byteOrder(a.key, b.key));
        expect(metrics).toHaveLength(2);
        expect(metrics[0]).toMatchObject(point('acc', 0.5, 0, T0 + 1));
        expect(metrics[1]).toMatchObject(point('loss', 1.25, 3, T0 + 2));
        await expectCode(store.logBatch(newRunId(), { metrics: [], params: [{ key: 'a', value: 'b' }], tags: [] }), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('keeps as latest metric the point with the greatest (step, timestamp, value)', async () => {
        const { runId } = await newRun(exp);
        await logMetrics(runId, point('loss', 5, 2, T0 + 50));
        await logMetrics(runId, point('loss', 9, 1, T0 + 999), point('loss', 4, 2, T0 + 50));
        await logMetrics(runId, point('loss', 1, 2, T0 + 10));
        await logMetrics(runId, point('acc', 0.1, 3, T0 + 1), point('acc', 0.05, 3, T0 + 2));
        await logMetrics(runId, point('late', 1, 5, T0));
        await logMetrics(runId, point('late', 100, 4, T0 + 500));
        const latest = new Map((await store.getRun(runId))!.data.metrics.map((m) => [m.key, m]));
        expect(latest.size).toBe(3);
        expect(latest.get('loss')).toMatchObject(point('loss', 5, 2, T0 + 50));
        expect(latest.get('acc')).toMatchObject(point('acc', 0.05, 3, T0 + 2));
        expect(latest.get('late')).toMatchObject(point('late', 1, 5, T0));
      });

      it('round-trips NaN and ±Infinity metric values', async () => {
        const { runId } = await newRun(exp);
        await logMetrics(runId, point('nan', Number.NaN), point('pinf', Number.POSITIVE_INFINITY), point('ninf', Number.NEGATIVE_INFINITY), point('big', 1.7976931348623157e308));
        const latest = new Map((await store.getRun(runId))!.data.metrics.map((m) => [m.key, m.value]));
        expect(latest.get('nan')).toBeNaN();
        expect(latest.get('pinf')).toBe(Number.POSITIVE_INFINITY);
        expect(latest.get('ninf')).toBe(Number.NEGATIVE_INFINITY);
        expect(latest.get('big')).toBe(1.7976931348623157e308);
        const history = async (key: string): Promise<number[]> =>
          (await store.getMetricHistory(runId, key, { offset: 0, limit: 10 })).items.map((m) => m.value);
        expect(await history('nan')).toEqual([Number.NaN]);
        expect(await history('pinf')).toEqual([Number.POSITIVE_INFINITY]);
        expect(await history('ninf')).toEqual([Number.NEGATIVE_INFINITY]);
      });

      it('stores identical metric points once', async () => {
        const { runId } = await newRun(exp);
        await logMetrics(runId, point('m', 1, 0, T0), point('m', 1, 0, T0));
        await logMetrics(runId, point('m', 1, 0, T0));
        expect((await store.getMetricHistory(runId, 'm', { offset: 0, limit: 100 })).items).toHaveLength(1);
        await logMetrics(runId, point('m', 2, 0, T0));
        expect((await store.getMetricHistory(runId, 'm', { offset: 0, limit: 100 })).items.map((m) => m.value).toSorted()).toEqual([1, 2]);
      });

      it('accepts a param re-logged with the same value and rejects a different value atomically', async () => {
        const { runId } = await newRun(exp);
        await store.logBatch(runId, { metrics: [], params: [{ key: 'lr', value: '0.1' }], tags: [] });
        await store.logBatch(runId, { metrics: [], params: [{ key: 'lr', value: '0.1' }], tags: [] });
        await expectCode(store.logBatch(runId, {
          metrics: [point('atom', 1)],
          params: [{ key: 'fresh', value: '1' }, { key: 'lr', value: '0.2' }, { key: 'fresh2', value: '2' }],
          tags: [{ key: 't-atom', value: 'x' }],
        }), 'INVALID_PARAMETER_VALUE');
        const run = (await store.getRun(runId))!;
        expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
        expect(run.data.tags.map((t) => t.key)).not.toContain('t-atom');
        expect(run.data.metrics).toEqual([]);
        expect((await store.getMetricHistory(runId, 'atom', { offset: 0, limit: 10 })).items).toEqual([]);
      });

      it('overwrites run tags and deletes them', async () => {
        const { runId } = await newRun(exp, {}, [{ key: 'keep', value: 'k' }]);
        await store.logBatch(runId, { metrics: [], params: [], tags: [{ key: 'stage', value: 'dev' }] });
        await store.logBatch(runId, { metrics: [], params: [], tags: [{ key: 'stage', value: 'prod' }] });
        let tags = (await store.getRun(runId))!.data.tags;
        expect(tags.filter((t) => t.key === 'stage')).toEqual([{ key: 'stage', value: 'prod' }]);
        await store.deleteRunTag(runId, 'stage');
        tags = (await store.getRun(runId))!.data.tags;
        expect(tags.map((t) => t.key)).not.toContain('stage');
        expect(tags).toContainEqual({ key: 'keep', value: 'k' });
        await expectCode(store.deleteRunTag(runId, 'stage'), 'RESOURCE_DOES_NOT_EXIST');
        await expectCode(store.deleteRunTag(newRunId(), 'keep'), 'RESOURCE_DOES_NOT_EXIST');
      });

      describe('metric history', () => {
        let runId = '';
        const expected = [[0, T0, 0], [1, T0 + 5, 1.5], [1, T0 + 10, 1], [2, T0 + 1, 2], [3, T0 + 3, 3], [4, T0 + 2, 4]];
        const triple = (m: Metric): number[] => [m.step, m.timestamp, m.value];

        beforeAll(async () => {
          runId = (await newRun(exp)).runId;
          await logMetrics(runId, point('h', 3, 3, T0 + 3), point('h', 1, 1, T0 + 10), point('h', 0, 0, T0));
          await logMetrics(runId, point('h', 4, 4, T0 + 2), point('h', 2, 2, T0 + 1), point('h', 1.5, 1, T0 + 5));
          await logMetrics(runId, point('other', 7, 1, T0));
        });

        it('lists a metric ordered by (step, timestamp)', async () => {
          const page = await store.getMetricHistory(runId, 'h', { offset: 0, limit: 100 });
          expect(page.items.map(triple)).toEqual(expected);
          expect(page.items.every((m) => m.key === 'h')).toBe(true);
          expect(page.nextOffset).toBeUndefined();
          expect(await store.getMetricHistory(runId, 'nope', { offset: 0, limit: 100 })).toEqual({ items: [] });
        });

        it('pages the history; the last page has no nextOffset', async () => {
          for (const limit of [1, 3, 4, 6]) {
            const pages = await allPages((offset) => store.getMetricHistory(runId, 'h', { offset, limit }));
            expect(pages.map((pg) => pg.length), `page sizes for limit=${limit}`).toEqual(
              range(Math.ceil(6 / limit)).map((i) => Math.min(limit, 6 - i * limit)),
            );
            expect(pages.flat().map(triple)).toEqual(expected);
          }
        });

        it('limits the history to an inclusive step range', async () => {
          const steps = async (r: { startStep?: number; endStep?: number }): Promise<number[][]> =>
            (await store.getMetricHistory(runId, 'h', { offset: 0, limit: 100, ...r })).items.map(triple);
          expect(await steps({ startStep: 1, endStep: 3 })).toEqual(expected.slice(1, 5));
          expect(await steps({ startStep: 3 })).toEqual(expected.slice(4));
          expect(await steps({ endStep: 1 })).toEqual(expected.slice(0, 3));
        });

        it('lists distinct steps and the points at given steps', async () => {
          expect(await store.getMetricSteps(runId, 'h', {})).toEqual([0, 1, 2, 3, 4]);
          expect(await store.getMetricSteps(runId, 'h', { startStep: 1, endStep: 3 })).toEqual([1, 2, 3]);
          expect(await store.getMetricSteps(runId, 'nope', {})).toEqual([]);
          expect(await store.getMetricSteps(runId, 'h', { maxSteps: 3 })).toEqual([0, 2, 4]);
          expect(await store.getMetricSteps(runId, 'h', { maxSteps: 2 })).toEqual([0, 4]);
          expect(await store.getMetricSteps(runId, 'h', { maxSteps: 1 })).toEqual([4]);
          expect(await store.getMetricSteps(runId, 'h', { maxSteps: 5 })).toEqual([0, 1, 2, 3, 4]);
          expect(await store.getMetricSteps(runId, 'h', { startStep: 1, endStep: 3, maxSteps: 2 })).toEqual([1, 3]);
          expect(await store.getMetricSteps(runId, 'nope', { maxSteps: 2 })).toEqual([]);
          const at = await store.getMetricAtSteps(runId, 'h', [3, 1, 99]);
          expect(at.map(triple).toSorted((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)).toEqual([expected[1], expected[2], expected[4]]);
          expect(at.every((m) => m.key === 'h')).toBe(true);
          expect(await store.getMetricAtSteps(runId, 'h', [])).toEqual([]);
        });
      });

      describe('inputs and outputs', () => {
        const training: DatasetInput = {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'iris', digest: 'abc123', sourceType: 'local', source: '{"uri": "/data/iris.csv"}', schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 150}' },
        };
        const plain: DatasetInput = { tags: [], dataset: { name: 'wine', digest: 'def456', sourceType: 'http', source: '{"url": "https://x/wine.csv"}' } };

        it('logs dataset inputs with their tags, once per run', async () => {
          const { runId } = await newRun(exp);
          await store.logInputs(runId, [training, plain], []);
          await store.logInputs(runId, [training], []);
          const inputs = (await store.getRun(runId))!.inputs.datasetInputs;
          const byName = new Map(inputs.map((i) => [i.dataset.name, i]));
          expect(inputs).toHaveLength(2);
          expect(byName.get('iris')).toEqual(training);
          expect(byName.get('wine')).toEqual(plain);
          await expectCode(store.logInputs(newRunId(), [plain], []), 'RESOURCE_DOES_NOT_EXIST');
        });

        it('logs model inputs and model outputs', async () => {
          const { runId } = await newRun(exp);
          const input = loggedModel(exp);
          const output = loggedModel(exp, { sourceRunId: runId });
          await store.createLoggedModel(input);
          await store.createLoggedModel(output);
          await store.logInputs(runId, [], [input.modelId]);
          await store.logOutputs(runId, [{ modelId: output.modelId, step: 3 }]);
          const run = (await store.getRun(runId))!;
          expect(run.inputs.modelInputs).toEqual([{ modelId: input.modelId }]);
          expect(run.outputs.modelOutputs).toEqual([{ modelId: output.modelId, step: 3 }]);
          await expectCode(store.logOutputs(newRunId(), [{ modelId: output.modelId, step: 0 }]), 'RESOURCE_DOES_NOT_EXIST');
        });

        it('de-duplicates datasets per experiment and summarises them', async () => {
          const e1 = await newExperiment();
          const e2 = await newExperiment();
          const r1 = await newRun(e1);
          const r2 = await newRun(e1);
          const r3 = await newRun(e2);
          await store.logInputs(r1.runId, [training, plain], []);
          await store.logInputs(r2.runId, [training], []);
          await store.logInputs(r3.runId, [training], []);
          const key = (s: { experimentId: string; name: string }): string => `${s.experimentId}/${s.name}`;
          const summaries = (await store.searchDatasets([e1, e2])).toSorted((a, b) => byteOrder(key(a), key(b)));
          expect(summaries).toEqual([
            { experimentId: e1, name: 'iris', digest: 'abc123', context: 'training' },
            { experimentId: e1, name: 'wine', digest: 'def456', context: null },
            { experimentId: e2, name: 'iris', digest: 'abc123', context: 'training' },
          ].toSorted((a, b) => byteOrder(key(a), key(b))));
          expect(await store.searchDatasets([e2])).toEqual([{ experimentId: e2, name: 'iris', digest: 'abc123', context: 'training' }]);
        });
      });
    });

    // ---------------------------------------------------------------------------------------
    describe('searchRuns', () => {
      let exp = '';
      let exp2 = '';
      const r = { A: '', B: '', C: '', D: '', Del: '', Other: '' };

      async function find(filter: Comparison[], orderBy: OrderBy[] = [], viewType: ViewType = 'ACTIVE_ONLY', experimentIds = [exp]): Promise<string[]> {
        const page = await store.searchRuns({ ...query({ filter, orderBy }), experimentIds, viewType });
        return page.items.map((run) => run.info.runId);
      }
      const set = async (filter: Comparison[]): Promise<string[]> => sorted(await find(filter));
      const ids = (...runs: string[]): string[] => sorted(runs);

      beforeAll(async () => {
        exp = await newExperiment();
        exp2 = await newExperiment();
        const ds = (name: string, digest: string): DatasetInput =>
          ({ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name, digest, sourceType: 'local', source: '{}' } });

        r.A = (await newRun(exp, { runName: 'alpha', status: 'FINISHED', startTime: T0 + 100, endTime: T0 + 150 }, [{ key: 'env', value: 'Prod' }, { key: 'team', value: 'ml' }])).runId;
        await store.logBatch(r.A, { metrics: [point('acc', 0.1, 0), point('acc', 0.9, 1), point('loss', 0.2)], params: [{ key: 'lr', value: '0.1' }, { key: 'opt', value: 'adam' }], tags: [] });
        await store.logInputs(r.A, [ds('ds-a', 'd1')], []);

        r.B = (await newRun(exp, { runName: 'beta', userId: 'bob', status: 'RUNNING', startTime: T0 + 300 }, [{ key: 'env', value: 'prod-eu' }])).runId;
        await store.logBatch(r.B, { metrics: [point('acc', 0.6)], params: [{ key: 'lr', value: '0.01' }], tags: [] });
        await store.logInputs(r.B, [ds('ds-b', 'd2')], []);

        r.C = (await newRun(exp, { runName: 'gamma', status: 'FAILED', startTime: T0 + 200, endTime: T0 + 250 }, [{ key: 'env', value: 'dev' }])).runId;
        await store.logBatch(r.C, { metrics: [point('acc', 0.95, 0), point('acc', 0.3, 1)], params: [{ key: 'lr', value: '0.001' }], tags: [] });

        r.D = (await newRun(exp, { runName: 'delta', status: 'FINISHED', startTime: T0 + 400, endTime: T0 + 450 })).runId;
        await store.logBatch(r.D, { metrics: [point('loss', 0.5)], params: [], tags: [] });

        r.Del = (await newRun(exp, { runName: 'deleted', startTime: T0 + 500 }, [{ key: 'env', value: 'Prod' }])).runId;
        await store.logBatch(r.Del, { metrics: [point('acc', 0.99)], params: [{ key: 'lr', value: '0.1' }], tags: [] });
        await store.setRunLifecycle(r.Del, 'deleted', T0 + 600);

        r.Other = (await newRun(exp2, { runName: 'alpha', startTime: T0 + 100 })).runId;
        await store.logBatch(r.Other, { metrics: [point('acc', 0.99)], params: [], tags: [] });
      });

      it('searches only the given experiments and honours the view type', async () => {
        expect(await set([])).toEqual(ids(r.A, r.B, r.C, r.D));
        expect(sorted(await find([], [], 'ACTIVE_ONLY', [exp, exp2]))).toEqual(ids(r.A, r.B, r.C, r.D, r.Other));
        expect(await find([], [], 'DELETED_ONLY')).toEqual([r.Del]);
        expect(sorted(await find([], [], 'ALL'))).toEqual(ids(r.A, r.B, r.C, r.D, r.Del));
      });

      it('returns full runs: info, latest metrics, params and tags', async () => {
        const page = await store.searchRuns({ ...query({ filter: [attr('run_id', '=', r.A)] }), experimentIds: [exp], viewType: 'ACTIVE_ONLY' });
        expect(page.items).toHaveLength(1);
        const run = page.items[0]!;
        expect(run.info).toEqual(runInfo(exp, { runId: r.A, runName: 'alpha', status: 'FINISHED', startTime: T0 + 100, endTime: T0 + 150 }));
        expect(sortKv(run.data.params)).toEqual([{ key: 'lr', value: '0.1' }, { key: 'opt', value: 'adam' }]);
        expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'env', value: 'Prod' }, { key: 'team', value: 'ml' }]));
        const acc = run.data.metrics.find((m) => m.key === 'acc');
        expect(acc).toMatchObject(point('acc', 0.9, 1));
      });

      it('filters on latest metric values with numeric comparators', async () => {
        expect(await set([metric('acc', '>', 0.5)])).toEqual(ids(r.A, r.B));
        expect(await set([metric('acc', '>=', 0.6)])).toEqual(ids(r.A, r.B));
        expect(await set([metric('acc', '<', 0.5)])).toEqual(ids(r.C));
        expect(await set([metric('acc', '<=', 0.6)])).toEqual(ids(r.B, r.C));
        expect(await set([metric('acc', '=', 0.6)])).toEqual(ids(r.B));
        expect(await set([metric('acc', '!=', 0.6)])).toEqual(ids(r.A, r.C));
        expect(await set([metric('loss', '>', 0)])).toEqual(ids(r.A, r.D));
        expect(await set([metric('nope', '!=', 1)])).toEqual([]);
      });

      it('filters on params', async () => {
        expect(await set([param('lr', '=', '0.1')])).toEqual(ids(r.A));
        expect(await set([param('lr', '!=', '0.1')])).toEqual(ids(r.B, r.C));
        expect(await set([param('lr', 'LIKE', '0.0%')])).toEqual(ids(r.B, r.C));
        expect(await set([param('lr', 'LIKE', '%1')])).toEqual(ids(r.A, r.B, r.C));
        expect(await set([param('opt', 'LIKE', 'ADAM')])).toEqual([]);
        expect(await set([param('opt', 'ILIKE', 'ADAM')])).toEqual(ids(r.A));
        expect(await set([param('opt', '!=', 'sgd')])).toEqual(ids(r.A));
      });

      it('filters on tags with =, !=, case-sensitive LIKE and ILIKE', async () => {
        expect(await set([tag('env', '=', 'Prod')])).toEqual(ids(r.A));
        expect(await set([tag('env', '!=', 'dev')])).toEqual(ids(r.A, r.B));
        expect(await set([tag('env', 'LIKE', 'prod%')])).toEqual(ids(r.B));
        expect(await set([tag('env', 'LIKE', 'Prod')])).toEqual(ids(r.A));
        expect(await set([tag('env', 'LIKE', '_rod%')])).toEqual(ids(r.A, r.B));
        expect(await set([tag('env', 'ILIKE', 'PROD%')])).toEqual(ids(r.A, r.B));
        expect(await set([tag('team', '!=', 'other')])).toEqual(ids(r.A));
      });

      it('filters on attributes', async () => {
        expect(await set([attr('run_name', '=', 'alpha')])).toEqual(ids(r.A));
        expect(await set([attr('run_name', '!=', 'alpha')])).toEqual(ids(r.B, r.C, r.D));
        expect(await set([attr('run_name', 'LIKE', 'GAM%')])).toEqual([]);
        expect(await set([attr('run_name', 'ILIKE', 'GAM%')])).toEqual(ids(r.C));
        expect(await set([attr('status', '=', 'FINISHED')])).toEqual(ids(r.A, r.D));
        expect(await set([attr('status', '!=', 'RUNNING')])).toEqual(ids(r.A, r.C, r.D));
        expect(await set([attr('user_id', '=', 'bob')])).toEqual(ids(r.B));
        expect(await set([attr('start_time', '>', T0 + 200)])).toEqual(ids(r.B, r.D));
        expect(await set([attr('start_time', '<=', T0 + 200)])).toEqual(ids(r.A, r.C));
        expect(await set([attr('end_time', '>=', T0 + 250)])).toEqual(ids(r.C, r.D));
        expect(await set([attr('run_id', '=', r.B)])).toEqual(ids(r.B));
        expect(await set([attr('run_id', 'IN', [r.A, r.C, r.Other])])).toEqual(ids(r.A, r.C));
        expect(await set([attr('run_id', 'NOT IN', [r.A])])).toEqual(ids(r.B, r.C, r.D));
      });

      it('filters on datasets', async () => {
        expect(await set([dataset('name', '=', 'ds-a')])).toEqual(ids(r.A));
        expect(await set([dataset('name', 'IN', ['ds-a', 'ds-b', 'ds-z'])])).toEqual(ids(r.A, r.B));
        expect(await set([dataset('name', '!=', 'ds-a')])).toEqual(ids(r.B));
        expect(await set([dataset('digest', '=', 'd2')])).toEqual(ids(r.B));
      });

      it('ANDs the clauses of a filter', async () => {
        expect(await set([metric('acc', '>', 0.5), param('lr', '=', '0.01')])).toEqual(ids(r.B));
        expect(await set([attr('status', '=', 'FINISHED'), metric('acc', '>', 0.5)])).toEqual(ids(r.A));
        expect(await set([tag('env', 'ILIKE', 'prod%'), attr('start_time', '<', T0 + 200)])).toEqual(ids(r.A));
      });

      it('orders by start_time DESC by default, ties broken by run_id ASC', async () => {
        expect(await find([])).toEqual([r.D, r.B, r.C, r.A]);
        const tieExp = await newExperiment();
        const tied = sorted([newRunId(), newRunId(), newRunId()]);
        for (const runId of tied.toReversed()) await newRun(tieExp, { runId, startTime: T0 + 5 });
        const early = await newRun(tieExp, { startTime: T0 + 1 });
        const later = await newRun(tieExp, { startTime: T0 + 9 });
        expect(await find([], [], 'ACTIVE_ONLY', [tieExp])).toEqual([later.runId, ...tied, early.runId]);
      });

      it('orders by a metric with missing values last in both directions', async () => {
        expect(await find([], [order('metric', 'acc', false)])).toEqual([r.A, r.B, r.C, r.D]);
        expect(await find([], [order('metric', 'acc', true)])).toEqual([r.C, r.B, r.A, r.D]);
      });

      it('orders NaN metric values after numbers and before missing values', async () => {
        const e = await newExperiment();
        const two = await newRun(e, { startTime: T0 + 1 });
        const one = await newRun(e, { startTime: T0 + 2 });
        const nan = await newRun(e, { startTime: T0 + 3 });
        const none = await newRun(e, { startTime: T0 + 4 });
        await logMetrics(two.runId, point('score', 2));
        await logMetrics(one.runId, point('score', 1));
        await logMetrics(nan.runId, point('score', Number.NaN));
        await logMetrics(none.runId, point('other', 1));
        const ordered = (ascending: boolean): Promise<string[]> => find([], [order('metric', 'score', ascending)], 'ACTIVE_ONLY', [e]);
        expect(await ordered(false)).toEqual([two.runId, one.runId, nan.runId, none.runId]);
        expect(await ordered(true)).toEqual([one.runId, two.runId, nan.runId, none.runId]);
      });

      it('orders by a param with missing values last', async () => {
        expect(await find([], [order('param', 'lr', true)])).toEqual([r.C, r.B, r.A, r.D]);
        expect(await find([], [order('param', 'lr', false)])).toEqual([r.A, r.B, r.C, r.D]);
      });

      it('orders by attributes, ties broken by start_time DESC', async () => {
        expect(await find([], [order('attribute', 'run_name', true)])).toEqual([r.A, r.B, r.D, r.C]);
        expect(await find([], [order('attribute', 'start_time', true)])).toEqual([r.A, r.C, r.B, r.D]);
        expect(await find([], [order('attribute', 'status', true)])).toEqual([r.C, r.D, r.A, r.B]);
      });

      it('orders by a tag', async () => {
        expect(await find([tag('env', '!=', 'Prod')], [order('tag', 'env', true)])).toEqual([r.C, r.B]);
        expect(await find([tag('env', '!=', 'Prod')], [order('tag', 'env', false)])).toEqual([r.B, r.C]);
      });

      it('pages results; the last page has no nextOffset', async () => {
        for (const orderBy of [[], [order('metric', 'acc', false)]]) {
          const all = await find([], orderBy);
          for (const size of [1, 2, 3, 4]) {
            const pages = await allPages(async (offset) => {
              const page = await store.searchRuns({ ...query({ orderBy, maxResults: size, offset }), experimentIds: [exp], viewType: 'ACTIVE_ONLY' });
              return { ...page, items: page.items.map((run) => run.info.runId) };
            });
            expect(pages.map((pg) => pg.length), `page sizes for maxResults=${size}`).toEqual(
              range(Math.ceil(4 / size)).map((i) => Math.min(size, 4 - i * size)),
            );
            expect(pages.flat()).toEqual(all);
          }
        }
      });
    });

    // ---------------------------------------------------------------------------------------
    describe('logged models', () => {
      let exp = '';
      beforeAll(async () => {
        exp = await newExperiment();
      });

      const normal = (m: LoggedModel | null): LoggedModel | null => m && { ...m, tags: sortKv(m.tags), params: sortKv(m.params) };

      it('creates a logged model and reads it back', async () => {
        const { runId } = await newRun(exp);
        const model = loggedModel(exp, {
          name: 'clf', sourceRunId: runId, creationTimestampMs: T0 + 3, lastUpdatedTimestampMs: T0 + 3,
          tags: [{ key: 'mlflow.source.name', value: 'train.py' }, { key: 'k', value: 'v' }],
          params: [{ key: 'alpha', value: '0.5' }, { key: 'depth', value: '3' }],
        });
        await store.createLoggedModel(model);
        const expected = { ...model, lifecycleStage: 'active' as const, metrics: [] };
        expect(normal(await store.getLoggedModel(model.modelId, false))).toEqual(normal(expected));
        expect(normal(await store.getLoggedModel(model.modelId, true))).toEqual(normal(expected));
        const bare = loggedModel(exp, { creatorId: null, modelType: null });
        await store.createLoggedModel(bare);
        expect(await store.getLoggedModel(bare.modelId, false)).toEqual({ ...bare, lifecycleStage: 'active', metrics: [] });
        expect(await store.getLoggedModel('m-unknown', false)).toBeNull();
        expect(await store.getLoggedModel('m-unknown', true)).toBeNull();
      });

      it('updates status and status message', async () => {
        const model = loggedModel(exp);
        await store.createLoggedModel(model);
        await store.updateLoggedModel(model.modelId, { status: 'LOGGED_MODEL_READY', time: T0 + 10 });
        let got = await store.getLoggedModel(model.modelId, false);
        expect(got).toMatchObject({ status: 'LOGGED_MODEL_READY', statusMessage: null, lastUpdatedTimestampMs: T0 + 10, creationTimestampMs: T0 });
        await store.updateLoggedModel(model.modelId, { status: 'LOGGED_MODEL_UPLOAD_FAILED', statusMessage: 'disk full', time: T0 + 20 });
        got = await store.getLoggedModel(model.modelId, false);
        expect(got).toMatchObject({ status: 'LOGGED_MODEL_UPLOAD_FAILED', statusMessage: 'disk full', lastUpdatedTimestampMs: T0 + 20 });
        await expectCode(store.updateLoggedModel('m-unknown', { status: 'LOGGED_MODEL_READY', time: T0 }), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('sets, overwrites and deletes tags', async () => {
        const model = loggedModel(exp, { tags: [{ key: 'a', value: '1' }] });
        await store.createLoggedModel(model);
        await store.setLoggedModelTags(model.modelId, [{ key: 'a', value: 'one' }, { key: 'b', value: '2' }], T0 + 1);
        expect(sortKv((await store.getLoggedModel(model.modelId, false))!.tags)).toEqual([{ key: 'a', value: 'one' }, { key: 'b', value: '2' }]);
        await store.deleteLoggedModelTag(model.modelId, 'a');
        expect((await store.getLoggedModel(model.modelId, false))!.tags).toEqual([{ key: 'b', value: '2' }]);
        await expectCode(store.deleteLoggedModelTag(model.modelId, 'a'), 'RESOURCE_DOES_NOT_EXIST');
        await expectCode(store.setLoggedModelTags('m-unknown', [{ key: 'a', value: '1' }], T0), 'RESOURCE_DOES_NOT_EXIST');
        await expectCode(store.deleteLoggedModelTag('m-unknown', 'b'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('adds params and rejects a changed value without storing anything of that call', async () => {
        const model = loggedModel(exp, { params: [{ key: 'a', value: '1' }] });
        await store.createLoggedModel(model);
        await store.logLoggedModelParams(model.modelId, [{ key: 'b', value: '2' }, { key: 'a', value: '1' }]);
        expect(sortKv((await store.getLoggedModel(model.modelId, false))!.params)).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
        await expectCode(store.logLoggedModelParams(model.modelId, [{ key: 'c', value: '3' }, { key: 'a', value: 'changed' }]), 'INVALID_PARAMETER_VALUE');
        expect(sortKv((await store.getLoggedModel(model.modelId, false))!.params)).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
        await expectCode(store.logLoggedModelParams('m-unknown', [{ key: 'a', value: '1' }]), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('soft-deletes: hidden unless allowDeleted', async () => {
        const model = loggedModel(exp);
        await store.createLoggedModel(model);
        await store.deleteLoggedModel(model.modelId, T0 + 5);
        expect(await store.getLoggedModel(model.modelId, false)).toBeNull();
        expect((await store.getLoggedModel(model.modelId, true))?.lifecycleStage).toBe('deleted');
        await expectCode(store.deleteLoggedModel('m-unknown', T0), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('shows metrics logged with a model id on the model, with their run id and dataset', async () => {
        const { runId } = await newRun(exp);
        const model = loggedModel(exp, { sourceRunId: runId });
        await store.createLoggedModel(model);
        await store.logBatch(runId, {
          metrics: [
            { key: 'acc', value: 0.9, timestamp: T0 + 1, step: 2, modelId: model.modelId, datasetName: 'eval', datasetDigest: 'dg1' },
            point('run-only', 1),
          ],
          params: [], tags: [],
        });
        const got = (await store.getLoggedModel(model.modelId, false))!;
        expect(got.metrics).toHaveLength(1);
        expect(got.metrics[0]).toMatchObject({ key: 'acc', value: 0.9, timestamp: T0 + 1, step: 2, runId, datasetName: 'eval', datasetDigest: 'dg1' });
        const history = await store.getMetricHistory(runId, 'acc', { offset: 0, limit: 10 });
        expect(history.items.map((m) => [m.step, m.value])).toEqual([[2, 0.9]]);
      });

      describe('searchLoggedModels', () => {
        let e = '';
        const m = { alpha: '', beta: '', gamma: '', deleted: '', elsewhere: '' };
        async function search(over: Partial<SearchQuery> = {}, datasets: { name: string; digest?: string }[] = [], experimentIds = [e]): Promise<string[]> {
          const page = await store.searchLoggedModels({ ...query(over), experimentIds, datasets });
          return page.items.map((x) => x.modelId);
        }

        beforeAll(async () => {
          e = await newExperiment();
          const other = await newExperiment();
          const { runId } = await newRun(e);
          const make = async (experimentId: string, name: string, time: number, acc: number, ds: string, extra: Partial<LoggedModel> = {}): Promise<string> => {
            const model = loggedModel(experimentId, { name, creationTimestampMs: time, lastUpdatedTimestampMs: time, sourceRunId: runId, ...extra });
            await store.createLoggedModel(model);
            await store.logBatch(runId, { metrics: [{ key: 'acc', value: acc, timestamp: time, step: 0, modelId: model.modelId, datasetName: ds, datasetDigest: `${ds}-digest` }], params: [], tags: [] });
            return model.modelId;
          };
          m.alpha = await make(e, 'alpha', T0 + 1, 0.9, 'ds1', { params: [{ key: 'p', value: '1' }], tags: [{ key: 'k', value: 'a' }] });
          m.beta = await make(e, 'beta', T0 + 2, 0.4, 'ds1', { params: [{ key: 'p', value: '2' }] });
          m.gamma = await make(e, 'gamma', T0 + 3, 0.8, 'ds2', { tags: [{ key: 'k', value: 'b' }] });
          m.deleted = await make(e, 'deleted', T0 + 4, 0.99, 'ds1');
          await store.deleteLoggedModel(m.deleted, T0 + 5);
          m.elsewhere = await make(other, 'alpha', T0 + 1, 0.99, 'ds1');
          await store.updateLoggedModel(m.alpha, { status: 'LOGGED_MODEL_READY', time: T0 + 1 });
        });

        it('returns the live models of the given experiments', async () => {
          expect(sorted(await search())).toEqual(sorted([m.alpha, m.beta, m.gamma]));
        });

        it('filters on attributes, metrics, params and tags', async () => {
          expect(await search({ filter: [attr('name', '=', 'beta')] })).toEqual([m.beta]);
          expect(await search({ filter: [attr('status', '=', 'LOGGED_MODEL_READY')] })).toEqual([m.alpha]);
          expect(sorted(await search({ filter: [metric('acc', '>', 0.5)] }))).toEqual(sorted([m.alpha, m.gamma]));
          expect(await search({ filter: [param('p', '=', '2')] })).toEqual([m.beta]);
          expect(await search({ filter: [tag('k', '=', 'b')] })).toEqual([m.gamma]);
        });

        it('scopes metric filters to the given datasets', async () => {
          expect(await search({ filter: [metric('acc', '>', 0.5)] }, [{ name: 'ds1' }])).toEqual([m.alpha]);
          expect(await search({ filter: [metric('acc', '>', 0.5)] }, [{ name: 'ds2', digest: 'ds2-digest' }])).toEqual([m.gamma]);
        });

        it('orders by attribute and metric', async () => {
          expect(await search({ orderBy: [order('attribute', 'name', false)] })).toEqual([m.gamma, m.beta, m.alpha]);
          expect(await search({ orderBy: [order('attribute', 'creation_timestamp', true)] })).toEqual([m.alpha, m.beta, m.gamma]);
          expect(await search({ orderBy: [order('metric', 'acc', false)] })).toEqual([m.alpha, m.gamma, m.beta]);
        });

        it('pages; the last page has no nextOffset', async () => {
          const orderBy = [order('attribute', 'name', true)];
          for (const size of [1, 2, 3]) {
            const pages = await allPages(async (offset) => {
              const page = await store.searchLoggedModels({ ...query({ orderBy, maxResults: size, offset }), experimentIds: [e], datasets: [] });
              return { ...page, items: page.items.map((x) => x.modelId) };
            });
            expect(pages.map((pg) => pg.length), `page sizes for maxResults=${size}`).toEqual(
              range(Math.ceil(3 / size)).map((i) => Math.min(size, 3 - i * size)),
            );
            expect(pages.flat()).toEqual([m.alpha, m.beta, m.gamma]);
          }
        });
      });
    });

    // ---------------------------------------------------------------------------------------
    describe('model registry', () => {
      async function newModel(over: { name?: string; time?: number; description?: string | null; tags?: KeyValue[] } = {}): Promise<string> {
        const name = over.name ?? unique('rm');
        await store.createRegisteredModel({ name, description: over.description ?? null, tags: over.tags ?? [], time: over.time ?? T0 });
        return name;
      }
      const versionsOf = async (name: string): Promise<number[]> =>
        (await store.searchModelVersions(query({ filter: [attr('name', '=', name)] }))).items.map((v) => v.version).toSorted((a, b) => a - b);

      it('creates a registered model and reads it back', async () => {
        const name = unique('rm');
        const tags = [{ key: 'team', value: 'ml' }, { key: 'a', value: 'b' }];
        const created = await store.createRegisteredModel({ name, description: 'first', tags, time: T0 + 1 });
        const expected = { name, creationTimestamp: T0 + 1, lastUpdatedTimestamp: T0 + 1, description: 'first', tags: sortKv(tags), aliases: [], latestVersions: [] };
        expect({ ...created, tags: sortKv(created.tags) }).toEqual(expected);
        const got = await store.getRegisteredModel(name);
        expect(got && { ...got, tags: sortKv(got.tags) }).toEqual(expected);
        expect(await store.getRegisteredModel(unique('missing'))).toBeNull();
      });

      it('rejects a duplicate name with RESOURCE_ALREADY_EXISTS', async () => {
        const name = await newModel({ description: 'original' });
        await expectCode(newModel({ name, description: 'second' }), 'RESOURCE_ALREADY_EXISTS');
        expect((await store.getRegisteredModel(name))?.description).toBe('original');
      });

      it('updates the description', async () => {
        const name = await newModel({ time: T0 });
        const updated = await store.updateRegisteredModel(name, 'better', T0 + 9);
        expect(updated).toMatchObject({ name, description: 'better', creationTimestamp: T0, lastUpdatedTimestamp: T0 + 9 });
        expect(await store.getRegisteredModel(name)).toMatchObject({ description: 'better', lastUpdatedTimestamp: T0 + 9 });
      });

      it('renames a model; versions, tags and aliases follow', async () => {
        const name = await newModel({ tags: [{ key: 't', value: '1' }] });
        await store.createModelVersion(version(name));
        await store.createModelVersion(version(name));
        await store.setAlias(name, 'champion', 2, T0 + 1);
        const newName = unique('renamed');
        const renamed = await store.renameRegisteredModel(name, newName, T0 + 2);
        expect(renamed.name).toBe(newName);
        expect(renamed.lastUpdatedTimestamp).toBe(T0 + 2);
        expect(await store.getRegisteredModel(name)).toBeNull();
        const got = (await store.getRegisteredModel(newName))!;
        expect(got.tags).toEqual([{ key: 't', value: '1' }]);
        expect(got.aliases).toEqual([{ alias: 'champion', version: 2 }]);
        expect((await store.getModelVersion(newName, 1))?.name).toBe(newName);
        expect(await store.getModelVersion(name, 1)).toBeNull();
        expect((await store.getModelVersionByAlias(newName, 'champion'))?.version).toBe(2);
        expect(await versionsOf(newName)).toEqual([1, 2]);
        expect(await versionsOf(name)).toEqual([]);
        expect((await store.createModelVersion(version(newName))).version).toBe(3);
      });

      it('refuses to rename onto a taken name', async () => {
        const a = await newModel();
        const b = await newModel();
        await expectCode(store.renameRegisteredModel(a, b, T0), 'RESOURCE_ALREADY_EXISTS');
        expect(await store.getRegisteredModel(a)).not.toBeNull();
      });

      it('deletes a model with its versions, tags and aliases', async () => {
        const name = await newModel({ tags: [{ key: 't', value: '1' }] });
        await store.createModelVersion(version(name, { tags: [{ key: 'vt', value: 'x' }] }));
        await store.createModelVersion(version(name));
        await store.setAlias(name, 'prod', 1, T0);
        await store.deleteRegisteredModel(name);
        expect(await store.getRegisteredModel(name)).toBeNull();
        expect(await store.getModelVersion(name, 1)).toBeNull();
        expect(await store.getModelVersion(name, 2)).toBeNull();
        expect(await store.getModelVersionByAlias(name, 'prod')).toBeNull();
        expect(await versionsOf(name)).toEqual([]);
        const again = await store.createRegisteredModel({ name, description: null, tags: [], time: T0 + 1 });
        expect(again).toMatchObject({ tags: [], aliases: [], latestVersions: [] });
        const v1 = await store.createModelVersion(version(name));
        expect(v1.version).toBe(1);
        expect(v1.tags).toEqual([]);
        expect(v1.aliases).toEqual([]);
      });

      it('sets, overwrites and deletes registered model tags', async () => {
        const name = await newModel();
        await store.setRegisteredModelTag(name, { key: 'a', value: '1' }, T0 + 1);
        await store.setRegisteredModelTag(name, { key: 'a', value: '2' }, T0 + 2);
        await store.setRegisteredModelTag(name, { key: 'b', value: '3' }, T0 + 3);
        expect(sortKv((await store.getRegisteredModel(name))!.tags)).toEqual([{ key: 'a', value: '2' }, { key: 'b', value: '3' }]);
        await store.deleteRegisteredModelTag(name, 'a');
        expect((await store.getRegisteredModel(name))!.tags).toEqual([{ key: 'b', value: '3' }]);
        await expectCode(store.deleteRegisteredModelTag(name, 'a'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('searches registered models by name and tag, with order and paging', async () => {
        const p = unique('rs');
        const inP = attr('name', 'LIKE', `${p}%`);
        const names = async (over: Partial<SearchQuery>): Promise<string[]> =>
          (await store.searchRegisteredModels(query(over))).items.map((x) => x.name);
        await newModel({ name: `${p}b`, time: T0 + 1, tags: [{ key: 'team', value: 'Vision' }] });
        await newModel({ name: `${p}c`, time: T0 + 2 });
        await newModel({ name: `${p}a`, time: T0 + 3 });
        await store.updateRegisteredModel(`${p}c`, 'touched', T0 + 10);

        expect(await names({ filter: [inP] })).toEqual([`${p}a`, `${p}b`, `${p}c`]);
        expect(await names({ filter: [attr('name', 'LIKE', `${p.toUpperCase()}%`)] })).toEqual([]);
        expect(await names({ filter: [attr('name', 'ILIKE', `${p.toUpperCase()}%`)] })).toEqual([`${p}a`, `${p}b`, `${p}c`]);
        expect(await names({ filter: [attr('name', '=', `${p}b`)] })).toEqual([`${p}b`]);
        expect(await names({ filter: [inP, tag('team', '=', 'Vision')] })).toEqual([`${p}b`]);
        expect(await names({ filter: [inP, tag('team', 'ILIKE', 'vis%')] })).toEqual([`${p}b`]);
        expect(await names({ filter: [inP], orderBy: [order('attribute', 'name', false)] })).toEqual([`${p}c`, `${p}b`, `${p}a`]);
        expect(await names({ filter: [inP], orderBy: [order('attribute', 'last_updated_timestamp', false)] })).toEqual([`${p}c`, `${p}a`, `${p}b`]);
        expect(await names({ filter: [inP], orderBy: [order('attribute', 'creation_timestamp', true)] })).toEqual([`${p}b`, `${p}c`, `${p}a`]);
        for (const size of [1, 2, 3]) {
          const pages = await allPages(async (offset) => {
            const page = await store.searchRegisteredModels(query({ filter: [inP], maxResults: size, offset }));
            return { ...page, items: page.items.map((x) => x.name) };
          });
          expect(pages.map((pg) => pg.length), `page sizes for maxResults=${size}`).toEqual(
            range(Math.ceil(3 / size)).map((i) => Math.min(size, 3 - i * size)),
          );
          expect(pages.flat()).toEqual([`${p}a`, `${p}b`, `${p}c`]);
        }
      });

      it('numbers versions 1, 2, 3 and round-trips every field', async () => {
        const name = await newModel();
        const input = version(name, {
          source: 'models:/m-123', storageLocation: 'mlflow-artifacts:/4/models/m-123/artifacts', runId: newRunId(),
          runLink: 'http://example/run', description: 'v1', userId: 'alice', modelId: 'm-123',
          tags: [{ key: 'k', value: 'v' }, { key: 'a', value: 'b' }], time: T0 + 4,
        });
        const v1 = await store.createModelVersion(input);
        expect({ ...v1, tags: sortKv(v1.tags) }).toEqual({
          name, version: 1, creationTimestamp: T0 + 4, lastUpdatedTimestamp: T0 + 4, userId: 'alice', currentStage: 'None',
          description: 'v1', source: 'models:/m-123', storageLocation: 'mlflow-artifacts:/4/models/m-123/artifacts',
          runId: input.runId, runLink: 'http://example/run', status: 'READY', statusMessage: null, modelId: 'm-123',
          tags: sortKv(input.tags), aliases: [],
        } satisfies ModelVersion);
        const got = await store.getModelVersion(name, 1);
        expect(got && { ...got, tags: sortKv(got.tags) }).toEqual({ ...v1, tags: sortKv(v1.tags) });
        expect((await store.createModelVersion(version(name))).version).toBe(2);
        expect((await store.createModelVersion(version(name))).version).toBe(3);
        expect(await store.getModelVersion(name, 4)).toBeNull();
        expect(await store.getModelVersion(unique('missing'), 1)).toBeNull();
      });

      it('numbers concurrent creates 1..20 without gaps or duplicates', async () => {
        const name = await newModel();
        const created = await Promise.all(range(20).map((i) => store.createModelVersion(version(name, { time: T0 + i }))));
        expect(created.map((v) => v.version).toSorted((a, b) => a - b)).toEqual(range(20).map((i) => i + 1));
        expect(await versionsOf(name)).toEqual(range(20).map((i) => i + 1));
      });

      it('updates a version description', async () => {
        const name = await newModel();
        await store.createModelVersion(version(name, { time: T0 }));
        const updated = await store.updateModelVersion(name, 1, 'described', T0 + 7);
        expect(updated).toMatchObject({ name, version: 1, description: 'described', lastUpdatedTimestamp: T0 + 7, creationTimestamp: T0 });
        expect((await store.getModelVersion(name, 1))?.description).toBe('described');
      });

      it('transitions stages, archiving the versions already in the target stage on request', async () => {
        const name = await newModel();
        for (const _ of range(4)) await store.createModelVersion(version(name));
        const stageOf = async (v: number): Promise<string | undefined> => (await store.getModelVersion(name, v))?.currentStage;
        const moved = await store.transitionModelVersionStage(name, 1, 'Production', false, T0 + 1);
        expect(moved).toMatchObject({ version: 1, currentStage: 'Production', lastUpdatedTimestamp: T0 + 1 });
        await store.transitionModelVersionStage(name, 4, 'Staging', false, T0 + 2);
        await store.transitionModelVersionStage(name, 2, 'Production', false, T0 + 3);
        expect(await stageOf(1)).toBe('Production');
        expect(await stageOf(2)).toBe('Production');
        await store.transitionModelVersionStage(name, 3, 'Production', true, T0 + 4);
        expect(await stageOf(1)).toBe('Archived');
        expect(await stageOf(2)).toBe('Archived');
        expect(await stageOf(3)).toBe('Production');
        expect(await stageOf(4)).toBe('Staging');
      });

      it('returns the latest version per stage', async () => {
        const name = await newModel();
        for (const _ of range(4)) await store.createModelVersion(version(name));
        await store.transitionModelVersionStage(name, 3, 'Production', false, T0 + 1);
        await store.transitionModelVersionStage(name, 1, 'Staging', false, T0 + 2);
        const pairs = (vs: ModelVersion[]): string[] => vs.map((v) => `${v.currentStage}:${v.version}`).toSorted();
        expect(pairs(await store.getLatestVersions(name, []))).toEqual(['None:4', 'Production:3', 'Staging:1']);
        expect(pairs(await store.getLatestVersions(name, ['Production']))).toEqual(['Production:3']);
        expect(pairs(await store.getLatestVersions(name, ['Production', 'None']))).toEqual(['None:4', 'Production:3']);
        expect(pairs(await store.getLatestVersions(name, ['Archived']))).toEqual([]);
        expect(pairs((await store.getRegisteredModel(name))!.latestVersions)).toEqual(['None:4', 'Production:3', 'Staging:1']);
      });

      it('deletes a version with its aliases and never reuses its number', async () => {
        const name = await newModel();
        for (const _ of range(3)) await store.createModelVersion(version(name));
        await store.setAlias(name, 'champion', 3, T0);
        await store.setAlias(name, 'stable', 1, T0);
        await store.deleteModelVersion(name, 3);
        expect(await store.getModelVersion(name, 3)).toBeNull();
        expect(await store.getModelVersionByAlias(name, 'champion')).toBeNull();
        const model = (await store.getRegisteredModel(name))!;
        expect(model.aliases).toEqual([{ alias: 'stable', version: 1 }]);
        expect(model.latestVersions.map((v) => v.version)).toEqual([2]);
        expect(await versionsOf(name)).toEqual([1, 2]);
        expect((await store.getLatestVersions(name, [])).map((v) => v.version)).toEqual([2]);
        expect((await store.createModelVersion(version(name))).version).toBe(4);
        await expectCode(store.deleteModelVersion(name, 3), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('sets, overwrites and deletes version tags', async () => {
        const name = await newModel();
        await store.createModelVersion(version(name, { tags: [{ key: 'a', value: '1' }] }));
        await store.createModelVersion(version(name));
        await store.setModelVersionTag(name, 1, { key: 'a', value: '2' });
        await store.setModelVersionTag(name, 1, { key: 'b', value: '3' });
        expect(sortKv((await store.getModelVersion(name, 1))!.tags)).toEqual([{ key: 'a', value: '2' }, { key: 'b', value: '3' }]);
        expect((await store.getModelVersion(name, 2))!.tags).toEqual([]);
        await store.deleteModelVersionTag(name, 1, 'a');
        expect((await store.getModelVersion(name, 1))!.tags).toEqual([{ key: 'b', value: '3' }]);
        await expectCode(store.deleteModelVersionTag(name, 1, 'a'), 'RESOURCE_DOES_NOT_EXIST');
        await expectCode(store.deleteModelVersionTag(name, 2, 'b'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('sets, moves and deletes aliases', async () => {
        const name = await newModel();
        await store.createModelVersion(version(name));
        await store.createModelVersion(version(name));
        await store.setAlias(name, 'champion', 1, T0 + 1);
        expect((await store.getModelVersionByAlias(name, 'champion'))).toMatchObject({ name, version: 1, aliases: ['champion'] });
        expect((await store.getRegisteredModel(name))!.aliases).toEqual([{ alias: 'champion', version: 1 }]);
        await store.setAlias(name, 'champion', 2, T0 + 2);
        await store.setAlias(name, 'challenger', 2, T0 + 3);
        expect((await store.getModelVersionByAlias(name, 'champion'))?.version).toBe(2);
        expect((await store.getModelVersion(name, 1))!.aliases).toEqual([]);
        expect(sorted((await store.getModelVersion(name, 2))!.aliases)).toEqual(['challenger', 'champion']);
        const rmAliases = (await store.getRegisteredModel(name))!.aliases;
        expect([...rmAliases].toSorted((a, b) => byteOrder(a.alias, b.alias))).toEqual([{ alias: 'challenger', version: 2 }, { alias: 'champion', version: 2 }]);
        await store.deleteAlias(name, 'champion');
        expect(await store.getModelVersionByAlias(name, 'champion')).toBeNull();
        expect((await store.getModelVersion(name, 2))!.aliases).toEqual(['challenger']);
        await expectCode(store.deleteAlias(name, 'champion'), 'RESOURCE_DOES_NOT_EXIST');
        expect(await store.getModelVersionByAlias(name, 'nope')).toBeNull();
        expect(await store.getModelVersionByAlias(unique('missing'), 'champion')).toBeNull();
        await expectCode(store.setAlias(name, 'ghost', 99, T0), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('searches model versions by name, run_id, version number and tag', async () => {
        const name = await newModel();
        const other = await newModel();
        const run1 = newRunId();
        const run2 = newRunId();
        await store.createModelVersion(version(name, { runId: run1, tags: [{ key: 'stage', value: 'candidate' }] }));
        await store.createModelVersion(version(name, { runId: run2 }));
        await store.createModelVersion(version(name, { runId: run1 }));
        await store.createModelVersion(version(other, { runId: run1 }));
        await store.createModelVersion(version(name));
        await store.deleteModelVersion(name, 4);
        const found = async (filter: Comparison[], orderBy: OrderBy[] = []): Promise<string[]> =>
          (await store.searchModelVersions(query({ filter, orderBy }))).items.map((v) => `${v.name === name ? 'n' : 'o'}${v.version}`);
        expect(sorted(await found([attr('name', '=', name)]))).toEqual(['n1', 'n2', 'n3']);
        expect(sorted(await found([attr('run_id', 'IN', [run1, run2])]))).toEqual(['n1', 'n2', 'n3', 'o1']);
        expect(sorted(await found([attr('name', '=', name), attr('run_id', '=', run1)]))).toEqual(['n1', 'n3']);
        expect(sorted(await found([attr('name', '=', name), attr('version_number', '>', 1)]))).toEqual(['n2', 'n3']);
        expect(sorted(await found([attr('name', '=', name), attr('version_number', '=', 2)]))).toEqual(['n2']);
        expect(await found([attr('name', '=', name), tag('stage', '=', 'candidate')])).toEqual(['n1']);
        expect(await found([attr('name', '=', name)], [order('attribute', 'version_number', false)])).toEqual(['n3', 'n2', 'n1']);
        const pages = await allPages(async (offset) => {
          const page = await store.searchModelVersions(query({ filter: [attr('name', '=', name)], orderBy: [order('attribute', 'version_number', true)], maxResults: 2, offset }));
          return { ...page, items: page.items.map((v) => v.version) };
        });
        expect(pages).toEqual([[1, 2], [3]]);
      });

      it('throws RESOURCE_DOES_NOT_EXIST from mutators of unknown models and versions', async () => {
        const ghost = unique('ghost');
        const name = await newModel();
        await store.createModelVersion(version(name));
        const attempts: [string, () => Promise<unknown>][] = [
          ['renameRegisteredModel', () => store.renameRegisteredModel(ghost, unique('x'), T0)],
          ['updateRegisteredModel', () => store.updateRegisteredModel(ghost, 'd', T0)],
          ['deleteRegisteredModel', () => store.deleteRegisteredModel(ghost)],
          ['setRegisteredModelTag', () => store.setRegisteredModelTag(ghost, { key: 'k', value: 'v' }, T0)],
          ['deleteRegisteredModelTag', () => store.deleteRegisteredModelTag(ghost, 'k')],
          ['createModelVersion', () => store.createModelVersion(version(ghost))],
          ['updateModelVersion', () => store.updateModelVersion(name, 9, 'd', T0)],
          ['updateModelVersion (model)', () => store.updateModelVersion(ghost, 1, 'd', T0)],
          ['transitionModelVersionStage', () => store.transitionModelVersionStage(name, 9, 'Production', true, T0)],
          ['deleteModelVersion', () => store.deleteModelVersion(name, 9)],
          ['deleteModelVersion (model)', () => store.deleteModelVersion(ghost, 1)],
          ['setModelVersionTag', () => store.setModelVersionTag(name, 9, { key: 'k', value: 'v' })],
          ['deleteModelVersionTag', () => store.deleteModelVersionTag(name, 9, 'k')],
          ['setAlias', () => store.setAlias(ghost, 'a', 1, T0)],
          ['deleteAlias', () => store.deleteAlias(ghost, 'a')],
        ];
        const outcomes: Record<string, string> = {};
        for (const [what, attempt] of attempts) {
          outcomes[what] = await attempt().then(
            () => 'resolved without error',
            (e: unknown) => (isCapstanError(e) ? e.code : `non-Capstan error: ${String(e)}`),
          );
        }
        expect(outcomes).toEqual(Object.fromEntries(attempts.map(([what]) => [what, 'RESOURCE_DOES_NOT_EXIST'])));
        expect(await store.getRegisteredModel(ghost)).toBeNull();
      });

      it('records registry changes and lists them newest first, by version and kind, paged, following renames', async () => {
        const name = unique('audit');
        const change = (over: Partial<Parameters<MetadataStore['recordRegistryChange']>[0]>) => store.recordRegistryChange({ time: T0, user: 'ann', model: name, version: null, kind: 'model_created', alias: null, before: null, after: null, ...over });
        await change({});
        await change({ kind: 'version_created', version: 1, after: 'run r1', time: T0 + 1 });
        await change({ kind: 'alias_set', version: 1, alias: 'champion', after: '1', user: 'bob', time: T0 + 2 });
        await change({ kind: 'version_created', version: 2, time: T0 + 3 });
        await change({ kind: 'alias_set', version: 2, alias: 'champion', before: '1', after: '2', user: 'Zoë', time: T0 + 4 });
        await change({ kind: 'stage_changed', version: 2, before: 'None', after: 'Production', time: T0 + 5 });
        await store.recordRegistryChange({ time: T0, user: 'eve', model: unique('other'), version: 1, kind: 'alias_set', alias: 'champion', before: null, after: '1' });
        const all = await store.listRegistryChanges({ model: name, limit: 100 });
        expect(all.map((c) => c.kind)).toEqual(['stage_changed', 'alias_set', 'version_created', 'alias_set', 'version_created', 'model_created']);
        expect(all[1]).toMatchObject({ user: 'Zoë', model: name, version: 2, alias: 'champion', before: '1', after: '2', time: T0 + 4 });
        expect(all.every((c, i) => i === 0 || c.id < all[i - 1]!.id)).toBe(true);
        expect((await store.listRegistryChanges({ model: name, version: 2, limit: 100 })).map((c) => c.kind)).toEqual(['stage_changed', 'alias_set', 'version_created']);
        expect((await store.listRegistryChanges({ model: name, kind: 'alias_set', limit: 100 })).map((c) => c.user)).toEqual(['Zoë', 'bob']);
        const first = await store.listRegistryChanges({ model: name, limit: 2 });
        const next = await store.listRegistryChanges({ model: name, limit: 2, beforeId: first.at(-1)!.id });
        expect([...first, ...next].map((c) => c.id)).toEqual(all.slice(0, 4).map((c) => c.id));
        const renamed = unique('audit-renamed');
        await change({ kind: 'model_renamed', before: name, after: renamed, time: T0 + 6 });
        expect(await store.listRegistryChanges({ model: name, limit: 100 })).toEqual([]);
        expect((await store.listRegistryChanges({ model: renamed, limit: 100 })).map((c) => c.kind)).toEqual(['model_renamed', ...all.map((c) => c.kind)]);
      });
    });

    // ---------------------------------------------------------------------------------------
    describe('strings', () => {
      it('round-trips Unicode and long values', async () => {
        const expName = `${unique('exp')}-実験-ünï-🚀`;
        const longExpTag = 'é'.repeat(5000);
        const expId = await newExperiment({ name: expName, tags: [{ key: 'desc', value: longExpTag }] });
        const exp = (await store.getExperimentByName(expName))!;
        expect(exp.experimentId).toBe(expId);
        expect(exp.tags).toEqual([{ key: 'desc', value: longExpTag }]);

        const longParam = `${'ab'.repeat(2998)}éü✓ñ`;
        const longTag = `${'ü'.repeat(7993)}-🚀-日本語`;
        const { runId } = await newRun(expId, { runName: 'ラン-ü' }, [{ key: 'note', value: '日本語 — ünïcødé 🚀' }]);
        await store.logBatch(runId, { metrics: [point('métrique', 1)], params: [{ key: 'long', value: longParam }, { key: 'uni', value: 'ß∂ƒ©' }], tags: [{ key: 'long', value: longTag }] });
        const run = (await store.getRun(runId))!;
        expect(run.info.runName).toBe('ラン-ü');
        expect(sortKv(run.data.params)).toEqual([{ key: 'long', value: longParam }, { key: 'uni', value: 'ß∂ƒ©' }]);
        expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'note', value: '日本語 — ünïcødé 🚀' }, { key: 'long', value: longTag }]));
        expect(run.data.metrics.map((m) => m.key)).toEqual(['métrique']);
        const uniFilter = await store.searchRuns({ ...query({ filter: [param('uni', '=', 'ß∂ƒ©')] }), experimentIds: [expId], viewType: 'ALL' });
        expect(uniFilter.items.map((x) => x.info.runId)).toEqual([runId]);

        const rmName = `${unique('rm')}-modèle-日本`;
        const description = 'ä'.repeat(5000);
        await store.createRegisteredModel({ name: rmName, description, tags: [{ key: 'owner', value: 'Zoë 👩‍🔬' }], time: T0 });
        const mv = await store.createModelVersion(version2(rmName));
        expect(mv.name).toBe(rmName);
        const rm = (await store.getRegisteredModel(rmName))!;
        expect(rm.description).toBe(description);
        expect(rm.tags).toEqual([{ key: 'owner', value: 'Zoë 👩‍🔬' }]);
        expect((await store.getModelVersion(rmName, 1))?.description).toBe('описание');
      });

      function version2(name: string): NewModelVersion {
        return {
          name, source: 's3://bucket/模型', storageLocation: 's3://bucket/模型', runId: null, runLink: null,
          description: 'описание', userId: 'zoë', modelId: null, tags: [], time: T0,
        };
      }
    });
  });
}

/** What {@link runConcurrentWriters} wrote. */
export interface WritersResult {
  experimentId: string;
  runIds: string[];
  /** One message per failed writer; empty when all succeeded. */
  failures: string[];
}

/**
 * Starts `writers` concurrent loops spread round-robin over `stores` (instances on the same
 * database). Each loop creates `runsPerWriter` runs and logs `batches` batches to each.
 */
export async function runConcurrentWriters(
  stores: MetadataStore[],
  options: { writers: number; runsPerWriter: number; batches: number },
): Promise<WritersResult> {
  const first = stores[0]!;
  const experimentId = await first.createExperiment({ name: unique('writers'), artifactLocation: (id) => `mlflow-artifacts:/${id}`, tags: [], time: T0 });
  const runIds: string[] = [];
  const settled = await Promise.allSettled(range(options.writers).map(async (w) => {
    const store = stores[w % stores.length]!;
    for (let r = 0; r < options.runsPerWriter; r++) {
      const runId = newRunId();
      await store.createRun({
        runId, runName: `w${w}-r${r}`, experimentId, userId: 'writer', status: 'RUNNING', startTime: T0 + w, endTime: null,
        artifactUri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`, lifecycleStage: 'active',
      }, [{ key: 'writer', value: String(w) }]);
      runIds.push(runId);
      for (let b = 0; b < options.batches; b++) {
        await store.logBatch(runId, {
          metrics: [point('m', b, b, T0 + b), point('writer', w, b, T0 + b)],
          params: [{ key: `p${b}`, value: String(w) }],
          tags: [{ key: `t${b}`, value: String(b) }],
        });
      }
      await store.updateRunInfo(runId, { status: 'FINISHED', endTime: T0 + 1000 });
    }
  }));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason instanceof Error ? s.reason.message : String(s.reason)] : []));
  return { experimentId, runIds, failures };
}

/** Asserts that nothing written by {@link runConcurrentWriters} failed or went missing. */
export async function expectWritersComplete(store: MetadataStore, result: WritersResult, options: { writers: number; runsPerWriter: number; batches: number }): Promise<void> {
  expect(result.failures).toEqual([]);
  const total = options.writers * options.runsPerWriter;
  expect(result.runIds).toHaveLength(total);
  const page = await store.searchRuns({ ...query({ maxResults: total + 10 }), experimentIds: [result.experimentId], viewType: 'ALL' });
  expect(sorted(page.items.map((run) => run.info.runId))).toEqual(sorted(result.runIds));
  const problems: string[] = [];
  for (const run of page.items) {
    const id = run.info.runId;
    if (run.info.status !== 'FINISHED') problems.push(`${id}: status ${run.info.status}`);
    if (run.data.params.length !== options.batches) problems.push(`${id}: ${run.data.params.length} params`);
    const tagKeys = new Set(run.data.tags.map((t) => t.key));
    for (const b of range(options.batches)) if (!tagKeys.has(`t${b}`)) problems.push(`${id}: tag t${b} missing`);
    const latest = run.data.metrics.find((m) => m.key === 'm');
    if (latest?.step !== options.batches - 1) problems.push(`${id}: latest m at step ${latest?.step}`);
    const history = await store.getMetricHistory(id, 'm', { offset: 0, limit: options.batches + 10 });
    if (history.items.length !== options.batches) problems.push(`${id}: ${history.items.length} points of m`);
  }
  expect(problems).toEqual([]);
}

/** Creates `count` versions of a new model concurrently, round-robin over `stores`; returns their numbers, sorted. */
export async function createVersionsConcurrently(stores: MetadataStore[], count: number): Promise<{ name: string; versions: number[] }> {
  const name = unique('concurrent');
  await stores[0]!.createRegisteredModel({ name, description: null, tags: [], time: T0 });
  const created = await Promise.all(range(count).map((i) => stores[i % stores.length]!.createModelVersion({
    name, source: `s3://bucket/${i}`, storageLocation: `s3://bucket/${i}`, runId: null, runLink: null,
    description: null, userId: null, modelId: null, tags: [{ key: 'i', value: String(i) }], time: T0 + i,
  })));
  return { name, versions: created.map((v) => v.version).toSorted((a, b) => a - b) };
}
