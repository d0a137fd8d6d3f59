/**
 * Automatic references on a real server: a dataset version is added through the data API, linked
 * to a run as its training input, a model trained with @capstan/train is registered from that run
 * and deployed; the monitor's reference is then that dataset scored by the deployed model, and
 * follows the deployment to the next version's training data. A reference set by hand is kept;
 * models without a Capstan training dataset, or whose dataset lacks an input, get a readable
 * status instead of an error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapstanClient, DataApi, MonitoringApi, ServingApi } from '@capstan/client';
import { logModel, train } from '@capstan/train';
import { startCapstan } from '../../../src/main.js';
import { waitFor } from '../../support/wait.js';
import { addVersion } from '../../data/helpers.js';
import { seededRandom } from '../../support/random.js';

interface Rows { plan: string[]; tenure: (number | null)[]; spend: number[]; churn: string[] }

function rows(n: number, seed: number, shift = 0): Rows {
  const rand = seededRandom(seed);
  const out: Rows = { plan: [], tenure: [], spend: [], churn: [] };
  for (let i = 0; i < n; i++) {
    const p = ['basic', 'pro', 'team'][Math.floor(rand() * 3)]!;
    const t = Math.round((rand() * 40 + shift * 30) * 100) / 100;
    const m = Math.round((rand() * 100 + shift * 80) * 100) / 100;
    out.plan.push(p);
    out.tenure.push(i % 17 === 0 ? null : t);
    out.spend.push(m);
    out.churn.push((p === 'basic' ? 0.3 : 0) + (t < 10 ? 0.4 : 0) + rand() * 0.5 > 0.6 ? 'yes' : 'no');
  }
  return out;
}

function csv(data: Rows, columns: (keyof Rows)[] = ['plan', 'tenure', 'spend', 'churn']): string {
  const lines = [columns.join(',')];
  for (let i = 0; i < data.plan.length; i++) lines.push(columns.map((c) => data[c][i] ?? '').join(','));
  return `${lines.join('\n')}\n`;
}

describe('automatic references from the training dataset', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startCapstan>>;
  let client: CapstanClient;
  let data: DataApi;
  let mon: MonitoringApi;
  let serving: ServingApi;
  const first = rows(400, 5);
  const second = rows(300, 9, 1);

  /** Trains on `table`, logs the model on a new run linked to `dataset@version` (if given) and registers it. */
  async function register(name: string, table: Rows, dataset?: { name: string; version: number; context?: string }): Promise<void> {
    const model = train({ data: table, label: 'churn', kind: 'logistic_regression', seed: 3 });
    const run = await client.runs.create(undefined, { run_name: name });
    if (dataset) await data.linkRun(dataset.name, dataset.version, run.info.run_id, dataset.context);
    await logModel(client, model, { runId: run.info.run_id, registeredModelName: name });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capstan-auto-reference-'));
    server = await startCapstan({
      host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(dir, 'capstan.db')}`, artifactsDestination: join(dir, 'artifacts'),
      serving: { syncIntervalMs: 0, canaryIntervalMs: 0 }, monitoring: { evaluateIntervalMs: 0 },
    });
    client = new CapstanClient({ baseUrl: server.url });
    data = new DataApi({ baseUrl: server.url });
    mon = new MonitoringApi({ baseUrl: server.url });
    serving = new ServingApi({ baseUrl: server.url });
    await addVersion(data, 'churn-train', { 'train.csv': csv(first) });
    await addVersion(data, 'churn-train', { 'train.csv': csv(second) });
    await addVersion(data, 'churn-narrow', { 'train.csv': csv(first, ['plan', 'spend', 'churn']) });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the reference from the served version\'s training data, scored by the model', async () => {
    await register('churn', first, { name: 'churn-train', version: 1, context: 'training' });
    await serving.create('churn', { variants: [{ modelUri: 'models:/churn/1' }] });
    const monitor = await mon.create('churn', { task: 'classification', positiveClass: 'yes', targetColumn: 'churn', segmentColumns: ['plan'] });
    expect(monitor.referenceCapture).toMatchObject({ status: 'captured', model: 'churn', version: '1', dataset: 'churn-train@1' });
    const { reference } = await mon.get('churn');
    expect(reference).toMatchObject({ rows: 400, features: ['plan', 'spend', 'tenure'], labeledRows: 400 });
    expect(reference!.source).toBe('dataset:churn-train@1 for churn/1');
    expect(reference!.segmentValues!.plan!.sort()).toEqual(['basic', 'pro', 'team']);

    // The reference's accuracy is the deployed model's on the same rows.
    const records = first.plan.map((_, i) => ({ plan: first.plan[i], tenure: first.tenure[i], spend: first.spend[i] }));
    const { predictions } = await serving.invocations('churn', { dataframe_records: records });
    const hits = (predictions as { label: string }[]).filter((p, i) => p.label === first.churn[i]).length;
    expect(reference!.performance.accuracy).toBeCloseTo(hits / 400, 12);
    expect(reference!.performance.roc_auc).toBeGreaterThan(0.7);
    expect(reference!.calibration?.reason).toMatch(/ECE/);
  });

  it('follows the deployment to the next version\'s training data', async () => {
    await register('churn', second, { name: 'churn-train', version: 2 });
    await serving.update('churn', { variants: [{ modelUri: 'models:/churn/2' }] });
    await waitFor('the reference of churn/2', async () => ((await mon.get('churn')).reference?.source === 'dataset:churn-train@2 for churn/2' ? true : undefined), 30_000);
    const { monitor, reference } = await mon.get('churn');
    expect(reference!.rows).toBe(300);
    expect(monitor.referenceCapture).toMatchObject({ status: 'captured', version: '2', dataset: 'churn-train@2' });
    const again = await mon.captureReference('churn');
    expect(again.capture.status).toBe('captured');
    expect(again.capture.message).toMatch(/already churn-train@2/);
    expect(again.reference!.createdAt).toBe(reference!.createdAt);
  });

  it('drift is computed against the automatic reference (the 400 rows scored above and 80 shifted ones)', async () => {
    const shifted = rows(80, 21, 2);
    const records = shifted.plan.map((_, i) => ({ plan: shifted.plan[i], tenure: shifted.tenure[i], spend: shifted.spend[i] }));
    await serving.invocations('churn', { dataframe_records: records });
    const { windows } = await mon.drift('churn');
    const last = windows.filter((w) => w.rows > 0).at(-1)!;
    expect(last.rows).toBe(480);
    expect(last.inputs!.columns.spend!.drift_detected).toBe(true);
    expect(last.predictions).not.toBeNull();
  });

  it('draws a feature\'s distribution against the automatic reference (from its stored profile)', async () => {
    const spend = await mon.distribution('churn', 'spend');
    expect(spend).toMatchObject({ kind: 'num', exact: true, reference: { rows: 300, missing: 0 }, current: { rows: 480, missing: 0 } });
    const { edges, reference: shares } = spend.bins!;
    const expected = edges.slice(1).map(() => 0);
    for (const v of second.spend) expected[Math.max(0, edges.slice(1).findIndex((e) => v <= e))]! += 1 / second.spend.length;
    shares.forEach((x, i) => expect(x, `bin ${i}`).toBeCloseTo(expected[i]!, 12));
    expect(spend.bins!.current.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const tenure = await mon.distribution('churn', 'tenure');
    expect(tenure.reference.missing).toBe(second.tenure.filter((t) => t === null).length);
    const plan = await mon.distribution('churn', 'plan');
    expect(plan.kind).toBe('cat');
    expect([...plan.categories!.values].sort()).toEqual(['basic', 'pro', 'team']);
    const basic = plan.categories!.values.indexOf('basic');
    expect(plan.categories!.reference[basic]).toBeCloseTo(second.plan.filter((p) => p === 'basic').length / 300, 12);
    await expect(mon.distribution('churn', 'nope')).rejects.toThrow(/neither the reference nor the log/);
  });

  it('keeps a reference set by hand', async () => {
    const manual = first.plan.slice(0, 50).map((_, i) => ({ plan: first.plan[i], tenure: first.tenure[i] ?? 1, spend: first.spend[i], churn: first.churn[i] }));
    await mon.setReference('churn', { records: manual });
    await serving.update('churn', { variants: [{ modelUri: 'models:/churn/1' }] });
    await waitFor('the capture to be skipped', async () => ((await mon.get('churn')).monitor.referenceCapture?.status === 'skipped' ? true : undefined), 30_000);
    const { monitor, reference } = await mon.get('churn');
    expect(reference!.source).toBe('rows');
    expect(reference!.rows).toBe(50);
    expect(monitor.referenceCapture!.message).toMatch(/set by hand \(rows\) is kept/);
  });

  it('says why when there is no usable training dataset, and stores nothing', async () => {
    await register('plain', first);
    await serving.create('plain', { variants: [{ modelUri: 'models:/plain/1' }] });
    const plain = await mon.create('plain', { task: 'classification', positiveClass: 'yes', targetColumn: 'churn' });
    expect(plain.referenceCapture).toMatchObject({ status: 'skipped', model: 'plain', version: '1' });
    expect(plain.referenceCapture!.message).toMatch(/no Capstan dataset input/);
    expect((await mon.get('plain')).reference).toBeNull();

    await register('narrow', first, { name: 'churn-narrow', version: 1 });
    await serving.create('narrow', { variants: [{ modelUri: 'models:/narrow/1' }] });
    const narrow = await mon.create('narrow', { task: 'classification', positiveClass: 'yes', targetColumn: 'churn' });
    expect(narrow.referenceCapture).toMatchObject({ status: 'failed', dataset: 'churn-narrow@1' });
    expect(narrow.referenceCapture!.message).toMatch(/lacks the model's inputs tenure/);
    expect((await mon.get('narrow')).reference).toBeNull();

    const off = await mon.create('churn-off', { task: 'classification' }).catch((e: Error) => e);
    expect(off).toBeInstanceOf(Error);
    expect((await fetch(`${server.url}/api/v1/monitors/ghost/reference/capture`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
  });

  it('can be turned off per monitor', async () => {
    await serving.create('quiet', { variants: [{ modelUri: 'models:/churn/1' }] });
    const quiet = await mon.create('quiet', { task: 'classification', positiveClass: 'yes', targetColumn: 'churn', autoReference: false });
    expect(quiet.referenceCapture).toMatchObject({ status: 'skipped' });
    expect(quiet.autoReference).toBe(false);
    expect((await mon.get('quiet')).reference).toBeNull();
  });
});
