import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rawRequest, startTestServer } from './helpers.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
let base: string;
const api = (p: string) => `/api/2.0/mlflow${p}`;

beforeAll(async () => {
  server = await startTestServer();
  base = server.url;
});
afterAll(async () => server.close());

async function newRun(experimentId = '0') {
  const r = await call(base, 'POST', api('/runs/create'), { experiment_id: experimentId, start_time: 1000 });
  expect(r.status).toBe(200);
  return (r.body.run as { info: { run_id: string; artifact_uri: string } }).info;
}

describe('service endpoints', () => {
  it('answers /health, /version and /metrics', async () => {
    expect((await fetch(`${base}/health`).then((r) => r.text()))).toBe('OK');
    expect(await fetch(`${base}/version`).then((r) => r.text())).toMatch(/^\d+\.\d+\.\d+$/);
    await call(base, 'POST', api('/experiments/search'), {});
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/capstan_http_requests_total\{method="POST",route="\/api\/2.0\/mlflow\/experiments\/search",status="200"\} \d+/);
    expect(metrics).toContain('capstan_http_request_duration_seconds_bucket');
  });

  it('has the Default experiment "0" and serves the ajax prefix too', async () => {
    const r = await call(base, 'GET', '/ajax-api/2.0/mlflow/experiments/get', { experiment_id: '0' });
    expect(r.status).toBe(200);
    expect(r.body.experiment).toMatchObject({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active', artifact_location: 'mlflow-artifacts:/0' });
  });

  it('returns 404 ENDPOINT_NOT_FOUND as JSON for unknown routes, never 500', async () => {
    const r = await call(base, 'POST', api('/nope'), {});
    expect(r.status).toBe(404);
    expect(r.body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});

describe('bad input gets a clear 4xx and changes nothing', () => {
  it('malformed JSON', async () => {
    const r = await call(base, 'POST', api('/experiments/create'), '{"name": ');
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(r.body.message).toMatch(/Malformed JSON/);
  });

  it('a JSON array instead of an object', async () => {
    const r = await call(base, 'POST', api('/experiments/create'), '[1,2]');
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/expected a JSON object/);
  });

  it('missing and wrongly typed fields use MLflow wording', async () => {
    const missing = await call(base, 'POST', api('/experiments/create'), {});
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/^Missing value for required parameter 'name'/);
    const wrong = await call(base, 'POST', api('/experiments/create'), { name: 123 });
    expect(wrong.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(wrong.body.message).toMatch(/^Invalid value 123 for parameter 'name' supplied/);
    const run = await newRun();
    const nested = await call(base, 'POST', api('/runs/log-batch'), { run_id: run.run_id, metrics: [{ key: 'a', value: 1 }] });
    expect(nested.body.message).toMatch(/'metrics\[0\]\.timestamp'/);
    const notList = await call(base, 'POST', api('/runs/log-batch'), { run_id: run.run_id, metrics: 'foo' });
    expect(notList.status).toBe(400);
    const tagType = await call(base, 'POST', api('/runs/set-tag'), { run_id: run.run_id, key: 'k', value: 41 });
    expect(tagType.body.message).toMatch(/Invalid value 41 for parameter 'value'/);
  });

  it('oversized batches are rejected whole', async () => {
    const run = await newRun();
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    const r = await call(base, 'POST', api('/runs/log-batch'), { run_id: run.run_id, metrics });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/at most 1000 metrics/);
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    expect((await call(base, 'POST', api('/runs/log-batch'), { run_id: run.run_id, params })).body.message).toMatch(/at most 100 params/);
    const got = await call(base, 'GET', api('/runs/get'), { run_id: run.run_id });
    expect((got.body.run as { data: { metrics?: unknown[]; params?: unknown[] } }).data.metrics).toBeUndefined();
    expect((got.body.run as { data: { params?: unknown[] } }).data.params).toBeUndefined();
  });

  it('a log-batch body over 1 MB is rejected', async () => {
    const run = await newRun();
    const tags = [{ key: 't', value: 'x'.repeat(1_100_000) }];
    const r = await call(base, 'POST', api('/runs/log-batch'), { run_id: run.run_id, tags });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/at most 1000000 bytes/);
  });

  it('a JSON body over the global limit is rejected with 400', async () => {
    const r = await call(base, 'POST', api('/experiments/create'), { name: 'x'.repeat(40 * 1024 * 1024) });
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('oversized strings and invalid keys', async () => {
    const run = await newRun();
    const long = await call(base, 'POST', api('/runs/log-parameter'), { run_id: run.run_id, key: 'p', value: 'x'.repeat(6001) });
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/exceeded length limit of 6000/);
    const badKey = await call(base, 'POST', api('/runs/log-metric'), { run_id: run.run_id, key: 'a<b', value: 1, timestamp: 1 });
    expect(badKey.body.message).toMatch(/Invalid metric name/);
    const traversalKey = await call(base, 'POST', api('/runs/log-metric'), { run_id: run.run_id, key: '../x', value: 1, timestamp: 1 });
    expect(traversalKey.status).toBe(400);
  });

  it('re-logging a param with a different value fails and keeps the old value', async () => {
    const run = await newRun();
    expect((await call(base, 'POST', api('/runs/log-parameter'), { run_id: run.run_id, key: 'lr', value: '0.1' })).status).toBe(200);
    expect((await call(base, 'POST', api('/runs/log-parameter'), { run_id: run.run_id, key: 'lr', value: '0.1' })).status).toBe(200);
    const r = await call(base, 'POST', api('/runs/log-batch'), { run_id: run.run_id, params: [{ key: 'lr', value: '0.2' }], metrics: [{ key: 'm', value: 1, timestamp: 1 }] });
    expect(r.status).toBe(400);
    const got = (await call(base, 'GET', api('/runs/get'), { run_id: run.run_id })).body.run as { data: { params: { key: string; value: string }[]; metrics?: unknown[] } };
    expect(got.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(got.data.metrics).toBeUndefined();
  });

  it('unknown ids are 404 RESOURCE_DOES_NOT_EXIST', async () => {
    const cases = [
      call(base, 'GET', api('/runs/get'), { run_id: 'f'.repeat(32) }),
      call(base, 'GET', api('/experiments/get'), { experiment_id: '98765' }),
      call(base, 'GET', api('/experiments/get'), { experiment_id: 'not-a-number' }),
      call(base, 'GET', api('/registered-models/get'), { name: 'nope' }),
      call(base, 'GET', api('/model-versions/get'), { name: 'nope', version: '1' }),
      call(base, 'GET', api('/logged-models/m-00000000000000000000000000000000')),
    ];
    for (const r of await Promise.all(cases)) {
      expect(r.status).toBe(404);
      expect(r.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    }
  });

  it('invalid search input: filter grammar, max_results, page token', async () => {
    const bad = await call(base, 'POST', api('/runs/search'), { experiment_ids: ['0'], filter: 'metrics.a > 1 OR metrics.b < 2' });
    expect(bad.status).toBe(400);
    const max = await call(base, 'POST', api('/runs/search'), { experiment_ids: ['0'], max_results: 123456789 });
    expect(max.body.message).toMatch(/Invalid value 123456789 for parameter 'max_results'/);
    const token = await call(base, 'POST', api('/runs/search'), { experiment_ids: ['0'], page_token: 'garbage!!' });
    expect(token.status).toBe(400);
    expect(token.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('logging to a deleted run is refused', async () => {
    const run = await newRun();
    await call(base, 'POST', api('/runs/delete'), { run_id: run.run_id });
    const r = await call(base, 'POST', api('/runs/log-metric'), { run_id: run.run_id, key: 'm', value: 1, timestamp: 1 });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/must be in the 'active' state/);
  });

  it('path traversal in artifact paths: dot-dot, encoded, absolute, backslash', async () => {
    const run = await newRun();
    const root = run.artifact_uri.replace('mlflow-artifacts:/', '');
    expect((await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/ok.txt`, { method: 'PUT', body: 'ok' })).status).toBe(200);
    const attempts: [string, string][] = [
      ['GET', '/api/2.0/mlflow-artifacts/artifacts/../../etc/passwd'],
      ['GET', `/api/2.0/mlflow-artifacts/artifacts/${root}/..%2f..%2f..%2fsecret`],
      ['GET', '/api/2.0/mlflow-artifacts/artifacts/%2e%2e/%2e%2e/x'],
      ['GET', '/api/2.0/mlflow-artifacts/artifacts/%252e%252e/x'],
      ['GET', '/api/2.0/mlflow-artifacts/artifacts?path=../..'],
      ['GET', '/api/2.0/mlflow-artifacts/artifacts?path=%2Fetc'],
      ['GET', `/api/2.0/mlflow/artifacts/list?run_id=${run.run_id}&path=../../..`],
      ['PUT', '/api/2.0/mlflow-artifacts/artifacts/../escape.txt'],
      ['PUT', '/api/2.0/mlflow-artifacts/artifacts/a/..%5c..%5cescape.txt'],
      ['DELETE', '/api/2.0/mlflow-artifacts/artifacts/../..'],
    ];
    for (const [method, path] of attempts) {
      const r = await rawRequest(base, method, path, method === 'PUT' ? 'x' : undefined);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(JSON.parse(r.text), `${method} ${path}`).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    }
    expect(await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/ok.txt`).then((r) => r.text())).toBe('ok');
  });

  it('download of a missing artifact is 404', async () => {
    const r = await call(base, 'GET', '/api/2.0/mlflow-artifacts/artifacts/0/none/artifacts/missing.txt');
    expect(r.status).toBe(404);
    expect(r.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});

describe('MLflow REST behaviour', () => {
  it('experiments: duplicate name, rename, delete/restore, view types, search grammar and paging', async () => {
    const names = ['ab', 'a', 'Abc'];
    for (const name of names) expect((await call(base, 'POST', api('/experiments/create'), { name })).status).toBe(200);
    const dup = await call(base, 'POST', api('/experiments/create'), { name: 'ab' });
    expect(dup.status).toBe(400);
    expect(dup.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    const byName = await call(base, 'POST', api('/experiments/search'), { filter: "name LIKE 'a%'", order_by: ['name DESC'] });
    expect((byName.body.experiments as { name: string }[]).map((e) => e.name)).toEqual(['ab', 'a']);
    const ilike = await call(base, 'POST', api('/experiments/search'), { filter: "name ILIKE 'a%'", order_by: ['name ASC'] });
    expect((ilike.body.experiments as { name: string }[]).map((e) => e.name)).toEqual(['Abc', 'a', 'ab']);
    const page1 = await call(base, 'GET', api('/experiments/search'), { max_results: '2' });
    expect((page1.body.experiments as unknown[]).length).toBe(2);
    expect(typeof page1.body.next_page_token).toBe('string');
    const id = (await call(base, 'GET', api('/experiments/get-by-name'), { experiment_name: 'Abc' })).body.experiment as { experiment_id: string };
    await call(base, 'POST', api('/experiments/delete'), { experiment_id: id.experiment_id });
    const deleted = await call(base, 'POST', api('/experiments/search'), { view_type: 'DELETED_ONLY' });
    expect((deleted.body.experiments as { name: string }[]).map((e) => e.name)).toEqual(['Abc']);
    const numeric = await call(base, 'POST', api('/experiments/search'), { view_type: 2 });
    expect((numeric.body.experiments as unknown[]).length).toBe(1);
    await call(base, 'POST', api('/experiments/restore'), { experiment_id: id.experiment_id });
    expect(((await call(base, 'GET', api('/experiments/get'), { experiment_id: id.experiment_id })).body.experiment as { lifecycle_stage: string }).lifecycle_stage).toBe('active');
    const missing = await call(base, 'GET', api('/experiments/get-by-name'), { experiment_name: 'zzz' });
    expect(missing.status).toBe(404);
  });

  it('runs: generated name, NaN/Infinity round trip, latest metric, history paging', async () => {
    const run = await newRun();
    const got = await call(base, 'GET', api('/runs/get'), { run_uuid: run.run_id });
    const info = (got.body.run as { info: Record<string, unknown>; data: { tags: { key: string; value: string }[] } });
    expect(info.info.run_name).toMatch(/^\w+-\w+-\d+$/);
    expect(info.info.end_time).toBeUndefined();
    expect(info.data.tags).toContainEqual({ key: 'mlflow.runName', value: info.info.run_name });
    const metrics = [
      { key: 'x', value: 'NaN', timestamp: 5, step: 0 },
      { key: 'y', value: 'Infinity', timestamp: 5, step: 0 },
      ...Array.from({ length: 25 }, (_, i) => ({ key: 'h', value: i / 10, timestamp: 100 + i, step: i })),
    ];
    expect((await call(base, 'POST', api('/runs/log-batch'), { run_id: run.run_id, metrics })).status).toBe(200);
    const latest = ((await call(base, 'GET', api('/runs/get'), { run_id: run.run_id })).body.run as { data: { metrics: { key: string; value: unknown }[] } }).data.metrics;
    expect(latest).toContainEqual(expect.objectContaining({ key: 'x', value: 'NaN' }));
    expect(latest).toContainEqual(expect.objectContaining({ key: 'y', value: 'Infinity' }));
    expect(latest).toContainEqual(expect.objectContaining({ key: 'h', value: 2.4 }));
    const all: unknown[] = [];
    let token: string | undefined;
    do {
      const page = await call(base, 'GET', api('/metrics/get-history'), { run_id: run.run_id, metric_key: 'h', max_results: '10', ...(token ? { page_token: token } : {}) });
      all.push(...(page.body.metrics as unknown[]));
      token = page.body.next_page_token as string | undefined;
    } while (token);
    expect(all).toHaveLength(25);
    const interval = await call(base, 'GET', api('/metrics/get-history-bulk-interval'), { run_ids: run.run_id, metric_key: 'h', max_results: '5' });
    expect((interval.body.metrics as { step: number }[]).map((m) => m.step)).toEqual([0, 6, 12, 18, 24]);
    const ended = await call(base, 'POST', api('/runs/update'), { run_id: run.run_id, status: 'FINISHED', end_time: 9999 });
    expect(ended.body.run_info).toMatchObject({ status: 'FINISHED', end_time: 9999 });
    const renamed = await call(base, 'POST', api('/runs/update'), { run_id: run.run_id, run_name: 'renamed' });
    expect(renamed.body.run_info).toMatchObject({ status: 'FINISHED', run_name: 'renamed' });
  });

  it('run search: filters, ordering with missing values last, paging 4/4/2', async () => {
    const exp = (await call(base, 'POST', api('/experiments/create'), { name: 'search-exp' })).body.experiment_id as string;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = (await call(base, 'POST', api('/runs/create'), { experiment_id: exp, start_time: 1000, run_name: `r${i}` })).body.run as { info: { run_id: string } };
      ids.push(r.info.run_id);
      const metrics = i === 9 ? [] : [{ key: 'acc', value: i / 10, timestamp: 1, step: 0 }];
      await call(base, 'POST', api('/runs/log-batch'), { run_id: r.info.run_id, metrics, params: [{ key: 'lr', value: i % 2 ? '0.1' : '0.2' }], tags: [{ key: 'team', value: i < 5 ? 'ml-core' : 'Ops' }] });
    }
    const q = (body: object) => call(base, 'POST', api('/runs/search'), { experiment_ids: [exp], ...body });
    const names = (r: { body: Record<string, unknown> }) => ((r.body.runs ?? []) as { info: { run_name: string } }[]).map((x) => x.info.run_name);
    expect(names(await q({ filter: "metrics.acc > 0.5 and params.lr = '0.1'", order_by: ['metrics.acc DESC'] }))).toEqual(['r7']);
    expect(names(await q({ filter: "tags.team LIKE 'ml%'", order_by: ['run_name'] }))).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(names(await q({ filter: "tags.team ILIKE 'OPS'", order_by: ['run_name'] }))).toEqual(['r5', 'r6', 'r7', 'r8', 'r9']);
    expect(names(await q({ filter: "tags.team LIKE 'ops'" }))).toEqual([]);
    expect(names(await q({ filter: `attributes.run_id IN ('${ids[2]}', '${ids[3]}')`, order_by: ['run_name'] }))).toEqual(['r2', 'r3']);
    const ordered = names(await q({ order_by: ['metrics.acc DESC'] }));
    expect(ordered[0]).toBe('r8');
    expect(ordered[ordered.length - 1]).toBe('r9');
    const asc = names(await q({ order_by: ['metrics.acc ASC'] }));
    expect(asc[asc.length - 1]).toBe('r9');
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const r = await q({ max_results: 4, ...(token ? { page_token: token } : {}) });
      pages.push(((r.body.runs ?? []) as { info: { run_id: string } }[]).map((x) => x.info.run_id));
      token = r.body.next_page_token as string | undefined;
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(pages.flat()).toEqual([...ids].sort());
  });

  it('registry: create, duplicate, versions, aliases, stages, search, download uri, delete', async () => {
    const run = await newRun();
    const create = await call(base, 'POST', api('/registered-models/create'), { name: 'churn', description: 'd' });
    expect(create.body.registered_model).toMatchObject({ name: 'churn', description: 'd' });
    expect((await call(base, 'POST', api('/registered-models/create'), { name: 'churn' })).body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    for (let i = 0; i < 2; i++) {
      const v = await call(base, 'POST', api('/model-versions/create'), { name: 'churn', source: `runs:/${run.run_id}/model`, run_id: run.run_id });
      expect(v.body.model_version).toMatchObject({ version: String(i + 1), status: 'READY', current_stage: 'None' });
    }
    const uri = await call(base, 'GET', api('/model-versions/get-download-uri'), { name: 'churn', version: '2' });
    expect(uri.body.artifact_uri).toBe(`${run.artifact_uri}/model`);
    expect((await call(base, 'POST', api('/registered-models/alias'), { name: 'churn', alias: 'champion', version: '1' })).status).toBe(200);
    for (const alias of ['latest', 'v3', 'bad alias!']) {
      expect((await call(base, 'POST', api('/registered-models/alias'), { name: 'churn', alias, version: '1' })).status).toBe(400);
    }
    const byAlias = await call(base, 'GET', api('/registered-models/alias'), { name: 'churn', alias: 'champion' });
    expect(byAlias.body.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    const model = (await call(base, 'GET', api('/registered-models/get'), { name: 'churn' })).body.registered_model as { aliases: unknown[] };
    expect(model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    await call(base, 'POST', api('/model-versions/transition-stage'), { name: 'churn', version: '1', stage: 'production' });
    const t = await call(base, 'POST', api('/model-versions/transition-stage'), { name: 'churn', version: '2', stage: 'Production', archive_existing_versions: true });
    expect(t.body.model_version).toMatchObject({ current_stage: 'Production' });
    expect(((await call(base, 'GET', api('/model-versions/get'), { name: 'churn', version: '1' })).body.model_version as { current_stage: string }).current_stage).toBe('Archived');
    expect((await call(base, 'POST', api('/model-versions/transition-stage'), { name: 'churn', version: '1', stage: 'Bogus' })).status).toBe(400);
    const latest = await call(base, 'POST', api('/registered-models/get-latest-versions'), { name: 'churn', stages: ['Production'] });
    expect((latest.body.model_versions as { version: string }[]).map((v) => v.version)).toEqual(['2']);
    const search = await call(base, 'GET', api('/model-versions/search'), { filter: `run_id = '${run.run_id}'` });
    expect((search.body.model_versions as unknown[]).length).toBe(2);
    for (const source of ['runs:/x/../../etc', 'mlflow-artifacts:/a/%2e%2e/b', 'file:///etc/passwd', '/tmp/model', 'http://h/a/%00']) {
      expect((await call(base, 'POST', api('/model-versions/create'), { name: 'churn', source })).status, source).toBe(400);
    }
    await fetch(`${base}${api('/model-versions/delete')}`, { method: 'DELETE', body: JSON.stringify({ name: 'churn', version: '1' }), headers: { 'content-type': 'application/json' } });
    expect((await call(base, 'GET', api('/registered-models/alias'), { name: 'churn', alias: 'champion' })).status).toBe(400);
    await fetch(`${base}${api('/registered-models/delete')}`, { method: 'DELETE', body: JSON.stringify({ name: 'churn' }), headers: { 'content-type': 'application/json' } });
    expect((await call(base, 'GET', api('/registered-models/get'), { name: 'churn' })).status).toBe(404);
  });

  it('logged models: create, finalize, tags, metrics linked, outputs, register by models:/ id', async () => {
    const run = await newRun();
    const created = await call(base, 'POST', api('/logged-models'), { experiment_id: '0', name: 'model', source_run_id: run.run_id, params: [{ key: 'a', value: '1' }] });
    const model = (created.body.model as { info: { model_id: string; artifact_uri: string; status: string } }).info;
    expect(model.model_id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model.status).toBe('LOGGED_MODEL_PENDING');
    expect(model.artifact_uri).toBe(`mlflow-artifacts:/0/models/${model.model_id}/artifacts`);
    await call(base, 'POST', api('/runs/outputs'), { run_id: run.run_id, models: [{ model_id: model.model_id, step: 0 }] });
    await call(base, 'POST', api('/runs/log-batch'), { run_id: run.run_id, metrics: [{ key: 'acc', value: 0.9, timestamp: 1, step: 0, model_id: model.model_id }] });
    const fin = await call(base, 'PATCH', api(`/logged-models/${model.model_id}`), { model_id: model.model_id, status: 'LOGGED_MODEL_READY' });
    expect((fin.body.model as { info: { status: string } }).info.status).toBe('LOGGED_MODEL_READY');
    await call(base, 'PATCH', api(`/logged-models/${model.model_id}/tags`), { tags: [{ key: 'k', value: 'v' }] });
    const got = (await call(base, 'GET', api(`/logged-models/${model.model_id}`))).body.model as { info: { tags: unknown[] }; data: { metrics: { run_id: string }[] } };
    expect(got.info.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(got.data.metrics[0]).toMatchObject({ key: 'acc', value: 0.9, run_id: run.run_id });
    const runGot = (await call(base, 'GET', api('/runs/get'), { run_id: run.run_id })).body.run as { outputs: unknown };
    expect(runGot.outputs).toEqual({ model_outputs: [{ model_id: model.model_id, step: 0 }] });
    const search = await call(base, 'POST', api('/logged-models/search'), { experiment_ids: ['0'], filter: "name = 'model' AND metrics.acc > 0.5" });
    expect((search.body.models as unknown[]).length).toBe(1);
    await call(base, 'POST', api('/registered-models/create'), { name: 'lm-reg' });
    const v = await call(base, 'POST', api('/model-versions/create'), { name: 'lm-reg', source: `models:/${model.model_id}`, model_id: model.model_id });
    expect(v.body.model_version).toMatchObject({ model_id: model.model_id, run_id: run.run_id });
    const dl = await call(base, 'GET', api('/model-versions/get-download-uri'), { name: 'lm-reg', version: '1' });
    expect(dl.body.artifact_uri).toBe(model.artifact_uri);
    await fetch(`${base}${api(`/logged-models/${model.model_id}`)}`, { method: 'DELETE', body: '{}', headers: { 'content-type': 'application/json' } });
    expect((await call(base, 'GET', api(`/logged-models/${model.model_id}`))).status).toBe(404);
    expect((await call(base, 'GET', api(`/logged-models/${model.model_id}`), { allow_deleted: 'true' })).status).toBe(200);
  });

  it('dataset inputs round trip and are searchable', async () => {
    const run = await newRun();
    const datasets = [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'iris', digest: 'abc123', source_type: 'local', source: '{"uri":"x"}', schema: '{}', profile: '{"rows":3}' } }];
    expect((await call(base, 'POST', api('/runs/log-inputs'), { run_id: run.run_id, datasets })).status).toBe(200);
    expect((await call(base, 'POST', api('/runs/log-inputs'), { datasets })).status).toBe(400);
    const got = (await call(base, 'GET', api('/runs/get'), { run_id: run.run_id })).body.run as { inputs: unknown };
    expect(got.inputs).toEqual({ dataset_inputs: datasets });
    const found = await call(base, 'POST', api('/runs/search'), { experiment_ids: ['0'], filter: "datasets.name = 'iris' AND datasets.context = 'training'" });
    expect(((found.body.runs ?? []) as { info: { run_id: string } }[]).map((r) => r.info.run_id)).toEqual([run.run_id]);
  });

  it('artifacts: nested upload, list at root and subdir, delete, multipart through the proxy', async () => {
    const run = await newRun();
    const root = run.artifact_uri.replace('mlflow-artifacts:/', '');
    const put = (p: string, body: string) => fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/${p}`, { method: 'PUT', body });
    await put('a.txt', 'a');
    await put('dir/b.json', '{"b":1}');
    const list = await call(base, 'GET', '/api/2.0/mlflow-artifacts/artifacts', { path: root });
    expect(list.body).toEqual({ files: [{ path: 'a.txt', is_dir: false, file_size: 1 }, { path: 'dir', is_dir: true }] });
    const runList = await call(base, 'GET', api('/artifacts/list'), { run_id: run.run_id, path: 'dir' });
    expect(runList.body).toEqual({ root_uri: run.artifact_uri, files: [{ path: 'dir/b.json', is_dir: false, file_size: 7 }] });
    const json = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/dir/b.json`);
    expect(json.headers.get('content-type')).toBe('text/plain');
    expect(await json.text()).toBe('{"b":1}');
    const mpu = await call(base, 'POST', `/api/2.0/mlflow-artifacts/mpu/create/${root}`, { path: '/home/me/outputs/big.bin', num_parts: 2 });
    const creds = mpu.body.credentials as { url: string; part_number: number }[];
    const partSize = 5 * 1024 * 1024;
    const parts = [] as { part_number: number; etag: string }[];
    for (const c of creds.reverse()) {
      const body = Buffer.alloc(c.part_number === 1 ? partSize : 10, c.part_number);
      const res = await fetch(c.url, { method: 'PUT', body });
      expect(res.status).toBe(200);
      parts.push({ part_number: c.part_number, etag: res.headers.get('etag')! });
    }
    const done = await call(base, 'POST', `/api/2.0/mlflow-artifacts/mpu/complete/${root}`, { path: '/home/me/outputs/big.bin', upload_id: mpu.body.upload_id, parts });
    expect(done.status).toBe(200);
    const big = Buffer.from(await (await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/big.bin`)).arrayBuffer());
    expect(big.length).toBe(partSize + 10);
    expect(big[0]).toBe(1);
    expect(big[big.length - 1]).toBe(2);
    expect((await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/dir`, { method: 'DELETE' })).status).toBe(200);
    const after = await call(base, 'GET', '/api/2.0/mlflow-artifacts/artifacts', { path: root });
    expect((after.body.files as { path: string }[]).map((f) => f.path)).toEqual(['a.txt', 'big.bin']);
  });

  it('concurrent writers on SQLite all succeed', async () => {
    const run = await newRun();
    const results = await Promise.all(Array.from({ length: 64 }, (_, w) =>
      call(base, 'POST', api('/runs/log-batch'), { run_id: run.run_id, metrics: Array.from({ length: 50 }, (_, i) => ({ key: `w${w % 8}`, value: i, timestamp: w, step: i })) })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const hist = await call(base, 'GET', api('/metrics/get-history'), { run_id: run.run_id, metric_key: 'w0' });
    expect((hist.body.metrics as unknown[]).length).toBe(8 * 50);
  });
});

describe('log-batch size limit without Content-Length', () => {
  it('measures the body itself (chunked transfer)', async () => {
    const run = await newRun();
    const body = JSON.stringify({ run_id: run.run_id, tags: [{ key: 't', value: 'x'.repeat(1_100_000) }] });
    const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(body)); c.close(); } });
    const res = await fetch(`${base}${api('/runs/log-batch')}`, { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/at most 1000000 bytes/);
  });
});
