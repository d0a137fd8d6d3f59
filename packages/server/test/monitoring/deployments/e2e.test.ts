/**
 * End to end on a real server: a model trained with @capstan/train is deployed, a monitor gets a
 * reference from the training rows, traffic whose inputs shift fires an alert naming the shifted
 * columns, a local HTTP server receives the webhook (first answering 500, so it is retried) and
 * verifies the HMAC signature, a pipeline with a drift.alert trigger starts, feedback gives the accuracy computed here, and bad input is
 * refused with clear errors without damaging what is stored.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapstanClient, MonitoringApi, ServingApi } from '@capstan/client';
import { logModel, train } from '@capstan/train';
import { startCapstan } from '../../../src/main.js';
import { waitFor } from '../../support/wait.js';
import { seededRandom } from '../../support/random.js';

function dataset(n: number, seed: number, shift = 0) {
  const rand = seededRandom(seed);
  const plan: string[] = [], tenure: (number | null)[] = [], spend: number[] = [], churn: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = ['basic', 'pro', 'team'][Math.floor(rand() * 3)]!;
    const t = rand() * 40 + shift * 30;
    const m = rand() * 100 + shift * 80;
    plan.push(p);
    tenure.push(i % 17 === 0 ? null : t);
    spend.push(m);
    churn.push((p === 'basic' ? 0.3 : 0) + (t < 10 ? 0.4 : 0) + rand() * 0.5 > 0.6 ? 'yes' : 'no');
  }
  return { plan, tenure, spend, churn };
}

type Data = ReturnType<typeof dataset>;

/** Long enough to hold all the test's traffic: no step depends on how fast requests go. */
const RULE_WINDOW_MS = 600_000;

describe('monitoring a deployment end to end', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startCapstan>>;
  let url: string;
  let mon: MonitoringApi;
  let hookServer: Server;
  let hookUrl: string;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let answered = 0;
  const training = dataset(600, 11);
  const sent: { id: string; label: string; predicted: string }[] = [];
  let secret = '';
  let trafficStart = 0;

  const post = async (path: string, body: unknown, method = 'POST') => {
    const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: await res.json() as Record<string, unknown> & { message?: string; error_code?: string } };
  };

  async function traffic(data: Data, batch = 1): Promise<void> {
    for (let i = 0; i < data.plan.length; i += batch) {
      const records = data.plan.slice(i, i + batch).map((_, k) => ({ plan: data.plan[i + k], tenure: data.tenure[i + k], spend: data.spend[i + k] }));
      const res = await fetch(`${url}/deployments/churn/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: records }) });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-capstan-prediction-id')!;
      const body = await res.json() as { predictions: { label: string }[] };
      body.predictions.forEach((p, k) => sent.push({ id: `${id}#${k}`, label: data.churn[i + k]!, predicted: p.label }));
    }
  }

  async function logged(): Promise<number> {
    const res = await fetch(`${url}/api/v1/deployments/churn/predictions?limit=10000`);
    return ((await res.json()) as { predictions: unknown[] }).predictions.length;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capstan-monitoring-e2e-'));
    server = await startCapstan({
      host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(dir, 'capstan.db')}`, artifactsDestination: join(dir, 'artifacts'),
      serving: { syncIntervalMs: 0, canaryIntervalMs: 0 }, monitoring: { evaluateIntervalMs: 0, webhookBackoffMs: 20, webhookAttempts: 4 },
    });
    url = server.url;
    mon = new MonitoringApi({ baseUrl: url });
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.statusCode = answered++ === 0 ? 500 : 200;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
    const address = hookServer.address();
    hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/capstan`;

    const client = new CapstanClient({ baseUrl: url });
    const model = train({ data: training, label: 'churn', kind: 'logistic_regression', seed: 3 });
    const run = await client.runs.create(undefined, { run_name: 'churn' });
    await logModel(client, model, { runId: run.info.run_id, registeredModelName: 'churn' });
    await new ServingApi({ baseUrl: url }).create('churn', { variants: [{ modelUri: 'models:/churn/1' }] });
    (globalThis as Record<string, unknown>).__model = model;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await new Promise((r) => hookServer?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a monitor; bad requests get 400/404 with what to fix', async () => {
    expect((await post('/api/v1/monitors', { deployment: 'ghost', task: 'classification' })).status).toBe(404);
    const badTask = await post('/api/v1/monitors', { deployment: 'churn', task: 'ranking' });
    expect([badTask.status, badTask.body.error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    expect((await post('/api/v1/monitors', '{"deployment": "churn", ')).status).toBe(400);
    expect((await post('/api/v1/monitors', { deployment: 'churn', task: 'classification', windowMs: 'hourly' })).status).toBe(400);
    const monitor = await mon.create('churn', { task: 'classification', positiveClass: 'yes', segmentColumns: ['plan'], windowMs: 3_600_000 });
    expect(monitor).toMatchObject({ deployment: 'churn', positiveClass: 'yes', scoreIndex: 1 });
    expect((await mon.list()).map((m) => m.deployment)).toEqual(['churn']);
  });

  it('baseline traffic, then the training rows as reference (bad references are refused and change nothing)', async () => {
    trafficStart = Date.now();
    await traffic(dataset(200, 99), 10);
    await waitFor('baseline log', async () => ((await logged()) >= 20 ? true : undefined));
    const model = (globalThis as Record<string, unknown>).__model as { predict(t: unknown): string[]; predictProba(t: unknown): Float64Array };
    const table = { plan: training.plan, tenure: training.tenure, spend: training.spend };
    const predicted = model.predict(table);
    const proba = model.predictProba(table);
    const records = training.plan.map((_, i) => ({ plan: training.plan[i], tenure: training.tenure[i], spend: training.spend[i], target: training.churn[i], prediction: predicted[i], score: proba[i * 2 + 1] }));

    const bad: [unknown, RegExp][] = [
      [{ records: records.map((r) => ({ ...r, region: 'eu' })) }, /not model inputs: region/],
      [{ records: records.map(({ spend: _s, ...r }) => r) }, /missing: spend/],
      [{ records: [records[1], { ...records[2], tenure: 'long' }] }, /Column 'tenure' holds strings in the reference but numbers/],
      [{ records: [records[1], { ...records[2], plan: 5 }] }, /Column 'plan' mixes types: row 1 holds the number 5/],
      [{ records: records.map((r) => ({ ...r, tenure: r.tenure === null ? null : String(r.tenure) })) }, /Column 'tenure' holds strings in the reference but numbers in the deployment's log/],
      [{ records: [] }, /no rows/],
      [{ columns: { plan: ['basic'], tenure: [1, 2], spend: [3] } }, /equal lengths/],
      [{ records: [records[0], { plan: 'pro' }] }, /records\[1\] has different columns/],
      [{ since: 1 }, /needs both "since" and "until"/],
    ];
    for (const [body, message] of bad) {
      const res = await post('/api/v1/monitors/churn/reference', body, 'PUT');
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect((await mon.get('churn')).reference).toBeNull();

    const reference = await mon.setReference('churn', { records });
    expect(reference).toMatchObject({ rows: 600, features: ['plan', 'spend', 'tenure'], labeledRows: 600 });
    expect(reference.segmentValues!.plan!.sort()).toEqual(['basic', 'pro', 'team']);
    expect(reference.performance.accuracy).toBeGreaterThan(0.6);
    expect(Object.keys(reference.calibration!).sort()).toEqual(['reason', 'used']);
    expect((await post('/api/v1/monitors/churn/reference', { records: [{ plan: 1 }] }, 'PUT')).status).toBe(400);
    expect((await mon.get('churn')).reference?.rows).toBe(600);
  });

  it('inputs shift: the rule fires naming tenure and spend, the webhook gets a valid signature (after a retry), and the cooldown holds', async () => {
    const hook = await mon.addWebhook(hookUrl, { events: ['drift.alert'], description: 'ops' });
    secret = hook.secret!;
    expect(secret).toHaveLength(48);
    expect((await mon.webhooks())[0]).not.toHaveProperty('secret');
    expect((await post('/api/v1/webhooks', { url: 'file:///etc/passwd' })).status).toBe(400);
    const pipeline = await post('/api/v1/pipelines', { spec: {
      name: 'retrain', params: { alert: { type: 'string' } },
      steps: [{ name: 'retrain', command: [process.execPath, '-e', 'process.exit(0)'], params: ['alert'] }],
      triggers: [{ event: 'drift.alert', filter: { deployment: 'churn', severity: 'critical' }, params: { alert: '{{event.alertId}}' }, dedupKey: '{{event.alertId}}' }],
    } });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(200);
    const rule = await mon.addRule('churn', { metric: 'dataset_drift_share', comparison: 'gte', threshold: 0.5, windowMs: RULE_WINDOW_MS, cooldownMs: 3_600_000, severity: 'critical' });
    expect((await post('/api/v1/monitors/churn/rules', { metric: 'column_drift_score', comparison: 'lt', threshold: 0.05 })).body.message).toMatch(/needs a 'column'/);
    expect((await post('/api/v1/monitors/churn/rules', { metric: 'latency', comparison: 'lt', threshold: 0.05 })).status).toBe(400);

    expect(await mon.evaluate('churn')).toEqual([]); // baseline traffic only: like the training rows
    const before = await logged();
    await traffic(dataset(300, 7, 1), 20);
    await waitFor('shifted log', async () => ((await logged()) >= before + 15 ? true : undefined));

    const alerts = await mon.evaluate('churn');
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert).toMatchObject({ ruleId: rule.id, deployment: 'churn', severity: 'critical', metric: 'dataset_drift_share', evidence: { datasetDrift: true, mode: 'exact' } });
    expect(alert.evidence.driftedColumns.map((c) => c.column).sort()).toEqual(['spend', 'tenure']);
    expect(alert.value).toBeCloseTo(2 / 3, 12);
    expect(await mon.evaluate('churn')).toEqual([]);
    expect((await mon.alerts({ deployment: 'churn' })).map((a) => a.id)).toEqual([alert.id]);

    // The pipelines engine consumes drift.alert: the retraining pipeline started, with the alert id.
    const run = await waitFor('the retraining run', async () => {
      const res = await fetch(`${url}/api/v1/pipeline-runs?pipeline=retrain`);
      const runs = ((await res.json()) as { runs: { params: Record<string, unknown>; trigger?: { kind: string } }[] }).runs;
      return runs.length ? runs : undefined;
    });
    expect(run).toHaveLength(1);
    expect(run[0]!.params.alert).toBe(alert.id);
    expect(run[0]!.trigger?.kind).toMatch(/event|trigger/);
    expect((await mon.alert(alert.id)).summary).toMatch(/drifted: (tenure, spend|spend, tenure)/);

    await waitFor('webhook delivery', async () => (received.length >= 2 ? true : undefined));
    for (const r of received) {
      const ts = r.headers['x-capstan-timestamp'] as string;
      const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
      expect(r.headers['x-capstan-signature']).toBe(expected);
    }
    const event = JSON.parse(received[1]!.body) as { type: string; payload: { alertId: string; columns: string[]; severity: string } };
    expect(event).toMatchObject({ type: 'drift.alert', payload: { alertId: alert.id, severity: 'critical' } });
    expect(event.payload.columns.sort()).toEqual(['spend', 'tenure']);
    const deliveries = await waitFor('two delivery records', async () => {
      const d = await mon.deliveries(hook.id);
      return d.length >= 2 ? d : undefined;
    });
    expect(deliveries.map((d) => [d.attempt, d.status, d.ok])).toEqual([[2, 200, true], [1, 500, false]]);

    const drift = await mon.drift('churn', { since: trafficStart - 1, until: Date.now() + 1 });
    const last = drift.windows.filter((w) => w.rows > 0).at(-1)!;
    expect(Object.keys(last.inputs!.columns).sort()).toEqual(['plan', 'spend', 'tenure']);
    expect(last.inputs!.columns.tenure!.drift_detected).toBe(true);
    expect(Object.keys(last.predictions!.columns).sort()).toEqual(['prediction', 'score']);
    const seg = await mon.segments('churn', 'plan', { since: trafficStart - 1, until: Date.now() + 1 });
    expect(seg.segments.map((s) => s.value).sort()).toEqual(['basic', 'pro', 'team']);
    expect(seg.segments.every((s) => s.report?.columns.tenure?.drift_detected)).toBe(true);
  });

  it('feedback: unknown ids are refused with nothing stored; late labels give the accuracy computed here', async () => {
    const items = sent.map((s) => {
      const [predictionId, row] = s.id.split('#');
      return { predictionId: predictionId!, row: Number(row), label: s.label };
    });
    const range = { since: trafficStart - 1, until: Date.now() + 1 };
    const unknown = await post('/api/v1/feedback', { items: [...items.slice(0, 5), { predictionId: 'no-such-prediction', label: 'yes' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/Unknown prediction id\(s\), nothing was stored: no-such-prediction/);
    expect((await post('/api/v1/feedback', { items: [{ predictionId: items[0]!.predictionId, label: { yes: 1 } }] })).status).toBe(400);
    expect((await post('/api/v1/feedback', { items: [] })).status).toBe(400);
    expect((await post('/api/v1/feedback', '[1,2]')).status).toBe(400);
    const none = await mon.performance('churn', range);
    expect(none.windows.reduce((s, w) => s + w.labeledRows, 0)).toBe(0);

    // Out of order, in two batches, with a wrong label corrected later.
    const reversed = [...items].reverse();
    const flipped = { ...reversed[0]!, label: reversed[0]!.label === 'yes' ? 'no' : 'yes' };
    expect(await mon.feedback([flipped, ...reversed.slice(1, 250)])).toEqual({ created: 250, updated: 0 });
    expect(await mon.feedback(reversed)).toEqual({ created: items.length - 250, updated: 250 });

    const perf = await mon.performance('churn', range);
    const labeled = perf.windows.reduce((s, w) => s + w.labeledRows, 0);
    const correct = perf.windows.reduce((s, w) => s + (w.metrics.accuracy ?? 0) * w.labeledRows, 0);
    const want = sent.filter((s) => s.label === s.predicted).length / sent.length;
    expect(labeled).toBe(sent.length);
    expect(correct / labeled).toBeCloseTo(want, 9);
    for (const w of perf.windows.filter((x) => x.rows > 0)) {
      expect(w.labelCoverage).toBe(1);
      expect(w.estimated.estimated_accuracy).toBeGreaterThan(0);
      expect(w.change.accuracy).toBeCloseTo(w.metrics.accuracy! - perf.reference!.metrics.accuracy!, 12);
    }
    expect(perf.reference?.calibration).not.toBeNull();
  });

  it('rules, webhooks and monitors can be removed; unknown ids are 404', async () => {
    const [rule] = await mon.rules('churn');
    await mon.deleteRule(rule!.id);
    expect((await post(`/api/v1/alert-rules/${rule!.id}`, undefined, 'DELETE')).status).toBe(404);
    const [hook] = await mon.webhooks();
    await mon.deleteWebhook(hook!.id);
    expect((await fetch(`${url}/api/v1/webhooks/${hook!.id}/deliveries`)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/alerts/nope`)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/monitors/ghost/drift`)).status).toBe(404);
    await mon.delete('churn');
    expect((await fetch(`${url}/api/v1/monitors/churn`)).status).toBe(404);
    expect((await mon.alerts()).length).toBe(1);
  });
});
