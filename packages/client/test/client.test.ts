import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapstan } from '@capstan/server';
import { tracking } from '@capstan/api';
import { CapstanClient, CapstanError, isCapstanError, type FetchLike } from '../src/index.js';
import { downloadFile, downloadRunArtifacts, listRunArtifactsRecursive, nodeFetch, uploadFile, uploadRunArtifacts, type TransferProgress } from '../src/node.js';

let dir: string;
let server: Awaited<ReturnType<typeof startCapstan>>;
let client: CapstanClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capstan-client-'));
  server = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${dir}/c.db`, artifactsDestination: `${dir}/artifacts` });
  client = new CapstanClient({ baseUrl: server.url });
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<CapstanError> {
  try {
    await promise;
  } catch (error) {
    expect(isCapstanError(error)).toBe(true);
    return error as CapstanError;
  }
  throw new Error('expected a rejection');
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('experiments', () => {
  it('round-trips create, get, search, rename, tags, delete and restore', async () => {
    const id = await client.experiments.create('exp-a', { tags: { team: 'ml' } });
    expect(id).toMatch(/^\d+$/);
    const got = await client.experiments.get(id);
    expect(got).toMatchObject({ experiment_id: id, name: 'exp-a', lifecycle_stage: 'active', tags: [{ key: 'team', value: 'ml' }] });
    expect((await client.experiments.getByName('exp-a')).experiment_id).toBe(id);

    const page = await client.experiments.search({ filter: "name = 'exp-a'" });
    expect(page.experiments.map((e) => e.experiment_id)).toEqual([id]);

    await client.experiments.rename(id, 'exp-a2');
    expect((await client.experiments.get(id)).name).toBe('exp-a2');

    await client.experiments.setTag(id, 'k', 'v');
    expect((await client.experiments.get(id)).tags).toContainEqual({ key: 'k', value: 'v' });
    await client.experiments.deleteTag(id, 'k');
    expect((await client.experiments.get(id)).tags ?? []).not.toContainEqual({ key: 'k', value: 'v' });

    await client.experiments.delete(id);
    expect((await client.experiments.get(id)).lifecycle_stage).toBe('deleted');
    const deleted = await client.experiments.search({ view_type: 'DELETED_ONLY' });
    expect(deleted.experiments.map((e) => e.experiment_id)).toContain(id);
    await client.experiments.restore(id);
    expect((await client.experiments.get(id)).lifecycle_stage).toBe('active');
  });

  it('pages through every experiment with searchAll', async () => {
    for (let i = 0; i < 5; i++) await client.experiments.create(`paged-${i}`);
    const first = await client.experiments.search({ filter: "name LIKE 'paged-%'", max_results: 2 });
    expect(first.experiments).toHaveLength(2);
    expect(first.next_page_token).toBeTruthy();
    const all = await collect(client.experiments.searchAll({ filter: "name LIKE 'paged-%'", max_results: 2, order_by: ['name ASC'] }));
    expect(all.map((e) => e.name)).toEqual(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4']);
  });

  it('maps a duplicate name to RESOURCE_ALREADY_EXISTS', async () => {
    await client.experiments.create('dup');
    const error = await rejection(client.experiments.create('dup'));
    expect(error).toBeInstanceOf(CapstanError);
    expect(error.code).toBe('RESOURCE_ALREADY_EXISTS');
    expect(error.status).toBe(400);
    expect(error.message).toContain('dup');
  });

  it('maps an unknown experiment to RESOURCE_DOES_NOT_EXIST', async () => {
    const error = await rejection(client.experiments.getByName('no-such-experiment'));
    expect(error.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(error.status).toBe(404);
  });
});

describe('runs', () => {
  it('round-trips a run and its data', async () => {
    const exp = await client.experiments.create('runs-exp');
    const run = await client.runs.create(exp, { run_name: 'first', tags: { stage: 'dev' } });
    const runId = run.info.run_id;
    expect(run.info).toMatchObject({ experiment_id: exp, run_name: 'first', status: 'RUNNING' });

    await client.runs.logMetric(runId, 'acc', 0.5, { step: 0 });
    await client.runs.logMetric(runId, 'acc', 0.75, { step: 1 });
    await client.runs.logParam(runId, 'lr', '0.01');
    await client.runs.setTag(runId, 'owner', 'alice');
    await client.runs.setTag(runId, 'tmp', 'x');
    await client.runs.deleteTag(runId, 'tmp');
    await client.runs.logBatch(runId, { metrics: [{ key: 'loss', value: 0.3, step: 1 }], params: { epochs: '3' }, tags: [{ key: 'b', value: '1' }] });
    await client.runs.logInputs(runId, { datasets: [{ dataset: { name: 'train', digest: 'abc', source_type: 'local', source: '/data/train.csv' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] }] });

    const info = await client.runs.update(runId, { status: 'FINISHED', end_time: Date.now() });
    expect(info.status).toBe('FINISHED');

    const got = await client.runs.get(runId);
    expect(got.data.params).toEqual(expect.arrayContaining([{ key: 'lr', value: '0.01' }, { key: 'epochs', value: '3' }]));
    expect(got.data.metrics?.find((m) => m.key === 'acc')).toMatchObject({ value: 0.75, step: 1 });
    const tagKeys = (got.data.tags ?? []).map((t) => t.key);
    expect(tagKeys).toEqual(expect.arrayContaining(['stage', 'owner', 'b']));
    expect(tagKeys).not.toContain('tmp');
    expect(got.inputs.dataset_inputs?.[0]?.dataset).toMatchObject({ name: 'train', digest: 'abc' });
    expect(got.info.end_time).toBeTypeOf('number');

    await client.runs.delete(runId);
    expect((await client.runs.get(runId)).info.lifecycle_stage).toBe('deleted');
    await client.runs.restore(runId);
    expect((await client.runs.get(runId)).info.lifecycle_stage).toBe('active');
  });

  it('searches runs with filter and order', async () => {
    const exp = await client.experiments.create('search-exp');
    for (const [name, acc] of [['r1', 0.2], ['r2', 0.6], ['r3', 0.9]] as const) {
      const run = await client.runs.create(exp, { run_name: name });
      await client.runs.logMetric(run.info.run_id, 'acc', acc);
    }
    const page = await client.runs.search(exp, { filter: 'metrics.acc > 0.5', order_by: ['metrics.acc DESC'] });
    expect(page.runs.map((r) => r.info.run_name)).toEqual(['r3', 'r2']);
    const all = await collect(client.runs.searchAll([exp], { max_results: 1, order_by: ['metrics.acc ASC'] }));
    expect(all.map((r) => r.info.run_name)).toEqual(['r1', 'r2', 'r3']);
  });

  it('reads metric history page by page and through the iterator', async () => {
    const run = await client.runs.create('0');
    const runId = run.info.run_id;
    await client.runs.logBatch(runId, { metrics: Array.from({ length: 25 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), step, timestamp: 1000 + step })) });
    const first = await client.runs.getMetricHistory(runId, 'loss', { max_results: 10 });
    expect(first.metrics).toHaveLength(10);
    expect(first.next_page_token).toBeTruthy();
    const points = await collect(client.runs.metricHistory(runId, 'loss', 7));
    expect(points.map((p) => p.step).toSorted((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(await collect(client.runs.metricHistory(runId, 'missing'))).toEqual([]);
  });

  it('maps an unknown run to RESOURCE_DOES_NOT_EXIST with status 404', async () => {
    const error = await rejection(client.runs.get('0123456789abcdef0123456789abcdef'));
    expect(error.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(error.status).toBe(404);
    expect((await rejection(client.runs.logParam('nope', 'a', 'b'))).code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('maps a bad parameter to INVALID_PARAMETER_VALUE', async () => {
    const error = await rejection(client.runs.search('0', { filter: 'metrics.acc >>> 1' }));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.status).toBe(400);
  });
});

describe('logged models', () => {
  it('round-trips create, tags, params, finalize, search, outputs and delete', async () => {
    const exp = await client.experiments.create('lm-exp');
    const run = await client.runs.create(exp);
    const model = await client.loggedModels.create(exp, { name: 'clf', model_type: 'sklearn', source_run_id: run.info.run_id, params: { depth: '3' }, tags: { a: '1' } });
    const modelId = model.info.model_id;
    expect(model.info).toMatchObject({ experiment_id: exp, name: 'clf', status: 'LOGGED_MODEL_PENDING' });

    await client.loggedModels.setTags(modelId, { b: '2', c: '3' });
    await client.loggedModels.deleteTag(modelId, 'c');
    await client.loggedModels.logParams(modelId, [{ key: 'alpha', value: '0.1' }]);
    const ready = await client.loggedModels.finalize(modelId);
    expect(ready.info.status).toBe('LOGGED_MODEL_READY');

    const got = await client.loggedModels.get(modelId);
    expect((got.info.tags ?? []).map((t) => t.key).toSorted()).toEqual(['a', 'b']);
    expect(got.data.params).toEqual(expect.arrayContaining([{ key: 'depth', value: '3' }, { key: 'alpha', value: '0.1' }]));

    const found = await client.loggedModels.search(exp, { filter: "name = 'clf'" });
    expect(found.models.map((m) => m.info.model_id)).toEqual([modelId]);
    expect((await collect(client.loggedModels.searchAll([exp]))).length).toBe(1);

    await client.runs.logOutputs(run.info.run_id, [{ model_id: modelId, step: 1 }]);
    expect((await client.runs.get(run.info.run_id)).outputs.model_outputs).toEqual([{ model_id: modelId, step: 1 }]);

    expect((await client.loggedModels.listArtifacts(modelId)).files).toEqual([]);

    await client.loggedModels.delete(modelId);
    expect((await rejection(client.loggedModels.get(modelId))).code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await client.loggedModels.get(modelId, { allow_deleted: true })).info.model_id).toBe(modelId);
  });
});

describe('registry', () => {
  it('round-trips registered models, versions, stages, tags and aliases', async () => {
    const run = await client.runs.create('0');
    const runId = run.info.run_id;
    const created = await client.registeredModels.create('reg-model', { description: 'first', tags: { owner: 'ml' } });
    expect(created).toMatchObject({ name: 'reg-model', description: 'first' });
    expect((await rejection(client.registeredModels.create('reg-model'))).code).toBe('RESOURCE_ALREADY_EXISTS');

    await client.registeredModels.update('reg-model', { description: 'second' });
    await client.registeredModels.setTag('reg-model', 'k', 'v');
    await client.registeredModels.deleteTag('reg-model', 'owner');
    const got = await client.registeredModels.get('reg-model');
    expect(got.description).toBe('second');
    expect(got.tags).toEqual([{ key: 'k', value: 'v' }]);

    const v1 = await client.modelVersions.create('reg-model', `runs:/${runId}/model`, { run_id: runId, description: 'v1' });
    const v2 = await client.modelVersions.create('reg-model', `runs:/${runId}/model`, { run_id: runId, tags: { t: '1' } });
    expect([v1.version, v2.version]).toEqual(['1', '2']);
    expect((await client.modelVersions.get('reg-model', 2)).tags).toEqual([{ key: 't', value: '1' }]);
    expect((await client.modelVersions.get('reg-model', '1')).description).toBe('v1');
    expect((await client.modelVersions.update('reg-model', 1, { description: 'one' })).description).toBe('one');
    await client.modelVersions.setTag('reg-model', 1, 'vt', 'x');
    await client.modelVersions.deleteTag('reg-model', 2, 't');
    expect((await client.modelVersions.get('reg-model', 2)).tags ?? []).toEqual([]);

    const staged = await client.modelVersions.transitionStage('reg-model', 1, 'Production');
    expect(staged.current_stage).toBe('Production');
    await client.modelVersions.transitionStage('reg-model', 2, 'Production', { archive_existing_versions: true });
    expect((await client.modelVersions.get('reg-model', 1)).current_stage).toBe('Archived');
    expect((await client.registeredModels.getLatestVersions('reg-model', ['Production'])).map((v) => v.version)).toEqual(['2']);
    expect(await client.modelVersions.getDownloadUri('reg-model', 1)).toContain(runId);

    const versions = await client.modelVersions.search({ filter: "name = 'reg-model'" });
    expect(versions.model_versions.map((v) => v.version).toSorted()).toEqual(['1', '2']);
    expect((await collect(client.modelVersions.searchAll({ filter: "name = 'reg-model'", max_results: 1 }))).length).toBe(2);

    await client.registeredModels.setAlias('reg-model', 'champion', 2);
    expect((await client.registeredModels.getAlias('reg-model', 'champion')).version).toBe('2');
    expect((await client.registeredModels.get('reg-model')).aliases).toEqual([{ alias: 'champion', version: '2' }]);
    await client.registeredModels.deleteAlias('reg-model', 'champion');
    expect((await rejection(client.registeredModels.getAlias('reg-model', 'champion'))).code).toBe('INVALID_PARAMETER_VALUE');

    expect((await client.registeredModels.search({ filter: "name LIKE 'reg-%'" })).registered_models.map((m) => m.name)).toEqual(['reg-model']);
    expect((await collect(client.registeredModels.searchAll())).map((m) => m.name)).toContain('reg-model');

    const renamed = await client.registeredModels.rename('reg-model', 'reg-model-2');
    expect(renamed.name).toBe('reg-model-2');
    expect((await client.modelVersions.get('reg-model-2', 1)).name).toBe('reg-model-2');
    await client.modelVersions.delete('reg-model-2', 1);
    expect((await rejection(client.modelVersions.get('reg-model-2', 1))).code).toBe('RESOURCE_DOES_NOT_EXIST');
    await client.registeredModels.delete('reg-model-2');
    const error = await rejection(client.registeredModels.get('reg-model-2'));
    expect(error.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(error.status).toBe(404);
  });
});

describe('artifacts', () => {
  it('uploads and downloads a few MB byte for byte, and lists and deletes', async () => {
    const run = await client.runs.create('0');
    const runId = run.info.run_id;
    const bytes = new Uint8Array(randomBytes(5 * 1024 * 1024 + 123));
    await client.uploadRunArtifact(runId, 'data/blob.bin', bytes);
    const response = await client.downloadRunArtifact(runId, 'data/blob.bin');
    expect(response.headers.get('content-length')).toBe(String(bytes.byteLength));
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);

    await client.uploadRunArtifact(runId, 'notes.txt', 'héllo');
    expect(await (await client.downloadRunArtifact(runId, 'notes.txt')).text()).toBe('héllo');
    await client.uploadRunArtifact(runId, 'data/blob2.bin', new Blob([bytes.subarray(0, 1000)]));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(bytes.subarray(i * 65536, (i + 1) * 65536));
        controller.close();
      },
    });
    await client.uploadRunArtifact(runId, 'data/streamed.bin', stream);
    const streamed = new Uint8Array(await (await client.downloadRunArtifact(runId, 'data/streamed.bin')).arrayBuffer());
    expect(Buffer.from(streamed).equals(Buffer.from(bytes.subarray(0, 4 * 65536)))).toBe(true);

    const root = await client.runs.listArtifacts(runId);
    expect(root.root_uri).toBe(run.info.artifact_uri);
    expect(root.files).toEqual(expect.arrayContaining([{ path: 'data', is_dir: true }, { path: 'notes.txt', is_dir: false, file_size: 6 }]));
    const data = await client.runs.listArtifacts(runId, 'data');
    expect(data.files.map((f) => f.path).toSorted()).toEqual(['data/blob.bin', 'data/blob2.bin', 'data/streamed.bin']);

    const storePath = await client.runs.artifactPath(runId, 'data');
    expect(storePath).toBe(`0/${runId}/artifacts/data`);
    expect((await client.artifacts.list(storePath)).map((f) => f.path).toSorted()).toEqual(['blob.bin', 'blob2.bin', 'streamed.bin']);

    await client.artifacts.delete(`${storePath}/blob2.bin`);
    await client.deleteRunArtifact(runId, 'notes.txt');
    expect((await client.runs.listArtifacts(runId)).files.map((f) => f.path)).toEqual(['data']);
    const missing = await rejection(client.downloadRunArtifact(runId, 'notes.txt'));
    expect(missing.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(missing.status).toBe(404);
  });

  it('streams directories up and down with the Node helpers', async () => {
    const run = await client.runs.create('0');
    const runId = run.info.run_id;
    const src = join(dir, 'upload-src');
    await mkdir(join(src, 'nested', 'deeper'), { recursive: true });
    const big = randomBytes(3 * 1024 * 1024 + 7);
    await writeFile(join(src, 'big.bin'), big);
    await writeFile(join(src, 'empty.txt'), '');
    await writeFile(join(src, 'nested', 'a.txt'), 'a');
    await writeFile(join(src, 'nested', 'deeper', 'b.json'), '{"b":1}');

    const progress: TransferProgress[] = [];
    const up = await uploadRunArtifacts(client, runId, src, 'model', { onProgress: (p) => progress.push(p) });
    expect(up.files.map((f) => f.path).toSorted()).toEqual(['model/big.bin', 'model/empty.txt', 'model/nested/a.txt', 'model/nested/deeper/b.json']);
    expect(up.bytes).toBe(big.length + 1 + 7);
    expect(progress.at(-1)).toMatchObject({ bytes: up.bytes, total: up.bytes, filesDone: 4, files: 4 });

    const single = await uploadRunArtifacts(client, runId, join(src, 'nested', 'a.txt'));
    expect(single.files.map((f) => f.path)).toEqual(['a.txt']);

    const listed = await listRunArtifactsRecursive(client, runId, 'model');
    expect(listed.map((f) => f.path).toSorted()).toEqual(['model/big.bin', 'model/empty.txt', 'model/nested/a.txt', 'model/nested/deeper/b.json']);
    expect((await rejection(listRunArtifactsRecursive(client, runId, 'nope'))).code).toBe('RESOURCE_DOES_NOT_EXIST');

    const dest = join(dir, 'download-dest');
    const down = await downloadRunArtifacts(client, runId, 'model', dest);
    expect(down.bytes).toBe(up.bytes);
    expect((await readFile(join(dest, 'model', 'big.bin'))).equals(big)).toBe(true);
    expect(await readFile(join(dest, 'model', 'empty.txt'), 'utf8')).toBe('');
    expect(await readFile(join(dest, 'model', 'nested', 'deeper', 'b.json'), 'utf8')).toBe('{"b":1}');

    const one = await downloadRunArtifacts(client, runId, 'model/nested/a.txt', join(dir, 'one'));
    expect(one.files.map((f) => f.path)).toEqual(['model/nested/a.txt']);
    expect(await readFile(join(dir, 'one', 'model', 'nested', 'a.txt'), 'utf8')).toBe('a');

    const storePath = await client.runs.artifactPath(runId, 'copy/big.bin');
    await uploadFile(client, join(src, 'big.bin'), storePath);
    await downloadFile(client, storePath, join(dir, 'big-copy.bin'));
    expect((await readFile(join(dir, 'big-copy.bin'))).equals(big)).toBe(true);

    const bad = await rejection(uploadFile(client, join(src, 'big.bin'), `${storePath}/../../../../escape.bin`));
    expect(bad.code).toBe('INVALID_PARAMETER_VALUE');
    const missing = await rejection(downloadFile(client, `${storePath}.missing`, join(dir, 'never.bin')));
    expect(missing.code).toBe('RESOURCE_DOES_NOT_EXIST');
    await expect(readFile(join(dir, 'never.bin'))).rejects.toThrow();
  });

  it('streams uploads through nodeFetch and maps its network errors', async () => {
    const run = await client.runs.create('0');
    const streaming = new CapstanClient({ baseUrl: server.url, fetch: nodeFetch });
    const bytes = new Uint8Array(randomBytes(2 * 1024 * 1024));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 1024 * 1024));
        controller.enqueue(bytes.subarray(1024 * 1024));
        controller.close();
      },
    });
    await streaming.uploadRunArtifact(run.info.run_id, 'via-node-fetch.bin', body);
    const back = new Uint8Array(await (await streaming.downloadRunArtifact(run.info.run_id, 'via-node-fetch.bin')).arrayBuffer());
    expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);

    const offline = new CapstanClient({ baseUrl: 'http://127.0.0.1:9', fetch: nodeFetch, retries: 0 });
    const error = await rejection(offline.artifacts.upload('x/y.bin', new ReadableStream({ start: (c) => c.close() })));
    expect(error.code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('transport', () => {
  it('sends GET arrays as repeated query keys and fills path parameters', async () => {
    const urls: string[] = [];
    const spy: FetchLike = (input, init) => {
      urls.push(`${init.method} ${input}`);
      return fetch(input, init);
    };
    const c = new CapstanClient({ baseUrl: `${server.url}/`, fetch: spy });
    const a = await c.runs.create('0');
    const b = await c.runs.create('0');
    await c.runs.logMetric(a.info.run_id, 'm', 1);
    await c.runs.logMetric(b.info.run_id, 'm', 2);
    const bulk = await c.call(tracking.getMetricHistoryBulk, { run_id: [a.info.run_id, b.info.run_id], metric_key: 'm' });
    expect(bulk.metrics?.map((m) => m.value).toSorted()).toEqual([1, 2]);
    expect(urls.at(-1)).toBe(`GET ${server.url}/api/2.0/mlflow/metrics/get-history-bulk?run_id=${a.info.run_id}&run_id=${b.info.run_id}&metric_key=m`);
    await c.loggedModels.get('m-unknown').catch(() => undefined);
    expect(urls.at(-1)).toBe(`GET ${server.url}/api/2.0/mlflow/logged-models/m-unknown`);
  });

  it('sends configured headers and the bearer token', async () => {
    let seen: Record<string, string> = {};
    const spy: FetchLike = (input, init) => {
      seen = init.headers as Record<string, string>;
      return fetch(input, init);
    };
    await new CapstanClient({ baseUrl: server.url, fetch: spy, token: 'secret', headers: { 'x-team': 'ml' } }).experiments.get('0');
    expect(seen).toMatchObject({ authorization: 'Bearer secret', 'x-team': 'ml' });
  });

  it('retries idempotent GETs after network errors and 5xx, never POSTs', async () => {
    let calls = 0;
    const flaky: FetchLike = async (input, init) => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed');
      if (calls === 2) return new Response('{"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"}', { status: 503 });
      return fetch(input, init);
    };
    const c = new CapstanClient({ baseUrl: server.url, fetch: flaky, retryDelayMs: 1 });
    expect((await c.experiments.get('0')).name).toBe('Default');
    expect(calls).toBe(3);

    calls = 0;
    const down: FetchLike = async () => {
      calls++;
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    };
    const d = new CapstanClient({ baseUrl: server.url, fetch: down, retries: 2, retryDelayMs: 1 });
    const error = await rejection(d.experiments.get('0'));
    expect(error.code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(error.status).toBe(0);
    expect(error.message).toContain('ECONNREFUSED');
    expect(calls).toBe(3);

    calls = 0;
    await rejection(d.experiments.create('x'));
    expect(calls).toBe(1);

    calls = 0;
    const failing: FetchLike = async () => {
      calls++;
      return new Response('<html>bad gateway</html>', { status: 502 });
    };
    const e = await rejection(new CapstanClient({ baseUrl: server.url, fetch: failing, retries: 1, retryDelayMs: 1 }).runs.get('x'));
    expect(calls).toBe(2);
    expect(e).toMatchObject({ code: 'INTERNAL_ERROR', status: 502 });
  });

  it('reports an unreachable server as TEMPORARILY_UNAVAILABLE', async () => {
    const c = new CapstanClient({ baseUrl: 'http://127.0.0.1:1', retries: 0 });
    const error = await rejection(c.experiments.get('0'));
    expect(error.code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(error.message).toContain('http://127.0.0.1:1/api/2.0/mlflow/experiments/get');
  });
});
