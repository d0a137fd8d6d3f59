import type { Migration } from '../migrations.js';

/** The monitoring tables: migration versions 400-499, append only. */
export const MONITORING_MIGRATIONS: Migration[] = [
  {
    version: 400,
    name: 'monitors, references, ground truth, alert rules, alerts, webhooks',
    sql: (t) => [
      `CREATE TABLE monitors (
        deployment ${t.text} PRIMARY KEY,
        config ${t.text} NOT NULL,
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL)`,
      `CREATE TABLE monitor_references (
        deployment ${t.text} PRIMARY KEY,
        created_at ${t.bigint} NOT NULL,
        body ${t.text} NOT NULL)`,
      `CREATE TABLE prediction_feedback (
        prediction_id ${t.text} NOT NULL,
        row_index ${t.bigint} NOT NULL,
        deployment ${t.text} NOT NULL,
        prediction_time ${t.bigint} NOT NULL,
        label ${t.text} NOT NULL,
        received_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL,
        PRIMARY KEY (prediction_id, row_index))`,
      `CREATE INDEX prediction_feedback_by_time ON prediction_feedback (deployment, prediction_time)`,
      `CREATE TABLE alert_rules (
        id ${t.text} PRIMARY KEY,
        deployment ${t.text} NOT NULL,
        body ${t.text} NOT NULL,
        created_at ${t.bigint} NOT NULL,
        last_fired_at ${t.bigint})`,
      `CREATE TABLE alerts (
        id ${t.text} PRIMARY KEY,
        rule_id ${t.text} NOT NULL,
        deployment ${t.text} NOT NULL,
        time ${t.bigint} NOT NULL,
        body ${t.text} NOT NULL)`,
      `CREATE INDEX alerts_by_time ON alerts (deployment, time)`,
      `CREATE TABLE webhooks (
        id ${t.text} PRIMARY KEY,
        body ${t.text} NOT NULL,
        created_at ${t.bigint} NOT NULL)`,
      `CREATE TABLE webhook_deliveries (
        id ${t.text} PRIMARY KEY,
        webhook_id ${t.text} NOT NULL,
        time ${t.bigint} NOT NULL,
        body ${t.text} NOT NULL)`,
      `CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, time)`,
    ],
  },
  {
    version: 401,
    name: 'stored window profiles of the prediction log, and the profiler watermark',
    sql: (t) => [
      `CREATE TABLE monitor_profile_buckets (
        deployment ${t.text} NOT NULL,
        window_ms ${t.bigint} NOT NULL,
        bucket_start ${t.bigint} NOT NULL,
        rows_count ${t.bigint} NOT NULL,
        profile ${t.text} NOT NULL,
        PRIMARY KEY (deployment, window_ms, bucket_start))`,
      `CREATE TABLE monitor_profile_watermarks (
        deployment ${t.text} PRIMARY KEY,
        window_ms ${t.bigint} NOT NULL,
        time ${t.bigint} NOT NULL,
        id ${t.text} NOT NULL)`,
    ],
  },
];
