/**
 * The monitoring service over real SQLite stores and a crafted prediction log: references and
 * their bad input, drift per window in exact and profile mode (equal to the engines called
 * directly), segments, feedback joins and performance per window, alert rules with cooldown,
 * and signed, retried webhook deliveries to a local HTTP server.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import { openSqlDatabase } from '../../../src/adapters/sql/index.js';
import { SqlDeploymentStore } from '../../../src/adapters/sql/serving/store.js';
import { SqlMonitoringStore } from '../../../src/adapters/sql/monitoring/store.js';
import { fetchWebhookSender } from '../../../src/adapters/webhooks/fetch-sender.js';
import { EventBus, type PlatformEvent } from '../../../src/core/events/bus.js';
import { computeDrift } from '../../../src/core/monitoring/drift/index.js';
import { DatasetProfile, driftFromProfiles } from '../../../src/core/monitoring/profile/index.js';
import { MonitoringService, signWebhook, classificationMetrics } from '../../../src/core/monitoring/deployments/index.js';
import type { PredictionRecord } from '../../../src/core/serving/model.js';
import type { Column } from '../../../src/core/monitoring/drift/types.js';
import { seededRandom } from '../../support/random.js';

const H = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % H);

const rng = seededRandom;
/** Fixed data: with this seed no column of the unshifted windows crosses its 5% threshold by chance. */
const random = rng(5);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const sigmoid = (v: number) => 1 / (1 + Math.exp(-2 * v));

interface Row { x: number; plan: string; z: number; score: number; prediction: string; target: string }
function row(shiftA = 0): Row {
  const plan = ['a', 'b', 'c'][Math.floor(random() * 3)]!;
  const x = normal() + (plan === 'a' ? shiftA : 0);
  const score = sigmoid(x);
  return { x, plan, z: random(), score, prediction: score >= 0.5 ? 'yes' : 'no', target: random() < score ? 'yes' : 'no' };
}

const reference = Array.from({ length: 600 }, () => row());
/** Windows 0 and 1 like the reference; in window 2 `x` moves by +2 in plan 'a'. */
const log: { record: PredictionRecord; rows: Row[] }[] = [];
for (let w = 0; w < 3; w++) {
  for (let r = 0; r < 30; r++) {
    const rows = Array.from({ length: 10 }, () => row(w === 2 ? 2 : 0));
    log.push({
      rows,
      record: {
        id: `w${w}-r${r}`, deployment: 'churn', model: 'churn', version: '1', time: T0 + w * H + r * 60_000, latencyMs: 1, status: 'ok', shadow: false,
        inputs: { x: rows.map((q) => [q.x]), plan: rows.map((q) => q.plan), z: rows.map((q) => q.z) },
        outputs: { label: rows.map((q) => q.prediction), probabilities: rows.map((q) => [1 - q.score, q.score]) },
      },
    });
  }
}

/** A regressor's log: windows 0 and 1, 20 requests of 5 rows; the output is a column tensor. */
const regressionLog: { record: PredictionRecord; rows: { a: number; y: number; yhat: number }[] }[] = [];
for (let w = 0; w < 2; w++) {
  for (let r = 0; r < 20; r++) {
    const rows = Array.from({ length: 5 }, () => {
      const a = normal();
      return { a, y: 2 * a + normal() * 0.5 + w, yhat: 2 * a };
    });
    regressionLog.push({
      rows,
      record: {
        id: `v${w}-r${r}`, deployment: 'value', model: 'value', version: '1', time: T0 + w * H + r * 1000, latencyMs: 1, status: 'ok', shadow: false,
        inputs: { a: rows.map((q) => q.a) }, outputs: { variable: rows.map((q) => [q.yhat]) },
      },
    });
  }
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (error) {
    return isCapstanError(error) ? `${error.code}: ${error.message}` : String(error);
  }
}

const cols = (rows: Row[]): Column[] => [
  { name: 'plan', dtype: 'string', values: rows.map((r) => r.plan) },
  { name: 'x', dtype: 'float', values: Float64Array.from(rows, (r) => r.x) },
  { name: 'z', dtype: 'float', values: Float64Array.from(rows, (r) => r.z) },
];

describe('monitoring service over SQLite', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof openSqlDatabase>>;
  let service: MonitoringService;
  let profileMode: MonitoringService;
  let bus: EventBus;
  let now = T0 + 3 * H;
  const events: PlatformEvent[] = [];
  const hooks: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let failuresLeft = 2;
  let hookServer: Server;
  let hookUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capstan-monitoring-'));
    db = await openSqlDatabase(`sqlite:///${join(dir, 'capstan.db')}`);
    const predictions = new SqlDeploymentStore(db.driver);
    await predictions.insertPredictions(log.map((l) => l.record));
    await predictions.insertPredictions(regressionLog.map((l) => l.record));
    bus = new EventBus();
    bus.on('drift.alert', (e) => void events.push(e));
    const deps = { store: new SqlMonitoringStore(db.driver), predictions, deploymentExists: async (n: string) => n === 'churn' || n === 'value', events: bus, send: fetchWebhookSender, now: () => now, evaluateIntervalMs: 0, webhookAttempts: 4, webhookBackoffMs: 5 };
    service = new MonitoringService(deps);
    profileMode = new MonitoringService({ ...deps, exactMaxRows: 0, events: new EventBus() });
    service.start();
    hookServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body });
        res.statusCode = failuresLeft-- > 0 ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
    const address = hookServer.address();
    hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  });
  afterAll(async () => {
    await service?.close();
    await new Promise((r) => hookServer?.close(r));
    await db?.metadata.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a monitor; unknown deployments, bad stattests and duplicates are refused', async () => {
    expect(await code(service.createMonitor({ deployment: 'nope', task: 'classification' }))).toMatch(/^RESOURCE_DOES_NOT_EXIST/);
    expect(await code(service.createMonitor({ deployment: 'churn', task: 'classification', drift: { stattest: 'bogus' } }))).toMatch(/^INVALID_PARAMETER_VALUE/);
    const m = await service.createMonitor({ deployment: 'churn', task: 'classification', segmentColumns: ['plan'], positiveClass: 'yes', windowMs: H });
    expect(m).toMatchObject({ deployment: 'churn', windowMs: H, scoreIndex: 1, targetColumn: 'target' });
    expect(await code(service.createMonitor({ deployment: 'churn', task: 'regression' }))).toMatch(/^RESOURCE_ALREADY_EXISTS/);
  });

  it('refuses bad references with what to fix and stores nothing', async () => {
    const records = reference.map((r) => ({ x: r.x, plan: r.plan, z: r.z, prediction: r.prediction, score: r.score, target: r.target }));
    const bad: [string, () => Promise<unknown>, RegExp][] = [
      ['empty records', () => service.setReferenceFromRows('churn', { records: [] }), /no rows/],
      ['mismatched keys', () => service.setReferenceFromRows('churn', { records: [records[0], { x: 1, plan: 'a' }] }), /records\[1\] has different columns.*missing: prediction, score, target, z/],
      ['unequal columns', () => service.setReferenceFromRows('churn', { columns: { x: [1, 2], plan: ['a'], z: [1, 2] } }), /Column 'plan' has 1 values but 'x' has 2/],
      ['wrong type for the model', () => service.setReferenceFromRows('churn', { records: [records[0], { ...records[1], x: 'high' }] }), /Column 'x' holds strings in the reference but numbers in the deployment's log/],
      ['mixed types', () => service.setReferenceFromRows('churn', { records: [records[0], { ...records[1], plan: 7 }] }), /Column 'plan' mixes types: row 1 holds the number 7/],
      ['nested value', () => service.setReferenceFromRows('churn', { records: [{ ...records[0], x: { v: 1 } }] }), /records\[0\]\.x must be a number, string, boolean or null/],
      ['not the model inputs', () => service.setReferenceFromRows('churn', { records: records.map((r) => ({ ...r, w: 1 })) }), /not model inputs: w/],
      ['missing input', () => service.setReferenceFromRows('churn', { records: records.map(({ z: _z, ...r }) => r) }), /missing: z/],
      ['both forms', () => service.setReferenceFromRows('churn', { records, columns: {} }), /either "records"/],
      ['empty log window', () => service.setReferenceFromLog('churn', T0 - 10 * H, T0 - 9 * H), /logged no successful predictions/],
    ];
    for (const [what, p, message] of bad) expect(await code(p()), what).toMatch(message);
    expect((await service.getMonitor('churn')).reference).toBeNull();
  });

  it('stores the reference: profiles, segment slices, raw values, performance and calibration', async () => {
    const records = reference.map((r) => ({ x: r.x, plan: r.plan, z: r.z, prediction: r.prediction, score: r.score, target: r.target }));
    const ref = await service.setReferenceFromRows('churn', { records });
    expect(ref).toMatchObject({ rows: 600, features: ['plan', 'x', 'z'], labeledRows: 600, source: 'rows' });
    expect(Object.keys(ref.segments.plan!).sort()).toEqual(['a', 'b', 'c']);
    const want = classificationMetrics(reference.map((r) => r.target), reference.map((r) => r.prediction), reference.map((r) => r.score), 'yes');
    expect(ref.performance).toEqual(want);
    expect(ref.calibration).not.toBeNull();
    // A bad replacement leaves this one in place.
    expect(await code(service.setReferenceFromRows('churn', { records: [{ x: 'a' }] }))).toMatch(/^INVALID_PARAMETER_VALUE/);
    expect((await service.getMonitor('churn')).reference?.rows).toBe(600);
  });

  it('drift per window equals computeDrift (exact mode) and driftFromProfiles (profile mode) on the same rows; x drifts only in window 2', async () => {
    const { windows } = await service.drift('churn', { since: T0, until: T0 + 3 * H });
    expect(windows.map((w) => [w.start, w.rows, w.mode])).toEqual([[T0, 300, 'exact'], [T0 + H, 300, 'exact'], [T0 + 2 * H, 300, 'exact']]);
    for (let w = 0; w < 3; w++) {
      const rows = log.slice(w * 30, w * 30 + 30).flatMap((l) => l.rows);
      expect(windows[w]!.inputs).toEqual(computeDrift(cols(reference), cols(rows), {}));
      const prof = driftFromProfiles(DatasetProfile.of(cols(reference), { kllK: 1024 }), DatasetProfile.of(cols(rows)), {});
      const p = (await profileMode.drift('churn', { since: T0 + w * H, until: T0 + (w + 1) * H })).windows[0]!;
      expect(p.mode).toBe('profile');
      expect(Object.keys(p.inputs!.columns)).toEqual(Object.keys(prof.columns));
      for (const [name, c] of Object.entries(prof.columns)) {
        const got = p.inputs!.columns[name]!;
        expect({ ...got, score: 0 }).toEqual({ ...c, score: 0 });
        expect(Math.abs(got.score - c.score)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(c.score)));
      }
    }
    expect(windows.map((w) => w.inputs!.columns.x!.drift_detected)).toEqual([false, false, true]);
    expect(windows[2]!.inputs!.columns.z!.drift_detected).toBe(false);
    expect(Object.keys(windows[2]!.predictions!.columns).sort()).toEqual(['prediction', 'score']);
    expect(windows[2]!.predictions!.columns.score!.drift_detected).toBe(true);
    const capped = new MonitoringService({ store: new SqlMonitoringStore(db.driver), predictions: new SqlDeploymentStore(db.driver), deploymentExists: async () => true, events: new EventBus(), send: fetchWebhookSender, maxRecords: 10, evaluateIntervalMs: 0 });
    const cut = (await capped.drift('churn', { since: T0, until: T0 + 3 * H })).windows;
    expect(cut.map((w) => [w.rows, w.truncated])).toEqual([[100, true], [100, true], [100, true]]);
    expect(windows.every((w) => w.truncated === undefined)).toBe(true);
    const empty = (await service.drift('churn', { since: T0 + 5 * H, until: T0 + 6 * H })).windows[0]!;
    expect(empty).toMatchObject({ rows: 0, mode: null, inputs: null });
  });

  it('the background profiler stores window profiles once; drift over profiled windows reads them and equals the query-time profile mode', async () => {
    const reads: number[] = [];
    const log = new SqlDeploymentStore(db.driver);
    const counting = { predictions: async (q: Parameters<typeof log.predictions>[0]) => { reads.push(q.limit); return log.predictions(q); }, predictionsById: (ids: string[]) => log.predictionsById(ids) };
    const stored = new MonitoringService({ store: new SqlMonitoringStore(db.driver), predictions: counting, deploymentExists: async () => true, events: new EventBus(), send: fetchWebhookSender, now: () => now, evaluateIntervalMs: 0, profileIntervalMs: 0, profileLagMs: 0, exactMaxRows: 0 });
    const before = (await stored.drift('churn', { since: T0, until: T0 + 3 * H })).windows;
    expect(reads.length).toBe(3);
    expect(await stored.profileLog('churn')).toBe(900);
    expect(await stored.profileLog('churn')).toBe(0);
    const again = new MonitoringService({ store: new SqlMonitoringStore(db.driver), predictions: counting, deploymentExists: async () => true, events: new EventBus(), send: fetchWebhookSender, now: () => now, evaluateIntervalMs: 0, profileIntervalMs: 0, profileLagMs: 0, exactMaxRows: 0 });
    expect(await again.profileLog('churn')).toBe(0);
    reads.length = 0;
    const after = (await stored.drift('churn', { since: T0, until: T0 + 3 * H })).windows;
    expect(reads).toEqual([]);
    expect(after.map((w) => [w.start, w.rows, w.mode])).toEqual(before.map((w) => [w.start, w.rows, w.mode]));
    for (const [i, w] of after.entries()) {
      for (const part of ['inputs', 'predictions'] as const) {
        const b = before[i]![part]!;
        expect(Object.keys(w[part]!.columns)).toEqual(Object.keys(b.columns));
        for (const [name, c] of Object.entries(b.columns)) {
          expect({ ...w[part]!.columns[name]!, score: 0 }).toEqual({ ...c, score: 0 });
          expect(Math.abs(w[part]!.columns[name]!.score - c.score)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(c.score)));
        }
      }
    }
    const partial = (await stored.drift('churn', { since: T0, until: T0 + H + 15 * 60_000 })).windows;
    expect(partial.map((w) => w.rows)).toEqual([300, 150]);
    expect(reads.length).toBe(1);
    expect((await stored.drift('churn', { since: T0 + 5 * H, until: T0 + 6 * H })).windows[0]).toMatchObject({ rows: 0, mode: null });
    await stored.close();
    await again.close();
  });

  it('segments: x drifts within plan=a only', async () => {
    const seg = await service.segments('churn', 'plan', { since: T0 + 2 * H, until: T0 + 3 * H });
    const byValue = Object.fromEntries(seg.segments.map((s) => [s.value, s]));
    expect(byValue.a!.report!.columns.x!.drift_detected).toBe(true);
    expect(byValue.b!.report!.columns.x!.drift_detected).toBe(false);
    expect(byValue.c!.report!.columns.x!.drift_detected).toBe(false);
    expect(seg.segments.reduce((s, v) => s + v.rows, 0) + seg.otherRows).toBe(300);
    expect(await code(service.segments('churn', 'z'))).toMatch(/'z' is not a segment column/);
  });

  it('feedback: unknown ids and bad rows refuse the whole batch; labels arrive late and out of order; performance per window', async () => {
    expect(await code(service.feedback([{ predictionId: 'w0-r0', label: 'yes' }, { predictionId: 'ghost-1', label: 'no' }, { predictionId: 'ghost-2', label: 'no' }]))).toMatch(/Unknown prediction id\(s\), nothing was stored: ghost-1, ghost-2/);
    expect(await code(service.feedback([{ predictionId: 'w0-r0', row: 10, label: 'yes' }]))).toMatch(/has 10 row\(s\); row 10 does not exist/);
    let perf = await service.performance('churn', { since: T0, until: T0 + 3 * H });
    expect(perf.windows.map((w) => w.labeledRows)).toEqual([0, 0, 0]);
    // Window 1 first (half of it, wrong labels first), then all of window 0, then the corrections.
    const items = (ws: number[], wrong = false) => log.filter((_, i) => ws.includes(Math.floor(i / 30))).flatMap((l) => l.rows.map((r, row) => ({ predictionId: l.record.id, row, label: wrong ? (r.target === 'yes' ? 'no' : 'yes') : r.target })));
    const half = items([1], true).filter((_, i) => i % 2 === 0);
    expect(await service.feedback(half)).toEqual({ created: 150, updated: 0 });
    now += 1000;
    expect(await service.feedback(items([0]))).toEqual({ created: 300, updated: 0 });
    expect(await service.feedback(items([1]).filter((_, i) => i % 2 === 0))).toEqual({ created: 0, updated: 150 });
    perf = await service.performance('churn', { since: T0, until: T0 + 3 * H });
    const [w0, w1, w2] = perf.windows;
    const rows0 = log.slice(0, 30).flatMap((l) => l.rows);
    const rows1 = log.slice(30, 60).flatMap((l) => l.rows).filter((_, i) => i % 2 === 0);
    expect(w0!.metrics).toEqual(classificationMetrics(rows0.map((r) => r.target), rows0.map((r) => r.prediction), rows0.map((r) => r.score), 'yes'));
    expect(w1!.metrics).toEqual(classificationMetrics(rows1.map((r) => r.target), rows1.map((r) => r.prediction), rows1.map((r) => r.score), 'yes'));
    expect([w0!.labelCoverage, w1!.labelCoverage, w2!.labelCoverage]).toEqual([1, 0.5, 0]);
    expect(w0!.change.accuracy).toBeCloseTo(w0!.metrics.accuracy! - perf.reference!.metrics.accuracy!, 12);
    for (const w of perf.windows) expect(w.estimated.estimated_accuracy).toBeGreaterThan(0.5);
    const correct = reference.map((r) => (r.target === r.prediction ? 1 : 0));
    const mean = correct.reduce((a, b) => a + b, 0) / correct.length;
    const std = Math.sqrt(correct.reduce((a, c) => a + (c - mean) ** 2, 0) / correct.length);
    const est = w0!.estimated.estimated_accuracy!;
    expect(w0!.bands!.estimated_accuracy!.lower).toBeCloseTo(est - 3 * std / Math.sqrt(300), 12);
    expect(w0!.bands!.estimated_accuracy!.upper).toBeCloseTo(Math.min(1, est + 3 * std / Math.sqrt(300)), 12);
    const stored = await new SqlMonitoringStore(db.driver).feedbackFor(['w1-r0']);
    expect(stored[0]!.receivedAt).toBe(T0 + 3 * H);
    expect(stored[0]!.updatedAt).toBe(T0 + 3 * H + 1000);
  });

  it('alert rules fire with their evidence, respect the cooldown, publish drift.alert and reach a webhook (signed, retried, recorded)', async () => {
    now = T0 + 3 * H;
    const hook = await service.createWebhook({ url: hookUrl, events: ['drift.alert'] });
    expect(hook.secret).toMatch(/^[0-9a-f]{48}$/);
    expect(await code(service.createWebhook({ url: 'ftp://x/y' }))).toMatch(/must be http\(s\)/);
    expect(await code(service.createRule('churn', { metric: 'column_drift_score', comparison: 'lt', threshold: 0.05 }))).toMatch(/needs a 'column'/);
    expect(await code(service.createRule('churn', { metric: 'rmse', comparison: 'gt', threshold: 1 }))).toMatch(/does not apply to a classification monitor/);
    const share = await service.createRule('churn', { metric: 'dataset_drift_share', comparison: 'gte', threshold: 0.3, windowMs: H, cooldownMs: 2 * H, severity: 'critical' });
    await service.createRule('churn', { metric: 'accuracy', comparison: 'lt', threshold: 0.01, windowMs: H });
    const fired = await service.evaluateAll();
    expect(fired).toHaveLength(1);
    const alert = fired[0]!;
    expect(alert).toMatchObject({ ruleId: share.id, severity: 'critical', metric: 'dataset_drift_share', threshold: 0.3 });
    expect(alert.value).toBeCloseTo(1 / 3, 12);
    expect(alert.evidence).toMatchObject({ since: now - H, until: now, rows: 300, mode: 'exact', datasetDrift: false });
    expect(alert.evidence.driftedColumns.map((c) => c.column)).toEqual(['x']);
    expect(alert.summary).toMatch(/dataset_drift_share = 0\.3333 ≥ 0\.3 .*drifted: x/);
    expect(await service.evaluateAll()).toEqual([]);
    now += 2 * H;
    expect(await service.evaluateAll()).toEqual([]); // the window now holds no traffic
    expect(events.map((e) => (e.payload as { alertId: string }).alertId)).toEqual([alert.id]);
    expect((events[0]!.payload as { columns: string[] }).columns).toEqual(['x']);
    await service.webhooks.drain();
    expect(hooks).toHaveLength(3);
    for (const h of hooks) {
      expect(h.headers['x-capstan-signature']).toBe(signWebhook(hook.secret, h.headers['x-capstan-timestamp'] as string, h.body));
      expect(h.headers['x-capstan-event']).toBe('drift.alert');
    }
    expect(JSON.parse(hooks[2]!.body)).toMatchObject({ type: 'drift.alert', payload: { alertId: alert.id, deployment: 'churn', severity: 'critical' } });
    const deliveries = await service.deliveries(hook.id);
    expect(deliveries.map((d) => [d.attempt, d.status, d.ok])).toEqual([[3, 204, true], [2, 500, false], [1, 500, false]]);
    expect((await service.listAlerts({ deployment: 'churn' })).map((a) => a.id)).toEqual([alert.id]);
  });

  it('a regressor: numeric labels only, reference from its own labeled log window, MAE/RMSE/R² per window, an RMSE rule', async () => {
    const { regressionMetrics } = await import('../../../src/core/monitoring/deployments/index.js');
    expect(await code(service.createMonitor({ deployment: 'value', task: 'regression', drift: { perColumn: { a: { stattest: 'nope' } } } }))).toMatch(/drift\.perColumn\.a: /);
    await service.createMonitor({ deployment: 'value', task: 'regression', drift: { perColumn: { a: { stattest: 'psi' } } } });
    const items = (w: number) => regressionLog.slice(w * 20, w * 20 + 20).flatMap((l) => l.rows.map((q, row) => ({ predictionId: l.record.id, row, label: q.y })));
    expect(await code(service.feedback([{ predictionId: 'v0-r0', label: 'high' }]))).toMatch(/monitored as a regression; its label must be a number, got "high"/);
    await service.feedback([...items(0), ...items(1)]);
    const ref = await service.setReferenceFromLog('value', T0, T0 + H);
    const rows0 = regressionLog.slice(0, 20).flatMap((l) => l.rows);
    expect(ref).toMatchObject({ rows: 100, features: ['a'], labeledRows: 100, source: `log:${T0}-${T0 + H}` });
    expect(ref.performance).toEqual(regressionMetrics(rows0.map((q) => q.y), rows0.map((q) => q.yhat)));
    const perf = await service.performance('value', { since: T0, until: T0 + 2 * H });
    const rows1 = regressionLog.slice(20).flatMap((l) => l.rows);
    expect(perf.windows[1]!.metrics).toEqual(regressionMetrics(rows1.map((q) => q.y), rows1.map((q) => q.yhat)));
    expect(perf.windows[1]!.estimated).toEqual({});
    expect(perf.windows[1]!.change.rmse).toBeCloseTo(perf.windows[1]!.metrics.rmse! - ref.performance.rmse!, 12);
    const drift = await service.drift('value', { since: T0, until: T0 + 2 * H });
    expect(Object.keys(drift.windows[0]!.predictions!.columns)).toEqual(['prediction']);
    expect(drift.windows[0]!.inputs!.columns.a!.stattest).toBe('psi');
    now = T0 + 2 * H;
    await service.createRule('value', { metric: 'rmse', comparison: 'gt', threshold: ref.performance.rmse! + 0.5, windowMs: H });
    const fired = await service.evaluateAll('value');
    expect(fired.map((a) => [a.metric, a.evidence.labeledRows])).toEqual([['rmse', 100]]);
    expect(fired[0]!.value).toBeCloseTo(perf.windows[1]!.metrics.rmse!, 12);
  });

  it('webhooks are generic: a "*" webhook receives any platform event, a typed one only its type', async () => {
    await service.webhooks.drain();
    const before = hooks.length;
    failuresLeft = 0;
    const all = await service.createWebhook({ url: hookUrl, secret: 'a-secret-of-enough-length' });
    expect(all.events).toEqual(['*']);
    const event = bus.publish('deployment.changed', { deployment: 'churn', change: 'update' });
    await service.webhooks.drain();
    const got = hooks.slice(before);
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body)).toEqual({ id: event.id, type: 'deployment.changed', time: event.time, payload: { deployment: 'churn', change: 'update' } });
    expect(got[0]!.headers['x-capstan-delivery']).toBe(event.id);
    expect(got[0]!.headers['x-capstan-signature']).toBe(signWebhook('a-secret-of-enough-length', got[0]!.headers['x-capstan-timestamp'] as string, got[0]!.body));
    expect((await service.deliveries(all.id)).map((d) => [d.eventType, d.ok])).toEqual([['deployment.changed', true]]);
    expect((await service.listWebhooks()).every((w) => !('secret' in w))).toBe(true);
  });
});
