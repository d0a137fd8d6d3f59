import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { openSqlDatabase } from '../../src/adapters/sql/index.js';
import { SqlDatasetStore } from '../../src/adapters/sql/data/store.js';
import { describeDatasetStoreContract } from '../contract/dataset-store.js';

const SERVER = process.env.CAPSTAN_TEST_POSTGRES ?? 'postgresql://postgres@127.0.0.1:5432';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const reason = await admin((c) => c.query('SELECT 1')).then(() => null, (e: unknown) => String(e));
if (reason !== null) console.warn(`Skipping PostgreSQL dataset store tests: nothing answers at ${SERVER} (${reason})`);

(reason === null ? describe : describe.skip)('PostgreSQL dataset store', () => {
  describeDatasetStoreContract('postgresql', async () => {
    const name = `capstan_data_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE "${name}"`));
    const uri = `${SERVER}/${name}`;
    const db = await openSqlDatabase(uri);
    return {
      store: new SqlDatasetStore(db.driver),
      another: async () => {
        const second = await openSqlDatabase(uri);
        return { store: new SqlDatasetStore(second.driver), close: () => second.metadata.close() };
      },
      cleanup: async () => {
        await db.metadata.close();
        await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      },
    };
  });
});
