import { CapstanError, doesNotExist } from '@capstan/api';
import type { MonitoringStore } from '../../../ports/monitoring-store.js';
import type { Alert, AlertRule, FeedbackRecord, LogWatermark, MonitorConfig, ProfileBucket, Reference, Webhook, WebhookDelivery } from '../../../core/monitoring/deployments/model.js';
import type { SqlDriver, SqlValue } from '../driver.js';

interface FeedbackRow { prediction_id: string; row_index: number; deployment: string; prediction_time: number; label: string; received_at: number; updated_at: number }

const toFeedback = (r: FeedbackRow): FeedbackRecord => ({
  predictionId: r.prediction_id, row: Number(r.row_index), deployment: r.deployment, predictionTime: Number(r.prediction_time),
  label: JSON.parse(r.label) as FeedbackRecord['label'], receivedAt: Number(r.received_at), updatedAt: Number(r.updated_at),
});

const toRule = (r: { body: string; last_fired_at: number | null }): AlertRule => ({ ...(JSON.parse(r.body) as AlertRule), lastFiredAt: r.last_fired_at === null ? null : Number(r.last_fired_at) });

/** {@link MonitoringStore} over the shared SQL driver (SQLite or PostgreSQL). */
export class SqlMonitoringStore implements MonitoringStore {
  constructor(private readonly db: SqlDriver) {}

  async createMonitor(config: MonitorConfig): Promise<MonitorConfig> {
    try {
      await this.db.run('INSERT INTO monitors (deployment, config, created_at, updated_at) VALUES (?, ?, ?, ?)', [config.deployment, JSON.stringify(config), config.createdAt, config.updatedAt]);
    } catch (error) {
      if (this.db.dialect.isUniqueViolation(error)) throw new CapstanError('RESOURCE_ALREADY_EXISTS', `Deployment '${config.deployment}' already has a monitor; delete it first to change its task.`);
      throw error;
    }
    return config;
  }

  async updateMonitor(config: MonitorConfig): Promise<MonitorConfig> {
    const { changes } = await this.db.run('UPDATE monitors SET config = ?, updated_at = ? WHERE deployment = ?', [JSON.stringify(config), config.updatedAt, config.deployment]);
    if (changes === 0) throw doesNotExist(`Deployment '${config.deployment}' has no monitor.`);
    return config;
  }

  async getMonitor(deployment: string): Promise<MonitorConfig | null> {
    const row = await this.db.get<{ config: string }>('SELECT config FROM monitors WHERE deployment = ?', [deployment]);
    return row ? JSON.parse(row.config) as MonitorConfig : null;
  }

  async listMonitors(): Promise<MonitorConfig[]> {
    return (await this.db.all<{ config: string }>('SELECT config FROM monitors ORDER BY deployment')).map((r) => JSON.parse(r.config) as MonitorConfig);
  }

  async deleteMonitor(deployment: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { changes } = await tx.run('DELETE FROM monitors WHERE deployment = ?', [deployment]);
      if (changes === 0) throw doesNotExist(`Deployment '${deployment}' has no monitor.`);
      await tx.run('DELETE FROM monitor_references WHERE deployment = ?', [deployment]);
      await tx.run('DELETE FROM alert_rules WHERE deployment = ?', [deployment]);
      await tx.run('DELETE FROM monitor_profile_buckets WHERE deployment = ?', [deployment]);
      await tx.run('DELETE FROM monitor_profile_watermarks WHERE deployment = ?', [deployment]);
    });
  }

  async getProfileBuckets(deployment: string, windowMs: number, since: number, until: number): Promise<ProfileBucket[]> {
    const rows = await this.db.all<{ bucket_start: number; rows_count: number; profile: string }>(
      'SELECT bucket_start, rows_count, profile FROM monitor_profile_buckets WHERE deployment = ? AND window_ms = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start',
      [deployment, windowMs, since, until]);
    return rows.map((r) => ({ start: Number(r.bucket_start), rows: Number(r.rows_count), profile: JSON.parse(r.profile) as ProfileBucket['profile'] }));
  }

  async putProfileBuckets(deployment: string, windowMs: number, buckets: ProfileBucket[], watermark: LogWatermark): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const b of buckets) {
        await tx.run(
          'INSERT INTO monitor_profile_buckets (deployment, window_ms, bucket_start, rows_count, profile) VALUES (?, ?, ?, ?, ?) ON CONFLICT (deployment, window_ms, bucket_start) DO UPDATE SET rows_count = excluded.rows_count, profile = excluded.profile',
          [deployment, windowMs, b.start, b.rows, JSON.stringify(b.profile)]);
      }
      await tx.run(
        'INSERT INTO monitor_profile_watermarks (deployment, window_ms, time, id) VALUES (?, ?, ?, ?) ON CONFLICT (deployment) DO UPDATE SET window_ms = excluded.window_ms, time = excluded.time, id = excluded.id',
        [deployment, windowMs, watermark.time, watermark.id]);
    });
  }

  async getProfileWatermark(deployment: string): Promise<(LogWatermark & { windowMs: number }) | null> {
    const row = await this.db.get<{ window_ms: number; time: number; id: string }>('SELECT window_ms, time, id FROM monitor_profile_watermarks WHERE deployment = ?', [deployment]);
    return row ? { windowMs: Number(row.window_ms), time: Number(row.time), id: row.id } : null;
  }

  async putReference(reference: Reference): Promise<void> {
    const body = JSON.stringify(reference);
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM monitor_references WHERE deployment = ?', [reference.deployment]);
      await tx.run('INSERT INTO monitor_references (deployment, created_at, body) VALUES (?, ?, ?)', [reference.deployment, reference.createdAt, body]);
    });
  }

  async getReference(deployment: string): Promise<Reference | null> {
    const row = await this.db.get<{ body: string }>('SELECT body FROM monitor_references WHERE deployment = ?', [deployment]);
    return row ? JSON.parse(row.body) as Reference : null;
  }

  async upsertFeedback(records: FeedbackRecord[]): Promise<{ created: number; updated: number }> {
    let created = 0;
    let updated = 0;
    await this.db.transaction(async (tx) => {
      for (const r of records) {
        const label = JSON.stringify(r.label);
        const { changes } = await tx.run('UPDATE prediction_feedback SET label = ?, updated_at = ? WHERE prediction_id = ? AND row_index = ?', [label, r.updatedAt, r.predictionId, r.row]);
        if (changes > 0) updated++;
        else {
          await tx.run('INSERT INTO prediction_feedback (prediction_id, row_index, deployment, prediction_time, label, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [r.predictionId, r.row, r.deployment, r.predictionTime, label, r.receivedAt, r.updatedAt]);
          created++;
        }
      }
    });
    return { created, updated };
  }

  async feedbackInRange(deployment: string, since: number, until: number): Promise<FeedbackRecord[]> {
    return (await this.db.all<FeedbackRow>('SELECT * FROM prediction_feedback WHERE deployment = ? AND prediction_time >= ? AND prediction_time < ? ORDER BY prediction_time, prediction_id, row_index', [deployment, since, until])).map(toFeedback);
  }

  async feedbackFor(predictionIds: string[]): Promise<FeedbackRecord[]> {
    const out: FeedbackRecord[] = [];
    for (let i = 0; i < predictionIds.length; i += 500) {
      const chunk = predictionIds.slice(i, i + 500);
      out.push(...(await this.db.all<FeedbackRow>(`SELECT * FROM prediction_feedback WHERE prediction_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY prediction_id, row_index`, chunk)).map(toFeedback));
    }
    return out;
  }

  async createRule(rule: AlertRule): Promise<AlertRule> {
    const { lastFiredAt, ...body } = rule;
    await this.db.run('INSERT INTO alert_rules (id, deployment, body, created_at, last_fired_at) VALUES (?, ?, ?, ?, ?)', [rule.id, rule.deployment, JSON.stringify(body), rule.createdAt, lastFiredAt]);
    return rule;
  }

  async listRules(deployment?: string): Promise<AlertRule[]> {
    const rows = deployment === undefined
      ? await this.db.all<{ body: string; last_fired_at: number | null }>('SELECT body, last_fired_at FROM alert_rules ORDER BY created_at, id')
      : await this.db.all<{ body: string; last_fired_at: number | null }>('SELECT body, last_fired_at FROM alert_rules WHERE deployment = ? ORDER BY created_at, id', [deployment]);
    return rows.map(toRule);
  }

  async getRule(id: string): Promise<AlertRule | null> {
    const row = await this.db.get<{ body: string; last_fired_at: number | null }>('SELECT body, last_fired_at FROM alert_rules WHERE id = ?', [id]);
    return row ? toRule(row) : null;
  }

  async deleteRule(id: string): Promise<void> {
    const { changes } = await this.db.run('DELETE FROM alert_rules WHERE id = ?', [id]);
    if (changes === 0) throw doesNotExist(`Alert rule '${id}' does not exist.`);
  }

  async fireRule(ruleId: string, expectedLastFiredAt: number | null, alert: Alert): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const params: SqlValue[] = expectedLastFiredAt === null ? [alert.time, ruleId] : [alert.time, ruleId, expectedLastFiredAt];
      const { changes } = await tx.run(`UPDATE alert_rules SET last_fired_at = ? WHERE id = ? AND last_fired_at ${expectedLastFiredAt === null ? 'IS NULL' : '= ?'}`, params);
      if (changes === 0) return false;
      await tx.run('INSERT INTO alerts (id, rule_id, deployment, time, body) VALUES (?, ?, ?, ?, ?)', [alert.id, alert.ruleId, alert.deployment, alert.time, JSON.stringify(alert)]);
      return true;
    });
  }

  async listAlerts(query: { deployment?: string; since?: number; limit: number }): Promise<Alert[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.deployment !== undefined) { where.push('deployment = ?'); params.push(query.deployment); }
    if (query.since !== undefined) { where.push('time >= ?'); params.push(query.since); }
    params.push(query.limit);
    const rows = await this.db.all<{ body: string }>(`SELECT body FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time DESC, id DESC LIMIT ?`, params);
    return rows.map((r) => JSON.parse(r.body) as Alert);
  }

  async getAlert(id: string): Promise<Alert | null> {
    const row = await this.db.get<{ body: string }>('SELECT body FROM alerts WHERE id = ?', [id]);
    return row ? JSON.parse(row.body) as Alert : null;
  }

  async createWebhook(webhook: Webhook): Promise<Webhook> {
    try {
      await this.db.run('INSERT INTO webhooks (id, body, created_at) VALUES (?, ?, ?)', [webhook.id, JSON.stringify(webhook), webhook.createdAt]);
    } catch (error) {
      if (this.db.dialect.isUniqueViolation(error)) throw new CapstanError('RESOURCE_ALREADY_EXISTS', `Webhook '${webhook.id}' already exists.`);
      throw error;
    }
    return webhook;
  }

  async listWebhooks(): Promise<Webhook[]> {
    return (await this.db.all<{ body: string }>('SELECT body FROM webhooks ORDER BY created_at, id')).map((r) => JSON.parse(r.body) as Webhook);
  }

  async getWebhook(id: string): Promise<Webhook | null> {
    const row = await this.db.get<{ body: string }>('SELECT body FROM webhooks WHERE id = ?', [id]);
    return row ? JSON.parse(row.body) as Webhook : null;
  }

  async deleteWebhook(id: string): Promise<void> {
    const { changes } = await this.db.run('DELETE FROM webhooks WHERE id = ?', [id]);
    if (changes === 0) throw doesNotExist(`Webhook '${id}' does not exist.`);
  }

  async recordDelivery(delivery: WebhookDelivery): Promise<void> {
    await this.db.run('INSERT INTO webhook_deliveries (id, webhook_id, time, body) VALUES (?, ?, ?, ?)', [delivery.id, delivery.webhookId, delivery.time, JSON.stringify(delivery)]);
  }

  async listDeliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.db.all<{ body: string }>('SELECT body FROM webhook_deliveries WHERE webhook_id = ? ORDER BY time DESC, id DESC LIMIT ?', [webhookId, limit]);
    return rows.map((r) => JSON.parse(r.body) as WebhookDelivery).sort((a, b) => b.time - a.time || b.attempt - a.attempt);
  }
}
