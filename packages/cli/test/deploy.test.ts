/**
 * `capstan deploy` and `capstan models serve` driven through the built CLI (dist/bin.js in a
 * child process) against a real server, with models trained in scikit-learn, converted with
 * skl2onnx and registered by the real mlflow client (the serving fixtures). Predictions are
 * compared with Python onnxruntime's on the same inputs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireDeployment, WireDeploymentChange } from '@capstan/api';
import { ServingApi } from '@capstan/client';
import { startTestServer } from '../../server/test/http/helpers.js';
import { makeModels, pythonMissing, type Expected } from '../../server/test/serving/fixtures.js';
import { watchCanary } from '../src/commands/deploy.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const missing = pythonMissing();
const suite = missing ? describe.skip : describe;

interface Result { code: number | null; stdout: string; stderr: string }

let s: Awaited<ReturnType<typeof startTestServer>>;
let e: Expected;
let api: ServingApi;

function start(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Result>; stdout: () => string } {
  const full: NodeJS.ProcessEnv = { ...process.env, CAPSTAN_TRACKING_URI: s.url, USER: 'alice', ...env };
  delete full.MLFLOW_TRACKING_URI;
  delete full.MLFLOW_TRACKING_USERNAME;
  delete full.CAPSTAN_TRACKING_TOKEN;
  delete full.MLFLOW_TRACKING_TOKEN;
  const child = spawn(process.execPath, [BIN, ...args], { env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Result>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
}

const cli = (args: string[], env?: NodeJS.ProcessEnv) => start(args, env).done;

async function json<T>(args: string[]): Promise<T> {
  const r = await cli([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const split = (rows: number[][]) => JSON.stringify({ dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: rows } });

function closeTo(actual: number[][], expected: number[][], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - expected[i]![j]!)).toBeLessThan(tol)));
}

suite(`capstan deploy / models serve (Python fixtures${missing ? `: skipped, ${missing}` : ''})`, () => {
  beforeAll(async () => {
    s = await startTestServer(undefined, { serving: { syncIntervalMs: 0, canaryIntervalMs: 50 } });
    e = await makeModels(s.url, s.dir);
    api = new ServingApi({ baseUrl: s.url });
  }, 300_000);
  afterAll(async () => s?.close());

  it('create, list, show and predict (MLflow scoring and OIP) equal Python onnxruntime', async () => {
    const created = await cli(['deploy', 'create', 'churn', '--model', 'models:/churn/1', '--workers', '2', '--max-batch-rows', '64']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("Created deployment 'churn' (revision 1): churn/1 100%");

    const list = await cli(['deploy', 'list']);
    expect(list.stdout).toMatch(/^NAME\s+VERSIONS\s+SHADOW\s+CANARY\s+REV\s+UPDATED/);
    expect(list.stdout).toMatch(/churn\s+churn\/1 100%/);

    const rows = e.churn.inputs.slice(0, 5);
    const want = e.churn.versions['1']!;
    const mlflow = await cli(['deploy', 'predict', 'churn', '--data', split(rows)]);
    expect(mlflow.code, mlflow.stderr).toBe(0);
    expect(mlflow.stderr).toContain('answered by churn/1');
    const preds = (JSON.parse(mlflow.stdout) as { predictions: { label: number; probabilities: number[] }[] }).predictions;
    expect(preds.map((p) => p.label)).toEqual(want.label.slice(0, 5));
    closeTo(preds.map((p) => p.probabilities), want.probabilities.slice(0, 5), 1e-6);

    const file = join(s.dir, 'oip.json');
    await writeFile(file, JSON.stringify({ id: 'cli-1', inputs: [{ name: 'X', shape: [5, 4], datatype: 'FP32', data: rows }] }));
    const oip = await json<{ id: string; outputs: { name: string; data: number[] }[]; answeredBy: string }>(['deploy', 'predict', 'churn', '--data', `@${file}`, '--model-version', '1']);
    expect(oip.id).toBe('cli-1');
    expect(oip.answeredBy).toBe('churn/1');
    expect(oip.outputs.find((o) => o.name === 'label')!.data).toEqual(want.label.slice(0, 5));

    const show = await cli(['deploy', 'show', 'churn']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/Created:\s+.* by alice/);
    expect(show.stdout).toMatch(/Workers:\s+2/);
    expect(show.stdout).toMatch(/Max batch rows:\s+64/);
    expect(show.stdout).toMatch(/MODEL\s+VERSION\s+ROLE\s+WEIGHT\s+REQUESTS\s+ERRORS\s+ERROR %\s+P99 MS\s+QUEUED\s+IN FLIGHT/);
    expect(show.stdout).toMatch(/churn\s+1\s+serving\s+100%\s+2\s+0\s+0\.00\s+\d+\.\d\d\s+0\s+0/);
  });

  it('refuses bad input with clear errors, a non-zero exit and nothing stored', async () => {
    const unknown = await cli(['deploy', 'create', 'bad', '--model', 'models:/nope/1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/capstan: RESOURCE_DOES_NOT_EXIST: .*nope/);

    const sum = await cli(['deploy', 'create', 'bad', '--model', 'models:/churn/1=60', '--model', 'models:/churn/2=60']);
    expect(sum.code).toBe(1);
    expect(sum.stderr).toContain('Traffic weights must sum to 100; they sum to 120');
    const over = await cli(['deploy', 'create', 'bad', '--model', 'models:/churn/1=120']);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/weight '120' .* must be a number from 0 to 100/);
    const notUri = await cli(['deploy', 'create', 'bad', '--model', 'churn/1']);
    expect(notUri.code).toBe(1);
    expect(notUri.stderr).toContain("'churn/1' is not a registry URI");
    const noModel = await cli(['deploy', 'create', 'bad']);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toContain('Give at least one --model');
    const badShadow = await cli(['deploy', 'create', 'bad', '--model', 'models:/churn/1', '--shadow', 'models:/churn/2=2']);
    expect(badShadow.code).toBe(1);
    expect(badShadow.stderr).toContain('must be greater than 0 and at most 1');

    const pickled = await cli(['deploy', 'create', 'bad', '--model', 'models:/pickled/1']);
    expect(pickled.code).toBe(1);
    expect(pickled.stderr).toMatch(/INVALID_PARAMETER_VALUE: .*skl2onnx/);

    const malformed = await cli(['deploy', 'predict', 'churn', '--data', '{"dataframe_split": [1,']);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/--data is not valid JSON/);
    const noFile = await cli(['deploy', 'predict', 'churn', '--data', `@${join(s.dir, 'missing.json')}`]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('Cannot read --data file');
    const wrongShape = await cli(['deploy', 'predict', 'churn', '--data', '{"rows": [[1,2,3,4]]}']);
    expect(wrongShape.code).toBe(1);
    expect(wrongShape.stderr).toMatch(/--data must have one of dataframe_split, dataframe_records, instances, inputs.*got keys rows/);
    const badColumns = await cli(['deploy', 'predict', 'churn', '--data', split([[1, 2, 3]])]);
    expect(badColumns.code).toBe(1);
    expect(badColumns.stderr).toContain("capstan: INVALID_PARAMETER_VALUE: 'dataframe_split.data[0]' has 3 value(s) but there are 4 columns.");
    const badTensor = await cli(['deploy', 'predict', 'churn', '--data', JSON.stringify({ inputs: [{ name: 'X', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] })]);
    expect(badTensor.code).toBe(1);
    expect(badTensor.stderr).toBe("capstan: BAD_REQUEST: input 'X': dimension 1 is 3; the model expects 4 (shape [-1, 4]).\n");
    const versionOnScoring = await cli(['deploy', 'predict', 'churn', '--data', split([[1, 2, 3, 4]]), '--model-version', '1']);
    expect(versionOnScoring.stderr).toContain('--model-version needs an OIP request');
    const noDeployment = await cli(['deploy', 'predict', 'ghost', '--data', split([[1, 2, 3, 4]])]);
    expect(noDeployment.code).toBe(1);
    expect(noDeployment.stderr).toContain('ghost');
    expect((await cli(['deploy', 'show', 'ghost'])).code).toBe(1);
    expect((await cli(['deploy', 'promote', 'churn'])).stderr).toContain('no running canary');
    expect((await cli(['deploy', 'create', 'x', '--model', 'models:/churn/1', '--tracking-uri', 'ftp://x'])).stderr).toContain('--tracking-uri must be an http(s) URL');

    expect((await api.list()).map((d) => d.name)).toEqual(['churn']);
    expect((await api.history('churn')).length).toBe(1);
  });

  it('update: weights, sticky header, shadow; flags not given keep their value', async () => {
    const r = await cli(['deploy', 'update', 'churn', '--model', 'models:/churn/1=70', '--model', 'models:/churn/2=30', '--sticky-header', 'X-User']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('churn/1 70%, churn/2 30%');
    let d = (await api.get('churn')).deployment;
    expect(d.spec.variants.map((v) => [v.version, v.weight])).toEqual([['1', 70], ['2', 30]]);
    expect(d.spec.stickyHeader).toBe('x-user');
    expect(d.spec.workers).toBe(2);

    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const p = await cli(['deploy', 'predict', 'churn', '--data', split([[0, 0, 0, 0]]), '--header', 'x-user:42']);
      expect(p.code, p.stderr).toBe(0);
      answers.add(/answered by (\S+)/.exec(p.stderr)![1]!);
    }
    expect(answers.size).toBe(1);

    const shadow = await cli(['deploy', 'update', 'churn', '--model', 'models:/churn/1', '--shadow', 'models:/churn/2=0.5']);
    expect(shadow.code, shadow.stderr).toBe(0);
    d = (await api.get('churn')).deployment;
    expect(d.spec.variants).toEqual([{ model: 'churn', version: '1', weight: 100 }]);
    expect(d.spec.shadow).toEqual({ model: 'churn', version: '2', fraction: 0.5 });
    expect(d.spec.stickyHeader).toBe('x-user');
    const show = await cli(['deploy', 'show', 'churn']);
    expect(show.stdout).toMatch(/Shadow:\s+churn\/2 \(copy of 50% of requests\)/);
    expect(show.stdout).toMatch(/churn\s+2\s+shadow\s+×0\.5/);

    const off = await cli(['deploy', 'update', 'churn', '--no-shadow', '--no-sticky-header']);
    expect(off.code, off.stderr).toBe(0);
    d = (await api.get('churn')).deployment;
    expect(d.spec.shadow ?? null).toBeNull();
    expect(d.spec.stickyHeader ?? null).toBeNull();
    expect(d.spec.variants).toEqual([{ model: 'churn', version: '1', weight: 100 }]);
    expect(d.spec.maxBatchRows).toBe(64);
  });

  it('canary, promote, rollback with a reason; history shows who and what', async () => {
    const c = await cli(['deploy', 'canary', 'churn', '--model', 'models:/churn/2', '--steps', '10,50,100', '--step-seconds', '3600']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('running: step 1/3 (10%); churn/1 → churn/2, steps 10→50→100% every 3600s');
    const again = await cli(['deploy', 'canary', 'churn', '--model', 'models:/churn/2']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has a running canary');

    const p = await cli(['deploy', 'promote', 'churn']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain("Promoted: 'churn' now serves churn/2 100%");
    const pred = await cli(['deploy', 'predict', 'churn', '--data', split(e.churn.inputs)]);
    expect(pred.stderr).toContain('answered by churn/2');
    expect((JSON.parse(pred.stdout) as { predictions: { label: number }[] }).predictions.map((x) => x.label)).toEqual(e.churn.versions['2']!.label);

    const rb = await cli(['deploy', 'rollback', 'churn', '--reason', 'v2 too slow'], { USER: 'bob' });
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.stdout).toContain("Rolled back: 'churn' now serves");
    const after = (await api.get('churn')).deployment;
    expect(after.spec.variants.find((v) => v.version === '1')?.weight).toBeGreaterThan(0);

    const history = await json<{ changes: WireDeploymentChange[] }>(['deploy', 'history', 'churn']);
    expect(history.changes.map((h) => [h.action, h.user])).toEqual([
      ['rollback', 'bob'], ['canary_promote', 'alice'], ['canary_start', 'alice'], ['update', 'alice'], ['update', 'alice'], ['update', 'alice'], ['create', 'alice'],
    ]);
    expect(history.changes[0]!.summary).toContain('v2 too slow');
    const table = await cli(['deploy', 'history', 'churn', '--limit', '3']);
    expect(table.stdout).toMatch(/^REV\s+TIME\s+USER\s+ACTION\s+SUMMARY/);
    expect(table.stdout.trim().split('\n')).toHaveLength(4);
    expect(table.stdout).toMatch(/bob\s+rollback\s+rolled back to revision \d+ .*v2 too slow/);
    expect(table.stdout).toMatch(/alice\s+canary_promote/);
  });

  it('canary --watch follows an automatic promotion to the end (exit 0)', async () => {
    expect((await cli(['deploy', 'create', 'auto', '--model', 'models:/churn/1'])).code).toBe(0);
    const r = await cli(['deploy', 'canary', 'auto', '--model', 'models:/churn/2', '--steps', '50,100', '--step-seconds', '1', '--min-requests', '0', '--watch', '--interval', '50']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Canary churn/2 promoted (all steps passed): churn/2 100%');
    expect(r.stderr).toContain('canary churn/2: step 1/2 at 50%');
    const history = await api.history('auto');
    expect(history[0]).toMatchObject({ action: 'canary_promote', user: 'capstan' });
    expect(history.map((h) => h.action)).toContain('canary_step');
  });

  it('canary --watch reports an automatic rollback on latency with exit 3', async () => {
    expect((await cli(['deploy', 'create', 'auto2', '--model', 'models:/churn/1'])).code).toBe(0);
    const run = start(['deploy', 'canary', 'auto2', '--model', 'models:/churn/2', '--steps', '50,100', '--step-seconds', '3600', '--max-p99-ms', '0.000001', '--min-requests', '1', '--watch', '--interval', '50']);
    let exited = false;
    void run.done.then(() => (exited = true));
    let running = false;
    for (let i = 0; i < 400 && !running && !exited; i++) {
      running = (await api.get('auto2')).deployment.spec.canary?.status === 'running';
      if (!running) await new Promise((r) => setTimeout(r, 25));
    }
    expect(running || exited).toBe(true);
    for (let i = 0; i < 400 && !exited; i++) {
      await api.invocations('auto2', { instances: [[0, 0, 0, 0]] }).catch(() => undefined);
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 20));
    }
    const r = await run.done;
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/Canary churn\/2 rolled back: p99 latency .* > 0\.000001 ms .*; serving churn\/1 100%/);
    const d: WireDeployment = (await api.get('auto2')).deployment;
    expect(d.spec.variants).toEqual([{ model: 'churn', version: '1', weight: 100 }]);
  });

  it('the watch view redraws one status line on a terminal until the canary ends', async () => {
    await api.create('tty', { variants: [{ modelUri: 'models:/churn/1' }] });
    await api.canary('tty', { modelUri: 'models:/churn/2' }, { steps: [50, 100], stepSeconds: 1.5, minRequests: 0 });
    let text = '';
    const final = await watchCanary(api, 'tty', 20, { isTTY: true, columns: 200, write: (t: string) => (text += t) });
    expect(final.spec.canary).toMatchObject({ status: 'promoted', reason: 'all steps passed' });
    expect(text).toContain('\r\x1b[2Kcanary churn/2 [50%…][100%] step 1/2 at 50%: 0 req, 0 err, p99 0.00 ms; next in');
    expect(text).toContain('[50%✓][100%…] step 2/2 at 100%');
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
    expect(text).not.toContain('\n');
    await api.delete('tty');
  });

  it('delete removes the deployment; its endpoint stops answering', async () => {
    const r = await cli(['deploy', 'delete', 'auto2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Deleted deployment 'auto2'");
    expect((await api.list()).map((d) => d.name).sort()).toEqual(['auto', 'churn']);
    expect((await cli(['deploy', 'predict', 'auto2', '--data', split([[0, 0, 0, 0]])])).code).toBe(1);
    expect((await api.history('auto2'))[0]).toMatchObject({ action: 'delete', user: 'alice' });
  });

  describe('models serve', () => {
    async function serve(uri: string, extra: string[] = []): Promise<{ run: ReturnType<typeof start>; url: string }> {
      const run = start(['models', 'serve', '-m', uri, '-p', '0', '-h', '127.0.0.1', ...extra]);
      let exited: Result | null = null;
      void run.done.then((r) => (exited = r));
      for (let i = 0; i < 1200; i++) {
        const m = /at (http:\/\/\S+)/.exec(run.stdout());
        if (m) return { run, url: m[1]! };
        if (exited) throw new Error(`models serve exited ${(exited as Result).code}: ${(exited as Result).stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      run.child.kill('SIGTERM');
      throw new Error('models serve did not print its URL');
    }

    const temps = async () => (await readdir(tmpdir())).filter((f) => f.startsWith('capstan-serve-')).sort();

    async function stop(run: ReturnType<typeof start>): Promise<Result> {
      run.child.kill('SIGINT');
      return run.done;
    }

    it('serves a registry URI (alias) like mlflow models serve: /ping, /version, /invocations equal Python onnxruntime', async () => {
      await fetch(`${s.url}/api/2.0/mlflow/registered-models/alias`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'churn', alias: 'champion', version: '2' }) });
      const { run, url } = await serve('models:/churn@champion', ['--workers', '2']);
      expect(run.stdout()).toContain('(churn version 2)');
      expect((await fetch(`${url}/ping`)).status).toBe(200);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const version = await fetch(`${url}/version`);
      expect(version.status).toBe(200);
      expect(await version.text()).toMatch(/^\d+\.\d+/);
      const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: split(e.churn.inputs) });
      expect(res.status).toBe(200);
      const preds = ((await res.json()) as { predictions: { label: number; probabilities: number[] }[] }).predictions;
      const want = e.churn.versions['2']!;
      expect(preds.map((p) => p.label)).toEqual(want.label);
      closeTo(preds.map((p) => p.probabilities), want.probabilities, 1e-5);
      const oip = await fetch(`${url}/v2/models/churn/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'X', shape: [2, 4], datatype: 'FP32', data: e.churn.inputs.slice(0, 2) }] }) });
      expect(((await oip.json()) as { outputs: { name: string; data: number[] }[] }).outputs.find((o) => o.name === 'label')!.data).toEqual(want.label.slice(0, 2));
      const bad = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dataframe_split": {"columns": ["a"], "data": [["x"]]}}' });
      expect(bad.status).toBe(400);
      const r = await stop(run);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('Received SIGINT; shutting down');
      await expect(fetch(`${url}/ping`)).rejects.toThrow();
    });

    it('serves models:/NAME/VERSION, a runs:/ URI and a models:/<model-id> URI (MLflow 3 logged model) and a local directory the same way; SIGTERM stops it and the download is removed', async () => {
      const v1 = await fetch(`${s.url}/api/2.0/mlflow/model-versions/get?name=churn&version=1`);
      const { run_id: runId, source } = ((await v1.json()) as { model_version: { run_id: string; source: string } }).model_version;
      const mlmodels = (await readdir(join(s.dir, 'artifacts'), { recursive: true })).filter((f) => f.endsWith('MLmodel'));
      const sources = await Promise.all(mlmodels.map(async (f) => dirname(join(s.dir, 'artifacts', f))));
      expect(source).toMatch(/^models:\/m-/);
      const local = sources.find((d) => d.includes(`/${source.slice('models:/'.length)}/`));
      expect(local, `${source} among ${sources.join(', ')}`).toBeTruthy();
      const before = await temps();
      for (const uri of ['models:/churn/1', `runs:/${runId}/model`, source, local!]) {
        const { run, url } = await serve(uri, ['--name', 'churn']);
        if (uri !== local) expect((await temps()).length).toBe(before.length + 1);
        const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: e.churn.inputs }) });
        expect(res.status, uri).toBe(200);
        expect(((await res.json()) as { predictions: { label: number[] } }).predictions.label).toEqual(e.churn.versions['1']!.label);
        run.child.kill('SIGTERM');
        const r = await run.done;
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain('Received SIGTERM');
        expect(await temps()).toEqual(before);
      }
    });

    it('refuses a pickled scikit-learn model at start with the skl2onnx hint, and unknown URIs', async () => {
      const before = await temps();
      const pickled = await cli(['models', 'serve', '-m', 'models:/pickled/1', '-p', '0']);
      expect(pickled.code).toBe(1);
      expect(pickled.stderr).toMatch(/capstan: INVALID_PARAMETER_VALUE: .*skl2onnx/);
      expect(pickled.stdout).not.toContain('Serving');
      expect(await temps()).toEqual(before);
      const unknown = await cli(['models', 'serve', '-m', 'models:/nope/1', '-p', '0']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/RESOURCE_DOES_NOT_EXIST: .*nope/);
      const scheme = await cli(['models', 'serve', '-m', 's3://bucket/model', '-p', '0']);
      expect(scheme.code).toBe(1);
      expect(scheme.stderr).toContain("Unsupported model URI 's3://bucket/model'");
      const dir = await cli(['models', 'serve', '-m', join(s.dir, 'no-such-dir'), '-p', '0']);
      expect(dir.code).toBe(1);
      expect(dir.stderr).toContain('No model directory at');
      const port = await cli(['models', 'serve', '-m', 'models:/churn/1', '-p', '70000']);
      expect(port.code).toBe(1);
      expect(port.stderr).toContain('--port must be an integer from 0 to 65535');
    });
  });
});
