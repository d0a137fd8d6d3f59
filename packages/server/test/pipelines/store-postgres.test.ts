import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { openSqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlPipelineStore } from '../../src/adapters/sql/pipelines/store.js';
import { describePipelineStoreContract } from '../contract/pipeline-store.js';

/** The server the tests create databases on; `CAPSTAN_TEST_POSTGRES` overrides it. */
const SERVER = process.env.CAPSTAN_TEST_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const reason = await admin((c) => c.query('SELECT 1')).then(() => null, (e: Error) => e.message);
if (reason) console.warn(`Skipping PostgreSQL pipeline store tests: ${reason}`);

(reason ? describe.skip : describe)('PostgreSQL pipeline store', () => {
  describePipelineStoreContract('postgresql', async () => {
    const name = `capstan_pl_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE "${name}"`));
    const { driver, metadata } = await openSqlDatabase(`${SERVER}/${name}`);
    return {
      store: new SqlPipelineStore(driver),
      cleanup: async () => {
        await metadata.close();
        await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      },
    };
  });
});
