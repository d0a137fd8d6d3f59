import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import type { Alert, AlertRule, FeedbackRecord, MonitorConfig, Reference, Webhook } from '../../src/core/monitoring/deployments/model.js';
import type { MonitoringStore } from '../../src/ports/monitoring-store.js';

/** A fresh store and how to dispose of it. */
export interface OpenedMonitoringStore {
  store: MonitoringStore;
  cleanup: () => Promise<void>;
}

const T0 = 1_700_000_000_000;

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (error) {
    return isCapstanError(error) ? error.code : String(error);
  }
}

const monitor = (deployment: string, over: Partial<MonitorConfig> = {}): MonitorConfig => ({
  deployment, task: 'classification', windowMs: 3_600_000, segmentColumns: ['plan'], drift: { driftShare: 0.3 }, positiveClass: 'yes', scoreIndex: 1,
  targetColumn: 'target', createdAt: T0, updatedAt: T0, ...over,
});

const reference = (deployment: string, rows: number): Reference => ({
  deployment, createdAt: T0 + rows, source: 'rows', rows, features: ['plan', 'x'],
  profile: { version: 1, rows, columns: [] }, segments: { plan: { a: { version: 1, rows: 1, columns: [] } } },
  raw: { x: [1, null, 2.5], plan: ['a', 'b', null] }, performance: { accuracy: 0.75, roc_auc: null }, labeledRows: 3,
  calibration: { used: true, reason: 'r', x: [0, 1], y: [0.1, 0.9] },
});

const label = (id: string, row: number, value: FeedbackRecord['label'], time: number, at: number): FeedbackRecord => ({
  predictionId: id, row, deployment: 'd', predictionTime: time, label: value, receivedAt: at, updatedAt: at,
});

const rule = (id: string, deployment = 'd'): AlertRule => ({
  id, deployment, name: `rule ${id}`, metric: 'dataset_drift_share', comparison: 'gte', threshold: 0.5, windowMs: 60_000, cooldownMs: 120_000,
  severity: 'critical', enabled: true, createdAt: T0, lastFiredAt: null,
});

const alert = (id: string, ruleId: string, time: number, deployment = 'd'): Alert => ({
  id, ruleId, deployment, time, severity: 'critical', metric: 'dataset_drift_share', value: 0.6, threshold: 0.5, comparison: 'gte', summary: 's',
  evidence: { since: time - 60_000, until: time, rows: 10, driftedColumns: [{ column: 'x', stattest: 'ks', score: 0.001, threshold: 0.05 }] },
});

/** The behaviour every {@link MonitoringStore} implementation must have. */
export function describeMonitoringStoreContract(backend: string, open: () => Promise<OpenedMonitoringStore>): void {
  describe(`MonitoringStore contract (${backend})`, () => {
    let opened: OpenedMonitoringStore;
    let store: MonitoringStore;
    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    });
    afterAll(async () => opened?.cleanup());

    it('creates, lists, updates and deletes monitors; a duplicate is refused and the first kept', async () => {
      await store.createMonitor(monitor('d'));
      await store.createMonitor(monitor('a', { task: 'regression' }));
      expect(await code(store.createMonitor(monitor('d', { task: 'regression' })))).toBe('RESOURCE_ALREADY_EXISTS');
      expect(await store.getMonitor('d')).toEqual(monitor('d'));
      expect((await store.listMonitors()).map((m) => m.deployment)).toEqual(['a', 'd']);
      await store.updateMonitor(monitor('a', { task: 'regression', windowMs: 60_000, updatedAt: T0 + 5 }));
      expect((await store.getMonitor('a'))?.windowMs).toBe(60_000);
      expect(await code(store.updateMonitor(monitor('zz')))).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(await store.getMonitor('missing')).toBeNull();
    });

    it('replaces a reference atomically and round-trips it', async () => {
      expect(await store.getReference('d')).toBeNull();
      await store.putReference(reference('d', 3));
      expect(await store.getReference('d')).toEqual(reference('d', 3));
      await store.putReference(reference('d', 7));
      expect((await store.getReference('d'))?.rows).toBe(7);
    });

    it('upserts labels: late and out of order, first arrival kept, label types preserved', async () => {
      const first = await store.upsertFeedback([label('p2', 0, 'yes', T0 + 20, T0 + 100), label('p1', 0, 1, T0 + 10, T0 + 100), label('p1', 1, true, T0 + 10, T0 + 100)]);
      expect(first).toEqual({ created: 3, updated: 0 });
      const second = await store.upsertFeedback([label('p2', 0, 'no', T0 + 20, T0 + 500), label('p3', 0, 2.5, T0 + 30, T0 + 500)]);
      expect(second).toEqual({ created: 1, updated: 1 });
      const all = await store.feedbackInRange('d', T0, T0 + 100);
      expect(all.map((f) => [f.predictionId, f.row, f.label])).toEqual([['p1', 0, 1], ['p1', 1, true], ['p2', 0, 'no'], ['p3', 0, 2.5]]);
      const p2 = all.find((f) => f.predictionId === 'p2')!;
      expect([p2.receivedAt, p2.updatedAt]).toEqual([T0 + 100, T0 + 500]);
      expect((await store.feedbackInRange('d', T0 + 11, T0 + 30)).map((f) => f.predictionId)).toEqual(['p2']);
      expect((await store.feedbackInRange('other', T0, T0 + 100))).toEqual([]);
      expect((await store.feedbackFor(['p3', 'nope', 'p1'])).map((f) => `${f.predictionId}/${f.row}`)).toEqual(['p1/0', 'p1/1', 'p3/0']);
    });

    it('fires a rule once per expected state (two replicas cannot both fire) and lists alerts newest first', async () => {
      await store.createRule(rule('r1'));
      await store.createRule(rule('r2', 'a'));
      expect((await store.listRules('d')).map((r) => r.id)).toEqual(['r1']);
      expect((await store.listRules()).map((r) => r.id).sort()).toEqual(['r1', 'r2']);
      expect(await store.fireRule('r1', null, alert('al1', 'r1', T0 + 1000))).toBe(true);
      expect(await store.fireRule('r1', null, alert('al2', 'r1', T0 + 1001))).toBe(false);
      expect((await store.getRule('r1'))?.lastFiredAt).toBe(T0 + 1000);
      expect(await store.fireRule('r1', T0 + 1000, alert('al3', 'r1', T0 + 5000))).toBe(true);
      expect(await store.fireRule('r2', null, alert('al4', 'r2', T0 + 3000, 'a'))).toBe(true);
      expect((await store.listAlerts({ limit: 10 })).map((a) => a.id)).toEqual(['al3', 'al4', 'al1']);
      expect((await store.listAlerts({ deployment: 'd', limit: 10 })).map((a) => a.id)).toEqual(['al3', 'al1']);
      expect((await store.listAlerts({ since: T0 + 2000, limit: 1 })).map((a) => a.id)).toEqual(['al3']);
      expect(await store.getAlert('al1')).toEqual(alert('al1', 'r1', T0 + 1000));
      expect(await store.getAlert('al2')).toBeNull();
      await store.deleteRule('r2');
      expect(await code(store.deleteRule('r2'))).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(await store.getAlert('al4')).not.toBeNull();
    });

    it('keeps webhooks with secrets and their delivery attempts, also after the webhook is deleted', async () => {
      const hook: Webhook = { id: 'w1', url: 'http://127.0.0.1:9/x', events: ['drift.alert'], secret: 's'.repeat(32), description: 'ops', createdAt: T0 };
      await store.createWebhook(hook);
      expect(await code(store.createWebhook(hook))).toBe('RESOURCE_ALREADY_EXISTS');
      expect(await store.listWebhooks()).toEqual([hook]);
      for (let attempt = 1; attempt <= 3; attempt++) {
        await store.recordDelivery({ id: `dl${attempt}`, webhookId: 'w1', eventId: 'e1', eventType: 'drift.alert', attempt, time: T0 + attempt, status: attempt < 3 ? 500 : 200, ok: attempt === 3, error: attempt < 3 ? 'HTTP 500' : null, durationMs: 1 });
      }
      expect((await store.listDeliveries('w1', 2)).map((d) => [d.attempt, d.ok])).toEqual([[3, true], [2, false]]);
      await store.deleteWebhook('w1');
      expect(await store.getWebhook('w1')).toBeNull();
      expect(await code(store.deleteWebhook('w1'))).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(await store.listDeliveries('w1', 10)).toHaveLength(3);
    });

    it('stores window profiles with the profiler watermark in one step, by window width and range', async () => {
      const H = 3_600_000;
      const bucket = (start: number, rows: number) => ({ start, rows, profile: { version: 1, rows, columns: [] } });
      expect(await store.getProfileWatermark('d')).toBeNull();
      await store.putProfileBuckets('d', H, [bucket(T0, 3), bucket(T0 + H, 5)], { time: T0 + H + 10, id: 'p-9' });
      expect(await store.getProfileWatermark('d')).toEqual({ windowMs: H, time: T0 + H + 10, id: 'p-9' });
      await store.putProfileBuckets('d', H, [bucket(T0 + H, 8)], { time: T0 + H + 20, id: 'p-12' });
      expect((await store.getProfileBuckets('d', H, T0, T0 + 2 * H)).map((b) => [b.start, b.rows, b.profile.rows])).toEqual([[T0, 3, 3], [T0 + H, 8, 8]]);
      expect((await store.getProfileBuckets('d', H, T0 + 1, T0 + 2 * H)).map((b) => b.start)).toEqual([T0 + H]);
      expect(await store.getProfileBuckets('d', 60_000, T0, T0 + 2 * H)).toEqual([]);
      expect(await store.getProfileBuckets('a', H, T0, T0 + 2 * H)).toEqual([]);
      expect(await store.getProfileWatermark('d')).toEqual({ windowMs: H, time: T0 + H + 20, id: 'p-12' });
    });

    it('deleting a monitor removes its reference and rules but keeps labels and alerts', async () => {
      await store.deleteMonitor('d');
      expect(await store.getProfileWatermark('d')).toBeNull();
      expect(await store.getProfileBuckets('d', 3_600_000, 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
      expect(await store.getMonitor('d')).toBeNull();
      expect(await store.getReference('d')).toBeNull();
      expect(await store.listRules('d')).toEqual([]);
      expect(await store.feedbackInRange('d', T0, T0 + 100)).toHaveLength(4);
      expect(await store.listAlerts({ deployment: 'd', limit: 10 })).toHaveLength(2);
      expect(await code(store.deleteMonitor('d'))).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(await store.getMonitor('a')).not.toBeNull();
    });
  });
}
