import type { Migration } from '../migrations.js';

/** The data tables: migration versions 200-299, append only. */
export const DATA_MIGRATIONS: Migration[] = [
  {
    version: 200,
    name: 'datasets, versions, blobs, documents, table facts, validations',
    sql: (t) => [
      `CREATE TABLE data_sets (
        name ${t.text} PRIMARY KEY,
        description ${t.text} NOT NULL DEFAULT '',
        creation_time ${t.bigint} NOT NULL,
        last_update_time ${t.bigint} NOT NULL,
        next_version ${t.bigint} NOT NULL DEFAULT 1)`,
      `CREATE TABLE dataset_versions (
        name ${t.text} NOT NULL REFERENCES data_sets(name) ON DELETE CASCADE,
        version ${t.bigint} NOT NULL,
        digest ${t.text} NOT NULL,
        file_count ${t.bigint} NOT NULL,
        total_bytes ${t.bigint} NOT NULL,
        message ${t.text} NOT NULL,
        user_id ${t.text} NOT NULL,
        tags ${t.text} NOT NULL,
        creation_time ${t.bigint} NOT NULL,
        PRIMARY KEY (name, version))`,
      `CREATE INDEX dataset_versions_by_digest ON dataset_versions (digest)`,
      `CREATE TABLE dataset_blobs (
        digest ${t.text} PRIMARY KEY,
        size ${t.bigint} NOT NULL,
        creation_time ${t.bigint} NOT NULL) ${t.withoutRowid}`,
      `CREATE TABLE dataset_documents (
        name ${t.text} NOT NULL,
        version ${t.bigint} NOT NULL,
        kind ${t.text} NOT NULL,
        body ${t.text} NOT NULL,
        update_time ${t.bigint} NOT NULL,
        PRIMARY KEY (name, version, kind),
        FOREIGN KEY (name, version) REFERENCES dataset_versions(name, version) ON DELETE CASCADE)`,
      `CREATE TABLE dataset_tables (
        digest ${t.text} NOT NULL,
        format ${t.text} NOT NULL,
        body ${t.text} NOT NULL,
        PRIMARY KEY (digest, format))`,
      `CREATE TABLE dataset_validations (
        validation_id ${t.serialPk},
        name ${t.text} NOT NULL,
        version ${t.bigint} NOT NULL,
        suite ${t.text} NOT NULL,
        success INTEGER NOT NULL,
        result ${t.text} NOT NULL,
        creation_time ${t.bigint} NOT NULL,
        FOREIGN KEY (name, version) REFERENCES dataset_versions(name, version) ON DELETE CASCADE)`,
      `CREATE INDEX dataset_validations_by_version ON dataset_validations (name, version, validation_id)`,
    ],
  },
  {
    version: 201,
    name: 'dataset blobs stored inside packs',
    sql: (t) => [
      `ALTER TABLE dataset_blobs ADD COLUMN pack ${t.text}`,
      `ALTER TABLE dataset_blobs ADD COLUMN pack_offset ${t.bigint}`,
    ],
  },
];
