import type { Migration } from '../migrations.js';

/** The serving tables: migration versions 100–199, append only. */
export const SERVING_MIGRATIONS: Migration[] = [
  {
    version: 100,
    name: 'deployments, their history, and the prediction log',
    sql: (t) => [
      `CREATE TABLE deployments (
        name ${t.text} PRIMARY KEY,
        spec ${t.text} NOT NULL,
        revision ${t.bigint} NOT NULL,
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL,
        created_by ${t.text} NOT NULL)`,
      `CREATE TABLE deployment_history (
        deployment ${t.text} NOT NULL,
        revision ${t.bigint} NOT NULL,
        time ${t.bigint} NOT NULL,
        user_id ${t.text} NOT NULL,
        action ${t.text} NOT NULL,
        summary ${t.text} NOT NULL,
        spec ${t.text} NOT NULL,
        PRIMARY KEY (deployment, revision))`,
      `CREATE TABLE prediction_logs (
        id ${t.text} PRIMARY KEY,
        deployment ${t.text} NOT NULL,
        model_name ${t.text} NOT NULL,
        model_version ${t.text} NOT NULL,
        time ${t.bigint} NOT NULL,
        latency_ms ${t.double} NOT NULL,
        status ${t.text} NOT NULL,
        shadow INTEGER NOT NULL,
        inputs ${t.text} NOT NULL,
        outputs ${t.text},
        error ${t.text})`,
      `CREATE INDEX prediction_logs_by_time ON prediction_logs (deployment, time)`,
    ],
  },
];
