/**
 * Models trained in TypeScript (@capstan/train), logged and registered through the client, then
 * deployed: the served predictions equal the trainer's own, through both protocols.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapstanClient, ServingApi } from '@capstan/client';
import { logModel, train } from '@capstan/train';
import { call, startTestServer } from '../http/helpers.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;

function dataset(n: number, seed: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const plan: string[] = [];
  const tenure: (number | null)[] = [];
  const spend: number[] = [];
  const churn: string[] = [];
  const value: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = ['basic', 'pro', 'team'][Math.floor(rand() * 3)]!;
    const t = rand() * 40;
    const m = rand() * 100;
    plan.push(p);
    tenure.push(i % 17 === 0 ? null : t);
    spend.push(m);
    churn.push((p === 'basic' ? 0.3 : 0) + (t < 10 ? 0.4 : 0) + rand() * 0.5 > 0.6 ? 'yes' : 'no');
    value.push(2 * m + (p === 'team' ? 30 : 0) - t + rand() * 5);
  }
  return { plan, tenure, spend, churn, value };
}

describe('serving models trained with @capstan/train', () => {
  let s: Server;
  const data = dataset(600, 11);
  const test = dataset(25, 99);
  const records = test.plan.map((_, i) => ({ plan: test.plan[i], tenure: test.tenure[i], spend: test.spend[i] }));

  beforeAll(async () => {
    s = await startTestServer(undefined, { serving: { syncIntervalMs: 0, canaryIntervalMs: 0 } });
  });
  afterAll(async () => s?.close());

  it.each(['gradient_boosting', 'random_forest', 'logistic_regression'] as const)('a %s classifier with a categorical column and missing values', async (kind) => {
    const client = new CapstanClient({ baseUrl: s.url });
    const model = train({ data: { plan: data.plan, tenure: data.tenure, spend: data.spend, churn: data.churn }, label: 'churn', kind, params: kind === 'logistic_regression' ? {} : kind === 'random_forest' ? { nEstimators: 20, maxDepth: 4 } : { maxIter: 20, maxDepth: 4 }, seed: 3 });
    const run = await client.runs.create(undefined, { run_name: `ts-${kind}` });
    const version = await logModel(client, model, { runId: run.info.run_id, registeredModelName: `ts-${kind}` });
    expect(version?.version).toBe('1');
    const serving = new ServingApi({ baseUrl: s.url });
    await serving.create(`ts-${kind.replace(/_/g, '-')}`, { variants: [{ modelUri: `models:/ts-${kind}/1` }] });
    const res = await call(s.url, 'POST', `/deployments/ts-${kind.replace(/_/g, '-')}/invocations`, { dataframe_records: records });
    expect(res.status, res.text).toBe(200);
    const preds = res.body.predictions as { label: string; probabilities: number[] }[];
    const want = model.predict({ plan: test.plan, tenure: test.tenure, spend: test.spend });
    const proba = model.predictProba({ plan: test.plan, tenure: test.tenure, spend: test.spend });
    expect(preds.map((p) => p.label)).toEqual(Array.from(want));
    preds.forEach((p, i) => p.probabilities.forEach((v, k) => expect(Math.abs(v - proba[i * 2 + k]!)).toBeLessThan(1e-5)));
    const meta = await call(s.url, 'GET', `/v2/models/ts-${kind.replace(/_/g, '-')}`);
    expect((meta.body.inputs as { name: string }[]).map((i) => i.name).sort()).toEqual(['plan', 'spend', 'tenure']);
  });

  it('a ridge regressor over OIP with one input per column', async () => {
    const client = new CapstanClient({ baseUrl: s.url });
    const model = train({ data: { plan: data.plan, tenure: data.tenure, spend: data.spend, value: data.value }, label: 'value', kind: 'ridge', seed: 1 });
    const run = await client.runs.create(undefined, { run_name: 'ts-ridge' });
    await logModel(client, model, { runId: run.info.run_id, registeredModelName: 'ts-ridge' });
    await new ServingApi({ baseUrl: s.url }).create('ts-ridge', { variants: [{ model: 'ts-ridge', version: 1 }] });
    const rows = 5;
    const meta = await call(s.url, 'GET', '/v2/models/ts-ridge');
    const specs = meta.body.inputs as { name: string; datatype: string; shape: number[] }[];
    const column = (name: string) => (name === 'plan' ? test.plan : name === 'tenure' ? test.tenure.map((v) => v ?? 0) : test.spend).slice(0, rows);
    const inputs = specs.map((sp) => ({ name: sp.name, datatype: sp.datatype, shape: sp.shape.length === 2 ? [rows, 1] : [rows], data: column(sp.name) }));
    const res = await call(s.url, 'POST', '/v2/models/ts-ridge/infer', { inputs });
    expect(res.status, res.text).toBe(200);
    const out = (res.body.outputs as { data: number[] }[])[0]!.data;
    const want = model.predict({ plan: test.plan.slice(0, rows), tenure: test.tenure.slice(0, rows).map((v) => v ?? 0), spend: test.spend.slice(0, rows) }) as Float64Array;
    out.forEach((v, i) => expect(Math.abs(v - want[i]!) / Math.max(1, Math.abs(want[i]!))).toBeLessThan(1e-5));
  });
});
