import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openSqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlDeploymentStore } from '../../src/adapters/sql/serving/store.js';
import { describeDeploymentStoreContract } from '../contract/deployment-store.js';
import { createTestDatabase, postgresUnavailable, POSTGRES_SERVER } from '../support/postgres.js';

describeDeploymentStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-serving-'));
  const db = await openSqlDatabase(`sqlite:///${join(dir, 'capstan.db')}`);
  return { store: new SqlDeploymentStore(db.driver), cleanup: async () => { await db.metadata.close(); await rm(dir, { recursive: true, force: true }); } };
});

const reason = await postgresUnavailable();
if (reason) console.warn(`Skipping PostgreSQL deployment store tests: nothing answers at ${POSTGRES_SERVER} (${reason})`);

(reason ? describe.skip : describe)('PostgreSQL deployment store', () => {
  describeDeploymentStoreContract('postgresql', async () => {
    const created = await createTestDatabase('capstan_serving');
    const db = await openSqlDatabase(created.uri);
    return { store: new SqlDeploymentStore(db.driver), cleanup: async () => { await db.metadata.close(); await created.drop(); } };
  });
});
