/**
 * Traffic on a real server under load: sticky A/B splits, shadow copies, a canary that
 * advances to promotion, a canary forced to roll back, hot swaps, a second replica following
 * the first, the payload log and the metrics. Every load phase asserts zero failed requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startCapstan } from '../../src/main.js';
import { call, startTestServer } from '../http/helpers.js';
import { makeModels, pythonMissing, type Expected } from './fixtures.js';
import { waitFor } from '../support/wait.js';

const missing = pythonMissing();
const suite = missing ? describe.skip : describe;

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** Sends OIP requests from `concurrency` loops until `stop()`; counts failures and versions. */
function load(url: string, name: string, rows: number[][], concurrency = 6) {
  let running = true;
  const versions: string[] = [];
  const failures: string[] = [];
  const body = JSON.stringify({ inputs: [{ name: 'X', shape: [rows.length, 4], datatype: 'FP32', data: rows }] });
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const res = await fetch(`${url}/v2/models/${name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (res.status !== 200) failures.push(`${res.status} ${await res.text()}`);
        else {
          await res.arrayBuffer();
          versions.push(res.headers.get('x-capstan-model-version') ?? '?');
        }
      } catch (error) {
        failures.push(String(error));
      }
    }
  });
  return {
    versions, failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

suite(`serving traffic (Python fixtures${missing ? `: skipped, ${missing}` : ''})`, () => {
  let s: Server;
  let e: Expected;
  const deployment = async (name: string) => (await call(s.url, 'GET', `/api/v1/deployments/${name}`)).body as { deployment: { revision: number; spec: { variants: { version: string; weight: number }[]; canary?: { status: string; reason?: string } } } };
  const patch = async (name: string, body: unknown, user = 'ana') => {
    const res = await fetch(`${s.url}/api/v1/deployments/${name}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-capstan-user': user }, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json();
  };
  const post = async (path: string, body: unknown, user = 'ana') => {
    const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-capstan-user': user }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };

  beforeAll(async () => {
    s = await startTestServer(undefined, { serving: { syncIntervalMs: 0, canaryIntervalMs: 50 } });
    e = await makeModels(s.url, s.dir);
    expect((await post('/api/v1/deployments', { name: 'churn', variants: [{ modelUri: 'models:/churn/1' }] })).status).toBe(200);
  }, 300_000);
  afterAll(async () => s?.close());

  it('sticky A/B: a key always reaches the same version, and keys split by weight', async () => {
    await patch('churn', { variants: [{ model: 'churn', version: '1', weight: 50 }, { model: 'churn', version: '2', weight: 50 }], stickyHeader: 'x-user' });
    const row = [{ name: 'X', shape: [1, 4], datatype: 'FP32', data: e.churn.inputs[0] }];
    let v2 = 0;
    const keys = 300;
    for (let k = 0; k < keys; k++) {
      const seen = new Set<string>();
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${s.url}/v2/models/churn/infer`, { method: 'POST', headers: { 'x-user': `user-${k}` }, body: JSON.stringify({ inputs: row }) });
        expect(res.status).toBe(200);
        seen.add(res.headers.get('x-capstan-model-version')!);
      }
      expect(seen.size).toBe(1);
      if (seen.has('churn/2')) v2++;
    }
    expect(Math.abs(v2 / keys - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / keys));
    let unkeyed = 0;
    for (let i = 0; i < 300; i++) {
      const res = await fetch(`${s.url}/v2/models/churn/infer`, { method: 'POST', body: JSON.stringify({ inputs: row }) });
      if (res.headers.get('x-capstan-model-version') === 'churn/2') unkeyed++;
    }
    expect(Math.abs(unkeyed / 300 - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 300));
  });

  it('shadow: answers come from the primary, the shadow version is logged', async () => {
    await patch('churn', { variants: [{ modelUri: 'models:/churn/1' }], shadow: { modelUri: 'models:/churn/2', fraction: 1 } });
    const since = Date.now();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${s.url}/v2/models/churn/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'X', shape: [2, 4], datatype: 'FP32', data: e.churn.inputs.slice(0, 2) }] }) });
      expect(res.headers.get('x-capstan-model-version')).toBe('churn/1');
    }
    const logged = await waitFor('shadow records', async () => {
      const res = await call(s.url, 'GET', '/api/v1/deployments/churn/predictions', { since: String(since), includeShadow: 'true', limit: '1000' });
      const preds = res.body.predictions as { id: string; version: string; shadow: boolean; status: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[];
      return preds.filter((p) => p.shadow).length >= 20 && preds.filter((p) => !p.shadow).length >= 20 ? preds : undefined;
    });
    const shadow = logged.filter((p) => p.shadow);
    expect(new Set(shadow.map((p) => p.version))).toEqual(new Set(['2']));
    expect(shadow.every((p) => p.id.endsWith('.shadow') && p.status === 'ok')).toBe(true);
    const primary = logged.find((p) => !p.shadow)!;
    expect(primary.inputs.X).toEqual(e.churn.inputs.slice(0, 2).map((r) => r.map((v) => Math.fround(v))));
    expect(primary.outputs.label).toEqual(e.churn.versions['1']!.label.slice(0, 2));
    const withoutShadow = await call(s.url, 'GET', '/api/v1/deployments/churn/predictions', { since: String(since), limit: '1000' });
    expect((withoutShadow.body.predictions as { shadow: boolean }[]).every((p) => !p.shadow)).toBe(true);
    await patch('churn', { variants: [{ modelUri: 'models:/churn/1' }] });
  });

  it('a canary advances step by step to promotion under load with zero failed requests', async () => {
    const traffic = load(s.url, 'churn', e.churn.inputs.slice(0, 2));
    try {
      await waitFor('warm traffic', async () => (traffic.versions.length > 50 ? true : undefined));
      const started = await post('/api/v1/deployments/churn/canary', { modelUri: 'models:/churn/2', steps: [20, 50, 100], stepSeconds: 0.4, minRequests: 10, maxErrorRate: 0.05, maxP99Ms: 60_000 });
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      const mark = traffic.versions.length;
      await waitFor('promotion', async () => ((await deployment('churn')).deployment.spec.canary?.status === 'promoted' ? true : undefined));
      const during = traffic.versions.slice(mark);
      await waitFor('traffic after promotion', async () => (traffic.versions.length > mark + during.length + 50 ? true : undefined));
      const after = traffic.versions.slice(mark + during.length + 10);
      expect(during.filter((v) => v === 'churn/2').length).toBeGreaterThan(0);
      expect(during.filter((v) => v === 'churn/1').length).toBeGreaterThan(0);
      expect(after.every((v) => v === 'churn/2')).toBe(true);
    } finally {
      await traffic.stop();
    }
    expect(traffic.failures).toEqual([]);
    const history = (await call(s.url, 'GET', '/api/v1/deployments/churn/history')).body.changes as { action: string; user: string; summary: string }[];
    expect(history.slice(0, 4).map((h) => h.action)).toEqual(['canary_promote', 'canary_step', 'canary_step', 'canary_start']);
    expect(history[3]!.user).toBe('ana');
    expect(history[0]!.user).toBe('capstan');
    const back = await post('/api/v1/deployments/churn/rollback', { reason: 'undo the promotion' });
    expect(back.status).toBe(200);
    expect((await deployment('churn')).deployment.spec.variants).toEqual([{ model: 'churn', version: '1', weight: 100 }]);
    await patch('churn', { variants: [{ modelUri: 'models:/churn/2' }] });
  });

  it('a canary that breaks its latency threshold rolls back on its own, with zero failed requests', async () => {
    const traffic = load(s.url, 'churn', e.churn.inputs.slice(0, 2));
    try {
      await waitFor('warm traffic', async () => (traffic.versions.length > 20 ? true : undefined));
      const started = await post('/api/v1/deployments/churn/canary', { model: 'churn', version: '1', steps: [50, 100], stepSeconds: 30, minRequests: 5, maxP99Ms: 0.000001 });
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      const final = await waitFor('rollback', async () => {
        const d = (await deployment('churn')).deployment;
        return d.spec.canary?.status === 'rolled_back' ? d : undefined;
      });
      expect(final.spec.canary!.reason).toMatch(/p99 latency .* ms > 0.000001 ms over \d+ requests at step 1 \(50%\)/);
      expect(final.spec.variants).toEqual([{ model: 'churn', version: '2', weight: 100 }]);
      const mark = traffic.versions.length;
      await waitFor('traffic after rollback', async () => (traffic.versions.length > mark + 30 ? true : undefined));
      expect(traffic.versions.slice(mark + 5).every((v) => v === 'churn/2')).toBe(true);
    } finally {
      await traffic.stop();
    }
    expect(traffic.failures).toEqual([]);
    const history = (await call(s.url, 'GET', '/api/v1/deployments/churn/history', { limit: '1' })).body.changes as { action: string; summary: string }[];
    expect(history[0]!.action).toBe('canary_rollback');
    expect(history[0]!.summary).toMatch(/rolled back automatically: p99 latency/);
  });

  it('hot swaps back and forth under load drop no request, and a manual rollback restores the previous revision', async () => {
    const traffic = load(s.url, 'churn', e.churn.inputs.slice(0, 4));
    try {
      for (let i = 0; i < 6; i++) {
        await patch('churn', { variants: [{ model: 'churn', version: String(1 + (i % 2)) }], workers: 1 + (i % 2) });
        const mark = traffic.versions.length;
        await waitFor('traffic after swap', async () => (traffic.versions.length > mark + 10 ? true : undefined));
      }
    } finally {
      await traffic.stop();
    }
    expect(traffic.failures).toEqual([]);
    expect(new Set(traffic.versions)).toEqual(new Set(['churn/1', 'churn/2']));
    const before = (await deployment('churn')).deployment;
    const rolled = await post('/api/v1/deployments/churn/rollback', { reason: 'bad numbers' }, 'bo');
    expect(rolled.status).toBe(200);
    const after = (await deployment('churn')).deployment;
    expect(after.revision).toBe(before.revision + 1);
    expect(after.spec.variants[0]!.version).not.toBe(before.spec.variants[0]!.version);
    const last = ((await call(s.url, 'GET', '/api/v1/deployments/churn/history', { limit: '1' })).body.changes as { action: string; user: string; summary: string }[])[0]!;
    expect(last).toMatchObject({ action: 'rollback', user: 'bo' });
    expect(last.summary).toMatch(/bad numbers/);
  });

  it('a second replica on the same database serves the deployment and follows changes', async () => {
    const replica = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(s.dir, 'capstan.db')}`, artifactsDestination: join(s.dir, 'artifacts'), serving: { syncIntervalMs: 100, canaryIntervalMs: 0 } });
    try {
      const row = JSON.stringify({ inputs: [{ name: 'X', shape: [1, 4], datatype: 'FP32', data: e.churn.inputs[0] }] });
      const current = (await deployment('churn')).deployment.spec.variants[0]!.version;
      const first = await fetch(`${replica.url}/v2/models/churn/infer`, { method: 'POST', body: row });
      expect(first.headers.get('x-capstan-model-version')).toBe(`churn/${current}`);
      const next = current === '1' ? '2' : '1';
      await patch('churn', { variants: [{ model: 'churn', version: next }] });
      await waitFor('replica to follow', async () => {
        const res = await fetch(`${replica.url}/v2/models/churn/infer`, { method: 'POST', body: row });
        return res.headers.get('x-capstan-model-version') === `churn/${next}` ? true : undefined;
      });
    } finally {
      await replica.close();
    }
  });

  it('exports per-deployment and per-version metrics, batch sizes and payload-log counters', async () => {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toMatch(/capstan_predictions_total\{deployment="churn",version="churn\/1",outcome="ok"\} \d+/);
    expect(text).toMatch(/capstan_predictions_total\{deployment="churn",version="churn\/2",shadow="true",outcome="ok"\} 20/);
    expect(text).toMatch(/capstan_prediction_duration_seconds_bucket\{deployment="churn",version="churn\/2",le="\+Inf"\} \d+/);
    expect(text).toMatch(/capstan_batch_requests_count\{version="churn\/1"\} \d+/);
    expect(text).toMatch(/capstan_payload_log_records_total\{fate="dropped"\} 0/);
    const now = Date.now();
    const timeline = await call(s.url, 'GET', '/api/v1/deployments/churn/timeline', { since: String(now - 600_000), until: String(now + 1000), buckets: '20' });
    expect(timeline.status, timeline.text).toBe(200);
    const points = timeline.body.points as { version: string; shadow: boolean; requests: number; rate: number; p99Ms: number }[];
    expect(new Set(points.map((p) => p.version))).toEqual(new Set(['1', '2']));
    expect(points.some((p) => p.shadow)).toBe(true);
    expect(points.reduce((a, p) => a + p.requests, 0)).toBeGreaterThan(500);
    expect(points.every((p) => p.p99Ms >= 0 && p.rate > 0)).toBe(true);
    expect((await call(s.url, 'GET', '/api/v1/deployments/churn/timeline', { since: '10', until: '5' })).status).toBe(400);
    const written = Number(/capstan_payload_log_records_total\{fate="written"\} (\d+)/.exec(text)![1]);
    expect(written).toBeGreaterThan(100);
  });
});
