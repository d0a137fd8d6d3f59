import { describe } from 'vitest';
import { openSqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlPipelineStore } from '../../src/adapters/sql/pipelines/store.js';
import { describePipelineStoreContract } from '../contract/pipeline-store.js';
import { createTestDatabase, POSTGRES_SERVER, postgresUnavailable } from '../support/postgres.js';

const reason = await postgresUnavailable();
if (reason) console.warn(`Skipping PostgreSQL pipeline store tests: nothing answers at ${POSTGRES_SERVER} (${reason})`);

(reason ? describe.skip : describe)('PostgreSQL pipeline store', () => {
  describePipelineStoreContract('postgresql', async () => {
    const db = await createTestDatabase('capstan_pl');
    const { driver, metadata } = await openSqlDatabase(db.uri);
    return {
      store: new SqlPipelineStore(driver),
      cleanup: async () => {
        await metadata.close();
        await db.drop();
      },
    };
  });
});
