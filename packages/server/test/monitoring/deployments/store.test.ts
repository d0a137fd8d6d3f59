import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openSqlDatabase } from '../../../src/adapters/sql/index.js';
import { SqlMonitoringStore } from '../../../src/adapters/sql/monitoring/store.js';
import { describeMonitoringStoreContract } from '../../contract/monitoring-store.js';
import { createTestDatabase, postgresUnavailable, POSTGRES_SERVER } from '../../support/postgres.js';

describeMonitoringStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-monitoring-'));
  const db = await openSqlDatabase(`sqlite:///${join(dir, 'capstan.db')}`);
  return { store: new SqlMonitoringStore(db.driver), cleanup: async () => { await db.metadata.close(); await rm(dir, { recursive: true, force: true }); } };
});

const reason = await postgresUnavailable();
if (reason) console.warn(`Skipping PostgreSQL monitoring store tests: nothing answers at ${POSTGRES_SERVER} (${reason})`);

(reason ? describe.skip : describe)('PostgreSQL monitoring store', () => {
  describeMonitoringStoreContract('postgresql', async () => {
    const created = await createTestDatabase('capstan_monitoring');
    const db = await openSqlDatabase(created.uri);
    return { store: new SqlMonitoringStore(db.driver), cleanup: async () => { await db.metadata.close(); await created.drop(); } };
  });
});
