import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlDatasetStore } from '../../src/adapters/sql/data/store.js';
import { describeDatasetStoreContract } from '../contract/dataset-store.js';

describeDatasetStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-data-sqlite-'));
  const uri = `sqlite:///${join(dir, 'c.db')}`;
  const db = await openSqlDatabase(uri);
  return {
    store: new SqlDatasetStore(db.driver),
    another: async () => {
      const second = await openSqlDatabase(uri);
      return { store: new SqlDatasetStore(second.driver), close: () => second.metadata.close() };
    },
    cleanup: async () => {
      await db.metadata.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
