import { createHash } from 'node:crypto';
import { monitoring as monitoringRoutes, type PipelineSpecInput } from '@capstan/api';
import type { DataApi, PipelinesClient, ServingApi } from '@capstan/client';

/** A FP32 `[rows, 4]` OIP input for the fixture's churn models. */
export function churnInput(rows: number, seed: number) {
  const data: number[] = [];
  for (let i = 0; i < rows * 4; i++) data.push(Math.sin(seed * 31 + i * 7.1) * 1.5);
  return [{ name: 'X', shape: [rows, 4], datatype: 'FP32', data }];
}

/**
 * Two deployments of the fixture's churn model (registered by make_models.py): `churn-api`
 * moved from v1 to v2 (so it can roll back) with traffic on both revisions, and `churn-canary`
 * serving v1 with a shadow of v2, then running a slow canary to v2 (it stays at its first step).
 */
export async function seedDeployments(serving: ServingApi): Promise<void> {
  await serving.create('churn-api', { variants: [{ model: 'churn', version: 1 }] });
  for (let i = 0; i < 12; i++) await serving.infer('churn-api', churnInput(1 + (i % 3), i));
  await serving.update('churn-api', { variants: [{ model: 'churn', version: 2 }] });
  for (let i = 0; i < 12; i++) await serving.infer('churn-api', churnInput(1 + (i % 3), 100 + i));

  await serving.create('churn-canary', { variants: [{ model: 'churn', version: 1 }], shadow: { model: 'churn', version: 2, fraction: 0.25 } });
  await serving.canary('churn-canary', { model: 'churn', version: 2 }, { steps: [10, 50, 100], stepSeconds: 3600, maxErrorRate: 0.05, maxP99Ms: 500, minRequests: 1000 });
  for (let i = 0; i < 20; i++) await serving.infer('churn-canary', churnInput(2, 200 + i));
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A customers table of `rows` rows; `drift` shifts tenure and adds a plan and a column. */
export function customersCsv(rows: number, drift: boolean): string {
  const plans = drift ? ['basic', 'pro', 'team', 'enterprise'] : ['basic', 'pro', 'team'];
  const lines = [drift ? 'customer_id,plan,tenure,spend,churned,region' : 'customer_id,plan,tenure,spend,churned'];
  for (let i = 0; i < rows; i++) {
    const tenure = Math.round((Math.abs(Math.sin(i * 1.3)) * 48 + (drift ? 12 : 0)) * 10) / 10;
    const spend = i % 17 === 0 ? '' : (20 + Math.abs(Math.cos(i * 0.7)) * 80).toFixed(2);
    const row = [String(i + 1), plans[i % plans.length]!, String(tenure), spend, String(i % 5 === 0 ? 1 : 0)];
    if (drift) row.push(i % 2 ? 'eu' : 'us');
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

async function commit(data: DataApi, name: string, files: Record<string, string>, message: string) {
  const manifest = Object.entries(files).map(([path, text]) => ({ path, digest: sha256(text), size: Buffer.byteLength(text) }));
  for (const f of manifest) await data.putBlob(f.digest, files[f.path]!);
  return (await data.createVersion(name, manifest, { message, userId: 'ana', tags: { source: 'crm' } })).version;
}

/**
 * Dataset `customers` with two versions (v2 drifts: a new column, more rows, a changed README
 * and a removed file) and a validation report on each version: one passing suite on v1, a
 * failing one on v2.
 */
export async function seedData(data: DataApi): Promise<{ name: string }> {
  const name = 'customers';
  await data.createDataset(name, 'CRM export of customers, one row per customer.');
  await commit(data, name, { 'customers.csv': customersCsv(400, false), 'README.md': '# Customers\nJanuary export.\n', 'notes/old.txt': 'to be removed\n' }, 'January export');
  await commit(data, name, { 'customers.csv': customersCsv(520, true), 'README.md': '# Customers\nFebruary export, with region.\n' }, 'February export (adds region)');
  await data.validate(name, 1, { name: 'basic', checks: [{ type: 'not_null', column: 'customer_id' }, { type: 'range', column: 'tenure', min: 0, max: 100 }] });
  await data.validate(name, 2, { name: 'strict', checks: [{ type: 'not_null', column: 'spend' }, { type: 'range', column: 'tenure', min: 0, max: 50 }, { type: 'accepted_values', column: 'plan', values: ['basic', 'pro', 'team'] }] });
  return { name };
}

/** A pipeline with a prepare step, an approval and a publish step (plus a schedule and a trigger). */
export const APPROVAL_PIPELINE: PipelineSpecInput & { name: string; steps: unknown[] } = {
  name: 'ship-model',
  description: 'Prepare, wait for a reviewer, publish.',
  params: { greeting: { type: 'string', default: 'hello' } },
  steps: [
    { name: 'prepare', command: 'echo {{params.greeting}} > {{outputs.data}}', outputs: { data: 'File' } },
    { name: 'shout', command: 'tr a-z A-Z < {{inputs.data}} > {{outputs.loud}}', inputs: { data: 'steps.prepare.outputs.data' }, outputs: { loud: 'File' } },
    { name: 'count', command: 'wc -c < {{inputs.data}} > {{outputs.n}}', inputs: { data: 'steps.prepare.outputs.data' }, outputs: { n: 'number' } },
    { name: 'review', approval: { timeoutMs: 600_000, message: 'Ship the loud greeting?' }, after: ['shout', 'count'] },
    { name: 'publish', command: 'cat {{inputs.loud}}', inputs: { loud: 'steps.shout.outputs.loud' }, after: ['review'] },
  ],
  schedules: [{ cron: '0 3 * * 1', params: { greeting: 'weekly' } }],
  triggers: [{ event: 'dataset_version.created', filter: { dataset: 'customers' }, params: {} }],
};

/** Saves {@link APPROVAL_PIPELINE} and starts a run; resolves once the run waits on its approval. */
export async function seedPipeline(pipelines: PipelinesClient): Promise<{ runId: string }> {
  await pipelines.put(APPROVAL_PIPELINE);
  const run = await pipelines.run(APPROVAL_PIPELINE.name, {});
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await pipelines.getRun(run.runId);
    if (r.steps?.some((s) => s.step === 'review' && s.state === 'WAITING')) return { runId: run.runId };
    if (['SUCCEEDED', 'FAILED', 'CANCELED'].includes(r.status)) throw new Error(`pipeline run ended before its approval: ${r.status} ${r.error ?? ''}`);
    if (Date.now() > deadline) throw new Error('pipeline run did not reach its approval step in 60 s');
    await new Promise((res) => setTimeout(res, 200));
  }
}

const PLANS = ['basic', 'pro', 'team'];

/** Rows for the fixture's `mixed` model (plan, tenure, spend); `drift` moves tenure up and plans to `team`. */
function mixedRows(n: number, seed: number, drift: boolean) {
  return Array.from({ length: n }, (_, i) => {
    const u = Math.abs(Math.sin(seed * 97 + i * 13.7));
    const plan = drift && i % 4 !== 0 ? 'team' : PLANS[(seed + i) % 3]!;
    return { plan, tenure: (drift ? 60 : 5) + u * 30, spend: Math.cos(seed + i * 1.9) };
  });
}

async function inferMixed(serving: ServingApi, deployment: string, rows: { plan: string; tenure: number; spend: number }[]) {
  const res = await serving.infer(deployment, [
    { name: 'plan', shape: [rows.length, 1], datatype: 'BYTES', data: rows.map((r) => r.plan) },
    { name: 'tenure', shape: [rows.length, 1], datatype: 'FP32', data: rows.map((r) => r.tenure) },
    { name: 'spend', shape: [rows.length, 1], datatype: 'FP32', data: rows.map((r) => r.spend) },
  ]);
  const label = res.outputs.find((o) => o.name === 'label')?.data as number[] | undefined;
  return { id: res.predictionId, labels: label ?? [] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A monitored deployment of the `mixed` model: a reference taken from its first traffic, then
 * windows of 2 s: one like the reference, two drifted (tenure +55, mostly `team`); labels
 * arrive for part of the traffic (some wrong); two rules (dataset drift, accuracy) over the last minute evaluated once.
 */
export async function seedMonitoring(serving: ServingApi, call: <R>(route: unknown, input: unknown) => Promise<R>): Promise<{ deployment: string; until: number }> {
  const deployment = 'mixed-api';
  const windowMs = 2000;
  await serving.create(deployment, { variants: [{ model: 'mixed', version: 1 }] });
  const t0 = Date.now();
  for (let i = 0; i < 10; i++) await inferMixed(serving, deployment, mixedRows(8, i, false));
  const t1 = Date.now() + 1;
  await call(monitoringRoutes.createMonitor, { deployment, task: 'classification', windowMs, predictionOutput: 'label', scoreOutput: 'probabilities', positiveClass: '1', scoreIndex: 1 });
  await call(monitoringRoutes.setReference, { deployment, since: t0, until: t1 });
  const feedback: { predictionId: string; row: number; label: number }[] = [];
  for (const [phase, drift] of [[1, false], [2, true], [3, true]] as const) {
    await sleep(windowMs - (Date.now() % windowMs) + 50);
    for (let i = 0; i < 10; i++) {
      const { id, labels } = await inferMixed(serving, deployment, mixedRows(8, phase * 100 + i, drift));
      if (phase < 3 && i % 2 === 0) labels.forEach((l, row) => feedback.push({ predictionId: id, row, label: drift && row % 3 === 0 ? 1 - l : l }));
    }
  }
  const until = Date.now();
  await call(monitoringRoutes.feedback, { items: feedback });
  // rules look at the last minute, which holds all of the traffic above however slowly it was sent
  await call(monitoringRoutes.createRule, { deployment, metric: 'dataset_drift_share', comparison: 'gte', threshold: 0.3, windowMs: 60_000, severity: 'critical' });
  await call(monitoringRoutes.createRule, { deployment, metric: 'accuracy', comparison: 'lt', threshold: 0.95, windowMs: 60_000, severity: 'warning' });
  await call(monitoringRoutes.evaluate, { deployment });
  return { deployment, until };
}
