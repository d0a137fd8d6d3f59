import type { Alert, AlertRule, FeedbackRecord, LogWatermark, MonitorConfig, ProfileBucket, Reference, Webhook, WebhookDelivery } from '../core/monitoring/deployments/model.js';

/**
 * Where monitors, references, ground-truth labels, alert rules, alerts, webhooks and their
 * delivery attempts are kept. Every implementation passes `test/contract/monitoring-store.ts`.
 */
export interface MonitoringStore {
  /** @throws RESOURCE_ALREADY_EXISTS when the deployment already has a monitor. */
  createMonitor(config: MonitorConfig): Promise<MonitorConfig>;
  /** Replaces a monitor's config. @throws RESOURCE_DOES_NOT_EXIST */
  updateMonitor(config: MonitorConfig): Promise<MonitorConfig>;
  getMonitor(deployment: string): Promise<MonitorConfig | null>;
  listMonitors(): Promise<MonitorConfig[]>;
  /** Deletes a monitor with its reference and rules (labels and alerts stay). @throws RESOURCE_DOES_NOT_EXIST */
  deleteMonitor(deployment: string): Promise<void>;

  /** Stores (or replaces, atomically) a monitor's reference. */
  putReference(reference: Reference): Promise<void>;
  getReference(deployment: string): Promise<Reference | null>;

  /**
   * Upserts labels keyed by (predictionId, row) in one transaction: a new label keeps the first
   * `receivedAt` and sets `updatedAt`. Returns how many were new and how many replaced.
   */
  upsertFeedback(records: FeedbackRecord[]): Promise<{ created: number; updated: number }>;
  /** Labels of a deployment's predictions made in [since, until). */
  feedbackInRange(deployment: string, since: number, until: number): Promise<FeedbackRecord[]>;
  /** Labels of the given predictions. */
  feedbackFor(predictionIds: string[]): Promise<FeedbackRecord[]>;

  createRule(rule: AlertRule): Promise<AlertRule>;
  listRules(deployment?: string): Promise<AlertRule[]>;
  getRule(id: string): Promise<AlertRule | null>;
  /** @throws RESOURCE_DOES_NOT_EXIST */
  deleteRule(id: string): Promise<void>;
  /**
   * Records that a rule fired at `time` and stores the alert, in one transaction, if the rule
   * still last fired at `expectedLastFiredAt` (so two replicas cannot both fire); false otherwise.
   */
  fireRule(ruleId: string, expectedLastFiredAt: number | null, alert: Alert): Promise<boolean>;
  /** Alerts, newest first. */
  listAlerts(query: { deployment?: string; since?: number; limit: number }): Promise<Alert[]>;
  getAlert(id: string): Promise<Alert | null>;

  /** @throws RESOURCE_ALREADY_EXISTS on a duplicate id. */
  createWebhook(webhook: Webhook): Promise<Webhook>;
  /** Webhooks with their secrets (for signing). */
  listWebhooks(): Promise<Webhook[]>;
  getWebhook(id: string): Promise<Webhook | null>;
  /** Deletes a webhook (its delivery records stay). @throws RESOURCE_DOES_NOT_EXIST */
  deleteWebhook(id: string): Promise<void>;
  recordDelivery(delivery: WebhookDelivery): Promise<void>;
  /** Delivery attempts of a webhook, newest first. */
  listDeliveries(webhookId: string, limit: number): Promise<WebhookDelivery[]>;
  /** Stored window profiles of a deployment's log with starts in [since, until), oldest first. */
  getProfileBuckets(deployment: string, windowMs: number, since: number, until: number): Promise<ProfileBucket[]>;
  /** Upserts window profiles and moves the profiler's watermark, in one transaction. */
  putProfileBuckets(deployment: string, windowMs: number, buckets: ProfileBucket[], watermark: LogWatermark): Promise<void>;
  /** How far the profiler has read a deployment's log, and for which window width (null: not yet). */
  getProfileWatermark(deployment: string): Promise<(LogWatermark & { windowMs: number }) | null>;
}
