import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlPipelineStore } from '../../src/adapters/sql/pipelines/store.js';
import { describePipelineStoreContract } from '../contract/pipeline-store.js';

describePipelineStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-plstore-'));
  const { driver, metadata } = await openSqlDatabase(`sqlite:///${join(dir, 'db.sqlite')}`);
  return {
    store: new SqlPipelineStore(driver),
    cleanup: async () => {
      await metadata.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
