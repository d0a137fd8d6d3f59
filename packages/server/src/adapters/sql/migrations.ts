import type { SqlDialect, SqlDriver } from './driver.js';
import { DATA_MIGRATIONS } from './data/schema.js';
import { MONITORING_MIGRATIONS } from './monitoring/schema.js';
import { PIPELINE_MIGRATIONS } from './pipelines/schema.js';
import { SERVING_MIGRATIONS } from './serving/schema.js';

/** One schema step; `sql` receives the dialect's column types. */
export interface Migration {
  version: number;
  name: string;
  sql: (t: SqlDialect['types']) => string[];
}

/**
 * The tracking and registry schema (versions 1–99). Append only: a released migration is never
 * edited. Both backends run the same statements with their own column types.
 *
 * Each other capability owns a version range and its own list beside its store
 * (`adapters/sql/<capability>/schema.ts`): serving 100–199, data 200–299, pipelines 300–399,
 * monitoring 400–499, auth 500–599. Applied versions are tracked one by one, so ranges can grow
 * independently.
 */
const TRACKING_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'tracking and registry',
    sql: (t) => [
      `CREATE TABLE experiments (
        experiment_id ${t.serialPk},
        name ${t.text} NOT NULL UNIQUE,
        artifact_location ${t.text} NOT NULL,
        lifecycle_stage ${t.text} NOT NULL DEFAULT 'active',
        creation_time ${t.bigint} NOT NULL,
        last_update_time ${t.bigint} NOT NULL)`,
      `CREATE TABLE experiment_tags (
        experiment_id ${t.bigint} NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
        key ${t.text} NOT NULL, value ${t.text} NOT NULL,
        PRIMARY KEY (experiment_id, key))`,
      `CREATE TABLE runs (
        run_uuid ${t.text} PRIMARY KEY,
        name ${t.text} NOT NULL,
        experiment_id ${t.bigint} NOT NULL REFERENCES experiments(experiment_id),
        user_id ${t.text} NOT NULL,
        status ${t.text} NOT NULL,
        start_time ${t.bigint} NOT NULL,
        end_time ${t.bigint},
        deleted_time ${t.bigint},
        artifact_uri ${t.text} NOT NULL,
        lifecycle_stage ${t.text} NOT NULL DEFAULT 'active')`,
      `CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time DESC, run_uuid)`,
      `CREATE TABLE params (
        run_uuid ${t.text} NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
        key ${t.text} NOT NULL, value ${t.text} NOT NULL,
        PRIMARY KEY (run_uuid, key)) ${t.withoutRowid}`,
      `CREATE TABLE tags (
        run_uuid ${t.text} NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
        key ${t.text} NOT NULL, value ${t.text} NOT NULL,
        PRIMARY KEY (run_uuid, key)) ${t.withoutRowid}`,
      `CREATE TABLE metrics (
        run_uuid ${t.text} NOT NULL,
        key ${t.text} NOT NULL,
        step ${t.bigint} NOT NULL,
        timestamp ${t.bigint} NOT NULL,
        value ${t.double} NOT NULL,
        is_nan INTEGER NOT NULL,
        model_id ${t.text},
        dataset_name ${t.text},
        dataset_digest ${t.text},
        PRIMARY KEY (run_uuid, key, step, timestamp, value, is_nan)) ${t.withoutRowid}`,
      `CREATE TABLE latest_metrics (
        run_uuid ${t.text} NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
        key ${t.text} NOT NULL,
        step ${t.bigint} NOT NULL,
        timestamp ${t.bigint} NOT NULL,
        value ${t.double} NOT NULL,
        is_nan INTEGER NOT NULL,
        PRIMARY KEY (run_uuid, key)) ${t.withoutRowid}`,
      `CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value)`,
      `CREATE TABLE datasets (
        dataset_uuid ${t.text} PRIMARY KEY,
        experiment_id ${t.bigint} NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
        name ${t.text} NOT NULL,
        digest ${t.text} NOT NULL,
        source_type ${t.text} NOT NULL,
        source ${t.text} NOT NULL,
        schema ${t.text},
        profile ${t.text},
        UNIQUE (experiment_id, name, digest))`,
      `CREATE TABLE inputs (
        input_uuid ${t.text} PRIMARY KEY,
        source_type ${t.text} NOT NULL,
        source_id ${t.text} NOT NULL,
        destination_type ${t.text} NOT NULL,
        destination_id ${t.text} NOT NULL,
        UNIQUE (source_type, source_id, destination_type, destination_id))`,
      `CREATE INDEX inputs_by_destination ON inputs (destination_id)`,
      `CREATE TABLE input_tags (
        input_uuid ${t.text} NOT NULL REFERENCES inputs(input_uuid) ON DELETE CASCADE,
        key ${t.text} NOT NULL, value ${t.text} NOT NULL,
        PRIMARY KEY (input_uuid, key))`,
      `CREATE TABLE logged_models (
        model_id ${t.text} PRIMARY KEY,
        experiment_id ${t.bigint} NOT NULL REFERENCES experiments(experiment_id),
        name ${t.text} NOT NULL,
        artifact_location ${t.text} NOT NULL,
        creation_timestamp_ms ${t.bigint} NOT NULL,
        last_updated_timestamp_ms ${t.bigint} NOT NULL,
        status ${t.text} NOT NULL,
        status_message ${t.text},
        creator_id ${t.text},
        model_type ${t.text},
        source_run_id ${t.text},
        lifecycle_stage ${t.text} NOT NULL DEFAULT 'active')`,
      `CREATE INDEX logged_models_by_experiment ON logged_models (experiment_id, creation_timestamp_ms)`,
      `CREATE TABLE logged_model_params (
        model_id ${t.text} NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
        key ${t.text} NOT NULL, value ${t.text} NOT NULL,
        PRIMARY KEY (model_id, key))`,
      `CREATE TABLE logged_model_tags (
        model_id ${t.text} NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
        key ${t.text} NOT NULL, value ${t.text} NOT NULL,
        PRIMARY KEY (model_id, key))`,
      `CREATE TABLE logged_model_metrics (
        model_id ${t.text} NOT NULL,
        key ${t.text} NOT NULL,
        step ${t.bigint} NOT NULL,
        timestamp ${t.bigint} NOT NULL,
        value ${t.double} NOT NULL,
        is_nan INTEGER NOT NULL,
        run_id ${t.text} NOT NULL,
        dataset_name ${t.text} NOT NULL DEFAULT '',
        dataset_digest ${t.text} NOT NULL DEFAULT '',
        PRIMARY KEY (model_id, key, step, timestamp, value, is_nan, run_id, dataset_name, dataset_digest))`,
      `CREATE TABLE run_model_outputs (
        run_uuid ${t.text} NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
        model_id ${t.text} NOT NULL,
        step ${t.bigint} NOT NULL,
        PRIMARY KEY (run_uuid, model_id))`,
      `CREATE TABLE registered_models (
        name ${t.text} PRIMARY KEY,
        creation_timestamp ${t.bigint} NOT NULL,
        last_updated_timestamp ${t.bigint} NOT NULL,
        description ${t.text},
        next_version ${t.bigint} NOT NULL DEFAULT 1)`,
      `CREATE TABLE registered_model_tags (
        name ${t.text} NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
        key ${t.text} NOT NULL, value ${t.text} NOT NULL,
        PRIMARY KEY (name, key))`,
      `CREATE TABLE model_versions (
        name ${t.text} NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
        version ${t.bigint} NOT NULL,
        creation_timestamp ${t.bigint} NOT NULL,
        last_updated_timestamp ${t.bigint} NOT NULL,
        description ${t.text},
        user_id ${t.text},
        current_stage ${t.text} NOT NULL DEFAULT 'None',
        source ${t.text} NOT NULL,
        storage_location ${t.text} NOT NULL,
        run_id ${t.text},
        run_link ${t.text},
        status ${t.text} NOT NULL,
        status_message ${t.text},
        model_id ${t.text},
        PRIMARY KEY (name, version))`,
      `CREATE INDEX model_versions_by_run ON model_versions (run_id)`,
      `CREATE TABLE model_version_tags (
        name ${t.text} NOT NULL,
        version ${t.bigint} NOT NULL,
        key ${t.text} NOT NULL, value ${t.text} NOT NULL,
        PRIMARY KEY (name, version, key),
        FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON DELETE CASCADE ON UPDATE CASCADE)`,
      `CREATE TABLE registered_model_aliases (
        name ${t.text} NOT NULL,
        alias ${t.text} NOT NULL,
        version ${t.bigint} NOT NULL,
        PRIMARY KEY (name, alias),
        FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON DELETE CASCADE ON UPDATE CASCADE)`,
    ],
  },
  {
    version: 2,
    name: 'registry change history (promotion audit)',
    sql: (t) => [
      `CREATE TABLE registry_changes (
        id ${t.serialPk},
        time ${t.bigint} NOT NULL,
        user_id ${t.text} NOT NULL,
        model ${t.text} NOT NULL,
        version ${t.bigint},
        kind ${t.text} NOT NULL,
        alias ${t.text},
        before_value ${t.text},
        after_value ${t.text})`,
      `CREATE INDEX registry_changes_by_model ON registry_changes (model, id)`,
    ],
  },
];

/** Every capability's migrations, in version order. */
const MIGRATIONS: Migration[] = [
  ...TRACKING_MIGRATIONS,
  ...SERVING_MIGRATIONS,
  ...DATA_MIGRATIONS,
  ...PIPELINE_MIGRATIONS,
  ...MONITORING_MIGRATIONS,
].sort((a, b) => a.version - b.version);

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Applies every migration the database has not seen yet, under the dialect's migration lock and
 * in one transaction, so several servers starting together migrate once and a failure leaves the
 * schema as it was.
 * @throws Error when the database holds a migration this build does not know (it is newer).
 */
export async function migrate(driver: SqlDriver): Promise<void> {
  await driver.transaction(async (tx) => {
    if (driver.dialect.migrationLock) await tx.run(driver.dialect.migrationLock);
    await tx.run(`CREATE TABLE IF NOT EXISTS capstan_schema (version ${driver.dialect.types.bigint} PRIMARY KEY, name ${driver.dialect.types.text} NOT NULL, applied_at ${driver.dialect.types.bigint} NOT NULL)`);
    const rows = await tx.all<{ version: number }>('SELECT version FROM capstan_schema');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const known = new Set(MIGRATIONS.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new Error(`database schema has migration(s) ${unknown.join(', ')} that this Capstan build (schema ${SCHEMA_VERSION}) does not know; upgrade Capstan`);
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const statement of m.sql(driver.dialect.types)) await tx.run(statement);
      await tx.run('INSERT INTO capstan_schema (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
    }
  });
}
