import { describe } from 'vitest';
import { openSqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlDatasetStore } from '../../src/adapters/sql/data/store.js';
import { describeDatasetStoreContract } from '../contract/dataset-store.js';
import { createTestDatabase, POSTGRES_SERVER, postgresUnavailable } from '../support/postgres.js';

const reason = await postgresUnavailable();
if (reason !== null) console.warn(`Skipping PostgreSQL dataset store tests: nothing answers at ${POSTGRES_SERVER} (${reason})`);

(reason === null ? describe : describe.skip)('PostgreSQL dataset store', () => {
  describeDatasetStoreContract('postgresql', async () => {
    const created = await createTestDatabase('capstan_data');
    const db = await openSqlDatabase(created.uri);
    return {
      store: new SqlDatasetStore(db.driver),
      another: async () => {
        const second = await openSqlDatabase(created.uri);
        return { store: new SqlDatasetStore(second.driver), close: () => second.metadata.close() };
      },
      cleanup: async () => {
        await db.metadata.close();
        await created.drop();
      },
    };
  });
});
