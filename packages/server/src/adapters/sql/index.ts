import { invalidParameter } from '@capstan/api';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MetadataStore } from '../../ports/metadata-store.js';
import type { SqlDriver } from './driver.js';
import { migrate } from './migrations.js';
import { SqlMetadataStore } from './store.js';

/**
 * Opens (and migrates) the metadata store a URI names: `sqlite:///relative/or/absolute.db`
 * (`sqlite:////abs` as in SQLAlchemy, `sqlite:///:memory:` for a throwaway) or
 * `postgresql://user@host:port/db` (also `postgres://`, `postgresql+psycopg2://`).
 * @throws CapstanError INVALID_PARAMETER_VALUE for any other scheme.
 */
export async function openMetadataStore(uri: string): Promise<MetadataStore> {
  return (await openSqlDatabase(uri)).metadata;
}

/**
 * One migrated database: the driver every capability's SQL store shares, and the tracking and
 * registry store that owns it (closing `metadata` closes the driver).
 */
export interface SqlDatabase {
  driver: SqlDriver;
  metadata: MetadataStore;
}

/** Opens and migrates the database a URI names (see {@link openMetadataStore}). */
export async function openSqlDatabase(uri: string): Promise<SqlDatabase> {
  let driver: SqlDriver;
  if (uri.startsWith('sqlite://')) {
    const path = uri.slice('sqlite:///'.length);
    if (!uri.startsWith('sqlite:///') || path === '') throw invalidParameter(`Invalid SQLite URI '${uri}': use sqlite:///path/to/file.db`);
    const file = path === ':memory:' ? path : resolve(path.startsWith('/') ? path : `./${path}`);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const { SqliteDriver } = await import('./sqlite.js');
    driver = new SqliteDriver(file);
  } else if (/^postgres(ql)?(\+\w+)?:\/\//.test(uri)) {
    const { PostgresDriver } = await import('./postgres.js');
    driver = new PostgresDriver(uri.replace(/^postgres(ql)?(\+\w+)?:/, 'postgresql:'));
  } else {
    throw invalidParameter(`Unsupported backend store URI '${uri}': use sqlite:///path/to/file.db or postgresql://user@host:port/database`);
  }
  try {
    await migrate(driver);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  return { driver, metadata: new SqlMetadataStore(driver) };
}
