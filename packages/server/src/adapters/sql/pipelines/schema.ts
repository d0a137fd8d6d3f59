import type { Migration } from '../migrations.js';

/**
 * The pipelines tables: migration versions 300-399, append only. Lineage follows ML Metadata:
 * artifacts, executions, events (artifact-execution edges) and contexts with attributions.
 */
export const PIPELINE_MIGRATIONS: Migration[] = [
  {
    version: 300,
    name: 'pipelines, runs and ML Metadata lineage',
    sql: (t) => [
      `CREATE TABLE pl_pipelines (
        name ${t.text} PRIMARY KEY,
        description ${t.text},
        digest ${t.text} NOT NULL,
        spec ${t.text} NOT NULL,
        created_at ${t.bigint} NOT NULL,
        updated_at ${t.bigint} NOT NULL)`,
      `CREATE TABLE pl_runs (
        run_id ${t.text} PRIMARY KEY,
        pipeline ${t.text} NOT NULL,
        pipeline_digest ${t.text} NOT NULL,
        spec ${t.text} NOT NULL,
        status ${t.text} NOT NULL,
        params ${t.text} NOT NULL,
        trigger_kind ${t.text},
        trigger_detail ${t.text},
        created_at ${t.bigint} NOT NULL,
        started_at ${t.bigint},
        ended_at ${t.bigint},
        error ${t.text},
        tracking_run_id ${t.text})`,
      `CREATE INDEX pl_runs_by_pipeline ON pl_runs (pipeline, created_at)`,
      `CREATE TABLE pl_executions (
        id ${t.serialPk},
        run_id ${t.text} NOT NULL REFERENCES pl_runs(run_id) ON DELETE CASCADE,
        step ${t.text} NOT NULL,
        node ${t.text} NOT NULL,
        iteration ${t.bigint},
        attempt ${t.bigint} NOT NULL,
        state ${t.text} NOT NULL,
        cache_key ${t.text},
        cached_from ${t.bigint},
        tracking_run_id ${t.text},
        params ${t.text},
        vals ${t.text},
        error ${t.text},
        worker ${t.text},
        started_at ${t.bigint} NOT NULL,
        ended_at ${t.bigint})`,
      `CREATE INDEX pl_executions_by_run ON pl_executions (run_id, id)`,
      `CREATE INDEX pl_executions_by_cache_key ON pl_executions (cache_key, state, id)`,
      `CREATE TABLE pl_artifacts (
        id ${t.serialPk},
        type ${t.text} NOT NULL,
        uri ${t.text} NOT NULL UNIQUE,
        name ${t.text} NOT NULL,
        digest ${t.text} NOT NULL,
        size ${t.bigint},
        state ${t.text} NOT NULL DEFAULT 'LIVE',
        created_at ${t.bigint} NOT NULL)`,
      `CREATE INDEX pl_artifacts_by_digest ON pl_artifacts (digest)`,
      `CREATE TABLE pl_events (
        artifact_id ${t.bigint} NOT NULL REFERENCES pl_artifacts(id),
        execution_id ${t.bigint} NOT NULL REFERENCES pl_executions(id) ON DELETE CASCADE,
        type ${t.text} NOT NULL,
        path ${t.text} NOT NULL,
        ts ${t.bigint} NOT NULL,
        PRIMARY KEY (artifact_id, execution_id, type, path))`,
      `CREATE INDEX pl_events_by_execution ON pl_events (execution_id, type)`,
      `CREATE TABLE pl_contexts (
        id ${t.serialPk},
        type ${t.text} NOT NULL,
        name ${t.text} NOT NULL,
        UNIQUE (type, name))`,
      `CREATE TABLE pl_attributions (
        context_id ${t.bigint} NOT NULL REFERENCES pl_contexts(id) ON DELETE CASCADE,
        artifact_id ${t.bigint} NOT NULL REFERENCES pl_artifacts(id),
        PRIMARY KEY (context_id, artifact_id))`,
      `CREATE TABLE pl_approvals (
        run_id ${t.text} NOT NULL REFERENCES pl_runs(run_id) ON DELETE CASCADE,
        step ${t.text} NOT NULL,
        state ${t.text} NOT NULL,
        message ${t.text},
        requested_at ${t.bigint} NOT NULL,
        timeout_at ${t.bigint} NOT NULL,
        decided_by ${t.text},
        decided_at ${t.bigint},
        comment ${t.text},
        PRIMARY KEY (run_id, step))`,
      `CREATE TABLE pl_triggers (
        id ${t.serialPk},
        pipeline ${t.text} NOT NULL REFERENCES pl_pipelines(name) ON DELETE CASCADE,
        kind ${t.text} NOT NULL,
        spec ${t.text} NOT NULL)`,
      `CREATE TABLE pl_trigger_firings (
        pipeline ${t.text} NOT NULL,
        dedup_key ${t.text} NOT NULL,
        fired_at ${t.bigint} NOT NULL,
        PRIMARY KEY (pipeline, dedup_key))`,
    ],
  },
  {
    version: 301,
    name: 'pipeline run coordinators and heartbeats',
    sql: (t) => [
      `ALTER TABLE pl_runs ADD COLUMN coordinator ${t.text}`,
      `ALTER TABLE pl_runs ADD COLUMN heartbeat_at ${t.bigint}`,
      `CREATE INDEX pl_runs_by_status ON pl_runs (status, heartbeat_at)`,
    ],
  },
];
